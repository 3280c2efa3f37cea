/**
 * The customers who came through our ways: the WeCom callbacks and sync write them, the service and the
 * commands read them. A store, beside the records it points at, so readers need not reach into src/callbacks.
 */
import type { Keyv } from 'keyv';
import { z } from 'zod';
import { storeCall } from '../base/store-call.js';
import type { StoreLogger } from '../base/store-logger.js';
import { customerKey, customerOfKey, customerOfPrefix, customerPrefix } from './keys.js';
import { readValid } from './read-valid.js';
import type { ContactWayRecord } from './record-schema.js';
import { scanKeys } from './scan-keys.js';

const isoDateTime = z.iso.datetime({ offset: true });

/** What became of the welcome message for one customer. */
export const welcomeStatusSchema = z.enum([
  'sent',
  /** 41051: WeCom or another app already greeted this customer. */
  'already_greeted',
  /** The event carried no WelcomeCode (a console-configured welcome message, or an existing chat). */
  'no_code',
  /** The way has no welcome text. */
  'not_configured',
  /** WeCom's 20 s (from the event's CreateTime) passed before we could send: nothing was sent. */
  'window_passed',
  'failed',
  /** An earlier run of the event sent it and stopped before recording; WeCom then answered 41051. */
  'probably_sent',
  /** An earlier run started sending and stopped before recording, and the window has passed since. */
  'unknown',
]);
export type WelcomeStatus = z.infer<typeof welcomeStatusSchema>;

/** A customer who added a member through one of our ways, as the add callback told us. */
export const customerRecordSchema = z.object({
  configId: z.string(),
  userId: z.string(),
  externalUserId: z.string(),
  /** From externalcontact/get; absent when WeCom would not tell us in time. */
  name: z.string().optional(),
  changeType: z.enum(['add_external_contact', 'add_half_external_contact']),
  /** The event's CreateTime. */
  addedAt: isoDateTime,
  /** Temp ways: the session WeCom opened (`open` until closed or `sessionEndsAt`); permanent ways: `none`. */
  session: z.enum(['open', 'closed', 'none']),
  sessionEndsAt: isoDateTime.optional(),
  welcome: z.object({ status: welcomeStatusSchema, at: isoDateTime.optional(), code: z.string().optional() }),
  /** Set when a requester ended the session with `close` (command or button): who (requester key) and when. */
  closed: z.object({ by: z.string(), at: isoDateTime }).optional(),
  /** How we learned of the customer: the add callback (absent, the default) or an admin's `sync`. */
  source: z.enum(['callback', 'sync']).optional(),
  /** Set by del_external_contact (the member removed the customer) or del_follow_user (the customer left). */
  removed: z
    .object({ by: z.enum(['member', 'customer']), at: isoDateTime, source: z.string().optional() })
    .optional(),
});
export type CustomerRecord = z.infer<typeof customerRecordSchema>;

/** WeCom's default `chat_expires_in` for a temporary session: one day. */
export const DEFAULT_CHAT_EXPIRES_IN_S = 24 * 3600;

/**
 * A customer who came through `way`, as an add event or sync found them: a temporary way's session ends
 * `chat_expires_in` after the add; a permanent way has none.
 */
export function customerOfWay(
  way: ContactWayRecord,
  found: Pick<CustomerRecord, 'userId' | 'externalUserId' | 'name' | 'changeType' | 'welcome' | 'source'>,
  addedAtMs: number,
): CustomerRecord {
  const { name, source, ...rest } = found;
  return {
    configId: way.configId,
    ...rest,
    ...(name ? { name } : {}),
    ...(source ? { source } : {}),
    addedAt: new Date(addedAtMs).toISOString(),
    session: way.isTemp ? 'open' : 'none',
    ...(way.isTemp
      ? {
          sessionEndsAt: new Date(
            addedAtMs + (way.request.chat_expires_in ?? DEFAULT_CHAT_EXPIRES_IN_S) * 1000,
          ).toISOString(),
        }
      : {}),
  };
}

/**
 * Where a customer's session stands now, as `show` tells it: `ended` by a close, `expired` when
 * chat_expires_in has passed, `deleted` when either side removed the other; `none` for permanent ways.
 */
export type SessionState = 'open' | 'ended' | 'expired' | 'deleted' | 'none';

export function sessionState(c: CustomerRecord, nowMs: number): SessionState {
  if (c.removed) return 'deleted';
  if (c.session === 'closed') return 'ended';
  if (c.session === 'none') return 'none';
  if (c.sessionEndsAt && Date.parse(c.sessionEndsAt) <= nowMs) return 'expired';
  return 'open';
}

/** Customers per way: one key each, so two customers arriving at once never overwrite each other. */
export interface CustomerStore {
  put(record: CustomerRecord): Promise<void>;
  get(configId: string, externalUserId: string): Promise<CustomerRecord | undefined>;
  /** Every customer who came through the way, oldest first. */
  listByWay(configId: string): Promise<CustomerRecord[]>;
  /** Every record of this member and customer, whatever way they came through. */
  find(userId: string, externalUserId: string): Promise<CustomerRecord[]>;
}

export function createCustomerStore(keyv: Keyv, options: { logger?: StoreLogger } = {}): CustomerStore {
  const { logger } = options;
  const readAll = async (keys: string[]) =>
    (await readValid(keyv, keys, customerRecordSchema, logger))
      .flatMap((r) => (r.state === 'ok' ? [r.value] : []))
      .sort((a, b) => a.addedAt.localeCompare(b.addedAt));

  return {
    put: (record) =>
      storeCall(async () => {
        const valid = customerRecordSchema.parse(record);
        // Reverse index first: a customer whose record write fails is then merely not found, never orphaned.
        await keyv.set(customerOfKey(valid.userId, valid.externalUserId, valid.configId), 1);
        await keyv.set(customerKey(valid.configId, valid.externalUserId), valid);
      }),
    get: (configId, externalUserId) =>
      storeCall(async () => (await readAll([customerKey(configId, externalUserId)]))[0]),
    listByWay: (configId) => storeCall(async () => readAll(await scanKeys(keyv, customerPrefix(configId)))),
    find: (userId, externalUserId) =>
      storeCall(async () => {
        const prefix = customerOfPrefix(userId, externalUserId);
        const configIds = (await scanKeys(keyv, prefix)).map((key) => key.slice(prefix.length));
        const records = await readAll(configIds.map((configId) => customerKey(configId, externalUserId)));
        return records.filter((r) => r.userId === userId);
      }),
  };
}
