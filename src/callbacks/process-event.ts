import { WecomError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { type CustomerRecord, type CustomerStore, customerOfWay } from '../store/customer-store.js';
import type { ContactWayRecord, RecordStore } from '../store/index.js';
import type { StateIndex } from '../store/state-index.js';
import type { CustomerClient } from '../wecom/customers.js';
import { ADD_CHANGE_TYPES, type ContactEvent } from './event.js';
import type { EventStore, StoredEvent } from './event-store.js';
import { customerAddedNotification, type Notify } from './notification.js';
import { sendWelcome, type WelcomeDeps } from './welcome.js';

/** Waits between externalcontact/get tries while WeCom still answers 84061 right after the add (§3). */
export const NAME_RETRY_DELAYS_MS = [300, 700, 1_500] as const;

export interface ProcessDeps {
  records: Pick<RecordStore, 'get'>;
  states: StateIndex;
  customers: CustomerStore;
  wecom: CustomerClient;
  notify: Notify;
  /** Where the welcome attempt is noted before the call (see welcome.ts). */
  events: Pick<EventStore, 'markWelcomeAttempt'>;
  logger: Logger;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Welcome images' fresh media_ids (src/media), read without uploading. */
  images?: WelcomeDeps['images'];
}

/**
 * What one stored event does; resolves with a short outcome for the event store. Throwing leaves the event
 * pending, to be run again later (retry schedule, next start), so anything that must not happen twice (the welcome message,
 * the notification) comes after every step that may fail for a transient reason, or swallows its failure.
 */
export async function processEvent(stored: StoredEvent, deps: ProcessDeps): Promise<string> {
  const { event } = stored;
  if (ADD_CHANGE_TYPES.has(event.changeType)) return processAdd(stored, deps);
  if (event.changeType === 'del_external_contact' || event.changeType === 'del_follow_user') {
    return processRemoval(event, deps);
  }
  deps.logger.info(
    { changeType: event.changeType, userId: event.userId },
    'callback: event noted, nothing to do',
  );
  return 'ignored';
}

async function processAdd(stored: StoredEvent, deps: ProcessDeps): Promise<string> {
  const { event } = stored;
  const way = await findWay(event, deps);
  if (!way) {
    // A way made elsewhere (WeCom's console, another tool), a State several such ways share, a deleted way, or
    // a member the way does not reach: recorded as unattributed (the event's outcome), nobody told or greeted.
    deps.logger.info(
      { userId: event.userId, hasState: event.state !== undefined },
      'callback: add event matches none of our contact ways',
    );
    return 'unattributed';
  }
  const [welcome, name] = await Promise.all([
    sendWelcome(way, stored, deps),
    customerName(event.externalUserId, deps),
  ]);
  const customer = customerOfWay(
    way,
    {
      userId: event.userId,
      externalUserId: event.externalUserId,
      name,
      changeType: event.changeType as CustomerRecord['changeType'],
      welcome: {
        status: welcome.status,
        ...(welcome.status === 'sent' ? { at: new Date(deps.now()).toISOString() } : {}),
        ...(welcome.code ? { code: welcome.code } : {}),
      },
    },
    event.createTime * 1000,
  );
  await deps.customers.put(customer);
  try {
    await deps.notify(way.requester, customerAddedNotification(way, customer, welcome.human, welcome.sent));
  } catch (error) {
    // The customer is recorded; running the event again would greet them twice. Logged, not retried.
    deps.logger.error({ err: error, configId: way.configId }, 'callback: notifying the requester failed');
  }
  deps.logger.info(
    { configId: way.configId, userId: event.userId, welcome: welcome.status },
    'callback: customer added through our contact way',
  );
  return 'attributed';
}

/**
 * The way this customer came through: the one way the event's State names (the index holds exactly one per
 * State), if it is still ours and reaches the event's member. Anything else attributes the customer to nobody:
 * a guess could hand one requester's customer, welcome message and session to another.
 */
async function findWay(event: ContactEvent, deps: ProcessDeps): Promise<ContactWayRecord | undefined> {
  if (!event.state) return undefined;
  const configId = await deps.states.find(event.state);
  const record = configId ? await deps.records.get(configId) : undefined;
  if (!record || record.status === 'deleted') return undefined;
  // Departments cannot be expanded here; a type-2 way with one is named by its State, which only it holds.
  const reaches =
    record.request.user?.includes(event.userId) ||
    (record.request.type === 2 && (record.request.party?.length ?? 0) > 0);
  return reaches ? record : undefined;
}

/** The customer's name, retried briefly on 84061; undefined when WeCom will not say (never fails the event). */
async function customerName(externalUserId: string, deps: ProcessDeps): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      const detail = await deps.wecom.getExternalContact(externalUserId);
      return detail.external_contact.name || undefined;
    } catch (error) {
      const delay = NAME_RETRY_DELAYS_MS[attempt];
      if (error instanceof WecomError && error.errcode === 84061 && delay !== undefined) {
        await deps.sleep(delay);
        continue;
      }
      deps.logger.warn({ err: error }, 'callback: customer name unavailable');
      return undefined;
    }
  }
}

/** del_external_contact (the member removed the customer) / del_follow_user (the customer removed the member). */
async function processRemoval(event: ContactEvent, deps: ProcessDeps): Promise<string> {
  const records = await deps.customers.find(event.userId, event.externalUserId);
  if (records.length === 0) return 'unknown_customer';
  const at = new Date(event.createTime * 1000).toISOString();
  for (const record of records) {
    await deps.customers.put({
      ...record,
      session: record.session === 'open' ? 'closed' : record.session,
      removed: {
        by: event.changeType === 'del_external_contact' ? 'member' : 'customer',
        at,
        ...(event.source ? { source: event.source } : {}),
      },
    });
  }
  return 'removed';
}
