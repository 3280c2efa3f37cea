import { randomBytes } from 'node:crypto';
import type { Keyv } from 'keyv';
import { redactText } from '../logger.js';
import { validate } from '../validate.js';
import { type AuditEntry, auditEntrySchema } from './audit-schema.js';
import { AUDIT_PREFIX, auditKey, auditKeyTime } from './keys.js';
import type { StoreLogger } from './logger.js';
import { readValid } from './read-values.js';
import { scanKeys } from './scan-keys.js';
import { storeCall } from './store-call.js';

/** What a caller gives {@link AuditLog.append}; `at` defaults to now. */
export type AuditInput = Omit<AuditEntry, 'at'> & { at?: string };

/** The audit trail: who did what, kept for `ttlMs`. */
export interface AuditLog {
  /** Stores one entry under its own key (appends never race) and returns it as stored. */
  append(entry: AuditInput): Promise<AuditEntry>;
  /** The newest `limit` entries, newest first. */
  latest(limit: number): Promise<AuditEntry[]>;
  /**
   * Deletes entries older than the TTL; returns how many. sqlite and PostgreSQL have no native expiry: Keyv
   * drops an expired row only when it is read, and `latest` never reads old rows. Run it from a daily job.
   */
  prune(): Promise<number>;
}

/** Options for {@link createAuditLog}. */
export interface AuditLogOptions {
  now?: () => Date;
  /** How long entries are kept. Default 180 days. */
  ttlMs?: number;
  logger?: StoreLogger;
}

export const DEFAULT_AUDIT_TTL_MS = 180 * 24 * 60 * 60 * 1000;

/** Audit keys fetched per round trip while collecting the newest entries. */
const PAGE = 100;

/**
 * An AuditLog over the shared Keyv. Keys are `audit:{at in ms, zero-padded}:{random}`, so text order is time
 * order and two entries in the same millisecond both survive.
 */
export function createAuditLog(keyv: Keyv, options: AuditLogOptions = {}): AuditLog {
  const now = options.now ?? (() => new Date());
  const ttlMs = options.ttlMs ?? DEFAULT_AUDIT_TTL_MS;
  const { logger } = options;

  return {
    append: (input) =>
      storeCall(async () => {
        const entry = validate(auditEntrySchema, {
          ...input,
          at: input.at ?? now().toISOString(),
          // The trail outlives logs and is shown to admins: scrub anything that looks like a credential.
          detail: input.detail === undefined ? undefined : redactText(input.detail),
        });
        if (entry.detail === undefined) delete entry.detail;
        const key = auditKey(Date.parse(entry.at), randomBytes(6).toString('hex'));
        await keyv.set(key, entry, ttlMs);
        return entry;
      }),

    latest: (limit) =>
      storeCall(async () => {
        if (!Number.isInteger(limit) || limit <= 0) return [];
        const keys = await scanKeys(keyv, AUDIT_PREFIX, { descending: true });
        const entries: AuditEntry[] = [];
        // Page through newest keys until enough readable entries are found (some may be expired or corrupt).
        for (let i = 0; i < keys.length && entries.length < limit; i += PAGE) {
          const results = await readValid(keyv, keys.slice(i, i + PAGE), auditEntrySchema, logger);
          for (const result of results) if (result.state === 'ok') entries.push(result.value);
        }
        return entries.slice(0, limit);
      }),

    prune: () =>
      storeCall(async () => {
        const cutoff = now().getTime() - ttlMs;
        const keys = await scanKeys(keyv, AUDIT_PREFIX);
        const old = keys.filter((key) => (auditKeyTime(key) ?? Number.POSITIVE_INFINITY) < cutoff);
        if (old.length > 0) await keyv.deleteMany(old);
        return old.length;
      }),
  };
}
