/**
 * The store's housekeeping timers, started with the core: records journaled while the store was down written
 * back, the audit trail pruned past AUDIT_RETENTION, expired keys swept, welcome images' media_ids renewed. Once per fleet where it is a chore
 * (prune, sweep: one worker of a cluster); the journal flush on every process, since each has its own journal.
 */
import type Keyv from 'keyv';
import type { Logger } from './base/logger.js';
import { type ImageMedia, startWelcomeImageRefresh } from './media/index.js';
import type { PendingRecords } from './service/pending-records.js';
import { type AuditLog, type RecordStore, scanKeys, startExpiredSweep } from './store/index.js';

/** When the first audit prune runs after start, and how often after that. */
const AUDIT_FIRST_PRUNE_MS = 60_000;
const AUDIT_PRUNE_EVERY_MS = 60 * 60_000;

export interface Housekeeping {
  /** Writes the journaled records back now (also on a timer, and at stop). */
  flushPending(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHousekeeping(options: {
  keyv: Keyv;
  records: RecordStore;
  pending: PendingRecords;
  audit: AuditLog;
  /** Welcome images: their media_ids are renewed before WeCom's 3 days end (never inside a welcome's 20 s). */
  images: ImageMedia;
  /** A provider mode: the active corps, each refreshed with its own token (welcome-refresh.ts). */
  corps?: () => Promise<string[]>;
  logger: Logger;
  journalRetryMs: number;
  storeSweepMs: number;
  /** False on a cluster's other workers: the prune and the sweep run once per fleet. */
  chores: boolean;
}): Promise<Housekeeping> {
  const { keyv, records, pending, audit, logger, chores } = options;
  const flushPending = async () => {
    await pending
      .flush(records)
      .catch((error: unknown) => logger.warn({ err: error }, 'pending records not flushed yet'));
  };
  await flushPending();
  const retry = setInterval(flushPending, options.journalRetryMs);
  retry.unref();
  // sqlite and PostgreSQL never expire rows on their own: without this the trail only grows. Not at start
  // (it would delay readiness); every instance may run it, deleting what is already gone is a no-op.
  const pruneAudit = () =>
    audit.prune().then(
      (pruned) => {
        if (pruned > 0) logger.info({ pruned }, 'audit: removed entries older than AUDIT_RETENTION');
      },
      (error: unknown) => logger.warn({ err: error }, 'audit: prune failed; retried at the next run'),
    );
  const firstPrune = chores ? setTimeout(pruneAudit, AUDIT_FIRST_PRUNE_MS) : undefined;
  firstPrune?.unref();
  const prune = chores ? setInterval(pruneAudit, AUDIT_PRUNE_EVERY_MS) : undefined;
  prune?.unref();
  // Likewise for every other TTL'd key (claims, form state, processed events): about one row per request.
  const sweep = chores
    ? startExpiredSweep(keyv, { intervalMs: options.storeSweepMs, logger })
    : { stop: async () => undefined };
  // A chore too: one upload per image per fleet is enough, every instance reads the stored media_id.
  const welcomeImages = chores
    ? startWelcomeImageRefresh({
        media: options.images,
        store: keyv,
        scanKeys,
        logger,
        ...(options.corps ? { corps: options.corps } : {}),
      })
    : { stop: async () => undefined };
  // Once now too: after downtime a media_id may already be past its 2.5 days. Never awaited (readiness).
  if ('runOnce' in welcomeImages) void welcomeImages.runOnce();
  return {
    flushPending,
    async stop() {
      clearInterval(retry);
      clearTimeout(firstPrune);
      clearInterval(prune);
      await sweep.stop();
      await welcomeImages.stop();
    },
  };
}
