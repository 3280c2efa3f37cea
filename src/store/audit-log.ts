import { randomBytes } from 'node:crypto';
import type { Keyv } from 'keyv';
import { redactText } from '../base/logger.js';
import { storeCall } from '../base/store-call.js';
import type { StoreLogger } from '../base/store-logger.js';
import { validate } from '../base/validate.js';
import { type AuditEntry, auditEntrySchema } from './audit-schema.js';
import { deleteKeysBelow } from './delete-range.js';
import { AUDIT_PREFIX, auditKey, auditKeysBefore } from './keys.js';
import { readValid } from './read-valid.js';
import { scanKeys } from './scan-keys.js';
import type { StoreWrite } from './write-all.js';

/** What a caller gives {@link AuditLog.append}; `at` defaults to now. */
export type AuditInput = Omit<AuditEntry, 'at'> & { at?: string };

/** The audit trail: who did what, kept for `ttlMs`. */
export interface AuditLog {
  /** Stores one entry under its own key (appends never race) and returns it as stored. */
  append(entry: AuditInput): Promise<AuditEntry>;
  /** What `append` writes, for the caller to write in one batch with other stores' writes (`writeAll`). */
  entryWrite(entry: AuditInput): StoreWrite;
  /** The newest `limit` entries (of those `keep` accepts, when given), newest first. */
  latest(limit: number, keep?: (entry: AuditEntry) => boolean): Promise<AuditEntry[]>;
  /**
   * Deletes entries older than the TTL; returns how many. sqlite and PostgreSQL have no native expiry: Keyv
   * drops an expired row only when it is read, and `latest` never reads old rows. The core runs it on a
   * schedule (`src/app.ts`); it deletes by key range, never reading the entries.
   */
  prune(): Promise<number>;
}

/** Options for {@link createAuditLog}. */
export interface AuditLogOptions {
  now?: () => Date;
  /** How long entries are kept (AUDIT_RETENTION). Default 90 days. */
  ttlMs?: number;
  logger?: StoreLogger;
}

export const DEFAULT_AUDIT_TTL_MS = 90 * 24 * 60 * 60 * 1000;

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

  function entryWrite(input: AuditInput): StoreWrite & { value: AuditEntry } {
    const entry = validate(auditEntrySchema, {
      ...input,
      at: input.at ?? now().toISOString(),
      // The trail outlives logs and is shown to admins: scrub anything that looks like a credential.
      detail: input.detail === undefined ? undefined : redactText(input.detail),
    });
    if (entry.detail === undefined) delete entry.detail;
    const key = auditKey(Date.parse(entry.at), randomBytes(6).toString('hex'));
    return { keyv, key, value: entry, ttlMs };
  }

  return {
    append: (input) =>
      storeCall(async () => {
        const { key, value } = entryWrite(input);
        await keyv.set(key, value, ttlMs);
        return value;
      }),

    entryWrite,

    latest: (limit, keep = () => true) =>
      storeCall(async () => {
        if (!Number.isInteger(limit) || limit <= 0) return [];
        const entries: AuditEntry[] = [];
        // Newest keys first, one page at a time, until enough readable entries (some may be expired or
        // corrupt): on sqlite and PostgreSQL the trail's size does not matter, only the page read.
        const page = Math.min(PAGE, limit);
        let after: string | undefined;
        while (entries.length < limit) {
          const keys = await scanKeys(keyv, AUDIT_PREFIX, { descending: true, limit: page, after });
          const results = await readValid(keyv, keys, auditEntrySchema, logger);
          for (const result of results)
            if (result.state === 'ok' && keep(result.value)) entries.push(result.value);
          if (keys.length < page) break;
          after = keys[keys.length - 1];
        }
        return entries.slice(0, limit);
      }),

    prune: () =>
      storeCall(() => deleteKeysBelow(keyv, AUDIT_PREFIX, auditKeysBefore(now().getTime() - ttlMs))),
  };
}
