import type { Keyv } from 'keyv';
import { storeCall } from '../base/store-call.js';
import type { StoreLogger } from '../base/store-logger.js';
import { validate } from '../base/validate.js';
import {
  isKeySafeConfigId,
  OWNER_PREFIX,
  ownerKey,
  ownerPrefix,
  RECORD_PREFIX,
  recordKey,
  requesterKey,
} from './keys.js';
import { readValid } from './read-valid.js';
import { type ContactWayRecord, contactWayRecordSchema } from './record-schema.js';
import { scanKeys } from './scan-keys.js';
import type { StoreWrite } from './write-all.js';

/**
 * Where we remember every contact way and who asked for it. Losing a record means its config_id is gone and
 * the contact way can never be edited or deleted again, so every write touches only its own keys (no shared
 * array to read, modify and write back): concurrent creations, from one process or several, cannot overwrite
 * each other.
 */
export interface RecordStore {
  /** Inserts or replaces the record (validated first). */
  put(record: ContactWayRecord): Promise<void>;
  /**
   * What `put` writes (validated first), for the caller to write in one batch with other stores' writes
   * (`writeAll`): only for a record whose requester is the one already stored (a new record, or an edit);
   * `put` also drops the index entry of a previous requester.
   */
  writesFor(record: ContactWayRecord): StoreWrite[];
  /** The record, or undefined when there is none (or it is unreadable; that is logged). */
  get(configId: string): Promise<ContactWayRecord | undefined>;
  /** Every record of one requester ({@link requesterKey}), newest first. */
  listByRequester(requesterKey: string): Promise<ContactWayRecord[]>;
  /** Every record, newest first: for admins. */
  listAll(): Promise<ContactWayRecord[]>;
  /** Removes the record and its index entry. Removing what is not there is not an error. */
  remove(configId: string): Promise<void>;
}

/** Options for {@link createRecordStore}. */
export interface RecordStoreOptions {
  /** Told about skipped (corrupt, orphaned) entries and failed clean-ups. */
  logger?: StoreLogger;
}

/**
 * A RecordStore over the shared Keyv. Layout: `rec:{configId}` holds the record, `own:{requesterKey}:{configId}`
 * marks it as the requester's; listing scans a key prefix. Backend failures throw StoreError; invalid records
 * given to `put` throw ValidationError.
 */
export function createRecordStore(keyv: Keyv, options: RecordStoreOptions = {}): RecordStore {
  const { logger } = options;

  async function read(configId: string): Promise<ContactWayRecord | undefined> {
    if (!isKeySafeConfigId(configId)) return undefined;
    const [result] = await readValid(keyv, [recordKey(configId)], contactWayRecordSchema, logger);
    return result?.state === 'ok' ? result.value : undefined;
  }

  async function listRecords(configIds: string[], owner?: string): Promise<ContactWayRecord[]> {
    const results = await readValid(keyv, configIds.map(recordKey), contactWayRecordSchema, logger);
    const records: ContactWayRecord[] = [];
    for (const result of results) {
      if (result.state !== 'ok') continue;
      // An index entry left behind when a record was re-put under another requester: not theirs any more.
      if (owner !== undefined && requesterKey(result.value.requester) !== owner) continue;
      records.push(result.value);
    }
    return records.sort(newestFirst);
  }

  return {
    writesFor: (record) => {
      const valid = validate(contactWayRecordSchema, record);
      return [
        { keyv, key: ownerKey(requesterKey(valid.requester), valid.configId), value: 1 },
        { keyv, key: recordKey(valid.configId), value: valid },
      ];
    },

    put: (record) =>
      storeCall(async () => {
        const valid = validate(contactWayRecordSchema, record);
        const owner = requesterKey(valid.requester);
        const previous = await read(valid.configId);
        // Index first: if the record write then fails, the orphaned index entry is skipped on reading and the
        // caller gets the error. The other order could leave a stored record its requester cannot list.
        await keyv.set(ownerKey(owner, valid.configId), 1);
        await keyv.set(recordKey(valid.configId), valid);
        if (previous && requesterKey(previous.requester) !== owner) {
          await dropIndex(keyv, requesterKey(previous.requester), valid.configId, logger);
        }
      }),

    get: (configId) => storeCall(() => read(configId)),

    listByRequester: (requester) =>
      storeCall(async () => {
        const prefix = ownerPrefix(requester);
        const keys = await scanKeys(keyv, prefix);
        return listRecords(keys.map((key) => key.slice(prefix.length)).filter(isKeySafeConfigId), requester);
      }),

    listAll: () =>
      storeCall(async () => {
        const keys = await scanKeys(keyv, RECORD_PREFIX);
        return listRecords(keys.map((key) => key.slice(RECORD_PREFIX.length)).filter(isKeySafeConfigId));
      }),

    remove: (configId) =>
      storeCall(async () => {
        if (!isKeySafeConfigId(configId)) return;
        const record = await read(configId);
        // Record first: should the index delete then fail, the orphaned entry is skipped when listing.
        await keyv.delete(recordKey(configId));
        if (record) {
          await keyv.delete(ownerKey(requesterKey(record.requester), configId));
          return;
        }
        // Unreadable or already gone: we do not know its requester, so find its index entries by id.
        const suffix = `:${configId}`;
        const orphans = (await scanKeys(keyv, OWNER_PREFIX)).filter((key) => key.endsWith(suffix));
        if (orphans.length > 0) await keyv.deleteMany(orphans);
      }),
  };
}

/** Newest `createdAt` first; equal times by config id, so the order is stable across backends. */
function newestFirst(a: ContactWayRecord, b: ContactWayRecord): number {
  const byTime = Date.parse(b.createdAt) - Date.parse(a.createdAt);
  if (byTime !== 0) return byTime;
  return a.configId < b.configId ? 1 : a.configId > b.configId ? -1 : 0;
}

/** Removes a stale index entry after a requester change. The put already succeeded, so a failure only warns. */
async function dropIndex(keyv: Keyv, owner: string, configId: string, logger?: StoreLogger): Promise<void> {
  try {
    await keyv.delete(ownerKey(owner, configId));
  } catch (error) {
    logger?.warn({ configId, error }, 'store: could not remove the previous requester index entry');
  }
}
