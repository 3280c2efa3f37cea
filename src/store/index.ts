/**
 * The store: one Keyv (sqlite, Redis, PostgreSQL or memory) shared by contact-way records, the audit trail and
 * the WeCom token cache. See `keys.ts` for the key layout.
 */

export { STORE_UNAVAILABLE, storeCall } from '../base/store-call.js';
export type { StoreLogger } from '../base/store-logger.js';
export {
  createStoreLock,
  DEFAULT_LOCK_MAX_WAIT_MS,
  DEFAULT_LOCK_POLL_MS,
  DEFAULT_LOCK_TTL_MS,
  LOCK_PREFIX,
  LockTimeoutError,
  noLock,
  type StoreLock,
  type StoreLockOptions,
} from '../lock/lock.js';
export {
  type AuditInput,
  type AuditLog,
  type AuditLogOptions,
  createAuditLog,
  DEFAULT_AUDIT_TTL_MS,
} from './audit-log.js';
export { type AuditEntry, auditEntrySchema } from './audit-schema.js';
export { requesterKey } from './keys.js';
export {
  createLinkStore,
  type Link,
  type LinkRequest,
  type LinkStore,
  linkRequestId,
} from './links.js';
export {
  closeKeyv,
  createMemoryKeyv,
  DEFAULT_NAMESPACE,
  type OpenKeyvOptions,
  openKeyv,
  PRIVATE_DIR,
  PRIVATE_FILE,
} from './open-keyv.js';
export {
  type ContactWayRecord,
  contactWayRecordSchema,
  platformSchema,
  type Requester,
  requesterSchema,
} from './record-schema.js';
export { createRecordStore, type RecordStore, type RecordStoreOptions } from './record-store.js';
export { scanKeys } from './scan-keys.js';
export { createSlotCounter, type SlotCounter } from './slot-counter.js';
export {
  DEFAULT_SWEEP_LIMIT,
  type ExpiredSweep,
  startExpiredSweep,
  sweepExpiredKeys,
} from './sweep-expired.js';
export { createWriteAll, type KeyWrite, type StoreWrite, type WriteAll, writeAll } from './write-all.js';
