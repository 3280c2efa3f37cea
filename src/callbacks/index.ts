import type { Keyv } from 'keyv';
import type { Logger } from '../base/logger.js';
import type { StoreLock } from '../lock/lock.js';
import type { ImageMedia } from '../media/index.js';
import { type CustomerStore, createCustomerStore } from '../store/customer-store.js';
import type { RecordStore } from '../store/index.js';
import { createStateIndex, type StateIndex } from '../store/state-index.js';
import type { CustomerClient } from '../wecom/customers.js';
import { createWecomCrypto } from './crypto.js';
import { type ContactEvent, parseCallbackMessage } from './event.js';
import { createEventStore, type EventStore, type StoredEvent } from './event-store.js';
import { logNotify, type Notify } from './notification.js';
import { processEvent } from './process-event.js';
import { CALLBACK_PATH, type CallbackHandler, createCallbackReceiver } from './receiver.js';
import { DEFAULT_CALLBACK_RETRY_MS, dueForRetry } from './retry.js';

export {
  type CustomerRecord,
  type CustomerStore,
  createCustomerStore,
  type SessionState,
  sessionState,
} from '../store/customer-store.js';
export { createStateIndex, type StateIndex } from '../store/state-index.js';
export { createWecomCrypto, type WecomCrypto } from './crypto.js';
export type { ContactEvent } from './event.js';
export { contactEventXml } from './event.js';
export type { EventStore, StoredEvent } from './event-store.js';
export {
  type LocalizedNotification,
  localizeNotification,
  logNotify,
  type Notification,
  type NotificationAction,
  type Notify,
} from './notification.js';
export { CALLBACK_PATH, type CallbackHandler } from './receiver.js';
export { DEFAULT_CALLBACK_RETRY_MS } from './retry.js';

/** WeCom's event callbacks, wired: the HTTP handler and what runs the events it stores. */
export interface Callbacks {
  /** The URL path to paste into WeCom's admin console (after this server's public origin). */
  readonly path: string;
  /** Mount on any Node HTTP server; resolves false for other paths. */
  readonly handler: CallbackHandler;
  /** The Token and EncodingAESKey in use, for the embedded sandbox to play WeCom with. Never log them. */
  readonly secrets: { token: string; encodingAesKey: string };
  readonly events: EventStore;
  readonly customers: CustomerStore;
  /**
   * Stores a verified event and schedules it: what the receiver does after decrypting. A provider's
   * /wecom/suite hands its customer events (the InfoType format) here, into the same pipeline.
   */
  accept(event: ContactEvent): Promise<void>;
  /** Runs every event a crash (or a failed run) left pending, at start; resolves with how many were run. */
  processPending(): Promise<number>;
  /**
   * Runs the pending events due for a retry (see retry.ts): what the retry timer calls every `retryEveryMs`.
   * Never overlaps another retry or processPending in this process; across instances the per-event lock and
   * the status read under it keep each event processed once.
   */
  retryPending(): Promise<number>;
  /** Resolves once every event handed to processing so far has finished (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops the retry timer (shutdown); runs in flight go on, idle() waits for them. */
  stopRetries(): void;
}

export interface CallbacksOptions {
  token: string;
  encodingAesKey: string;
  /** The corp id (ReceiveId); with `servedCorps`, the provider's own corp id (also accepted for the URL check). */
  corpId: string;
  /**
   * 代开发 (WECOM_MODE=customized): one URL serves every installed corp's app, each event encrypted for its
   * own corp id (as the app sees it). When set, a ReceiveId is accepted when this says the corp is served
   * here, and the event is that corp's (its `corpId`); any other is refused as `callback.wrong_receive_id`.
   */
  servedCorps?: (corpId: string) => Promise<boolean>;
  /**
   * Runs an event's processing in its corp (a provider mode: `inCorp`, so the welcome message and the reads
   * use that corp's token), on the first run and on every retry alike; unset, as is.
   */
  inCorp?: <T>(corpId: string, work: () => Promise<T>) => Promise<T>;
  keyv: Keyv;
  records: Pick<RecordStore, 'get'>;
  wecom: CustomerClient;
  /** Cross-instance lock (the store's): one instance runs a given event at a time. */
  lock: StoreLock;
  logger: Logger;
  /** How the requester is told; by default a log line (adapters provide a notifier with issue 11). */
  notify?: Notify;
  states?: StateIndex;
  /** The customer records (shared with the service, which reads them for show, close and sync). */
  customers?: CustomerStore;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How often pending events are looked at while running (CALLBACK_RETRY_MS); default 15 s. */
  retryEveryMs?: number;
  /** Welcome images' media_ids, kept fresh by src/media's refresh; read, never uploaded, in the 20 s. */
  images?: Pick<ImageMedia, 'welcomeMediaId'>;
}

export function createCallbacks(options: CallbacksOptions): Callbacks {
  const logger = options.logger.child({ component: 'callbacks' });
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const crypto = createWecomCrypto({
    token: options.token,
    encodingAesKey: options.encodingAesKey,
    receiveId: options.corpId,
  });
  const events = createEventStore(options.keyv, { logger });
  const customers = options.customers ?? createCustomerStore(options.keyv, { logger });
  const deps = {
    records: options.records,
    states: options.states ?? createStateIndex(options.keyv),
    customers,
    wecom: options.wecom,
    notify: options.notify ?? logNotify(logger),
    events,
    logger,
    now,
    sleep,
    images: options.images,
  };
  const retryEveryMs = options.retryEveryMs ?? DEFAULT_CALLBACK_RETRY_MS;
  const running = new Set<Promise<void>>();
  /** Runs of this process by event key: a retry never starts a second run of an event still running here. */
  const inFlight = new Map<string, Promise<void>>();

  /**
   * Runs one stored event under its lock, unless another run (here or on another instance) finished it or,
   * for a retry, ran it since it was listed.
   */
  async function run(key: string, stillDue: (current: StoredEvent) => boolean): Promise<void> {
    await options.lock(key, async () => {
      const current = await events.get(key);
      if (current?.status !== 'pending' || !stillDue(current)) return;
      let outcome: string;
      const corp = current.event.corpId;
      try {
        outcome =
          options.inCorp && corp
            ? await options.inCorp(corp, () => processEvent(current, deps))
            : await processEvent(current, deps);
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'internal';
        const failed = await events.markFailed(key, code, now());
        logger.error(
          {
            err: error,
            changeType: current.event.changeType,
            attempts: failed?.attempts,
            status: failed?.status,
          },
          'callback: processing failed; retried later unless its attempts are used up (status failed)',
        );
        return;
      }
      await events.markDone(key, outcome, now());
    });
  }

  function track(work: Promise<unknown>): void {
    const tracked: Promise<void> = work.then(
      () => undefined,
      () => undefined,
    );
    running.add(tracked);
    void tracked.finally(() => running.delete(tracked));
  }

  function schedule(key: string, stillDue: (current: StoredEvent) => boolean = () => true): Promise<void> {
    const existing = inFlight.get(key);
    if (existing) return existing;
    const done = run(key, stillDue)
      .catch((error: unknown) => logger.error({ err: error }, 'callback: could not run the event'))
      .finally(() => inFlight.delete(key));
    inFlight.set(key, done);
    track(done);
    return done;
  }

  /** The one pass over pending events at a time: a pass queued behind another starts when it has finished. */
  let sweeping: Promise<number> | undefined;
  function sweep(due: (stored: StoredEvent) => boolean, message: string): Promise<number> {
    const pass = (sweeping ?? Promise.resolve(0))
      .catch(() => 0)
      .then(async () => {
        const selected = (await events.pending()).filter(due);
        if (selected.length > 0) logger.warn({ count: selected.length }, message);
        await Promise.all(selected.map((stored) => schedule(stored.key, due)));
        return selected.length;
      });
    sweeping = pass;
    // Tracked so idle() also waits for the scan itself, not only for the runs it starts.
    track(pass);
    void pass
      .catch(() => undefined)
      .finally(() => {
        if (sweeping === pass) sweeping = undefined;
      });
    return pass;
  }

  const retryPending = () =>
    sweep((stored) => dueForRetry(stored, now(), retryEveryMs), 'callback: retrying pending events');
  let closed = false;
  const timer = setInterval(() => {
    // A pass still going (a slow WeCom, a lock held elsewhere) is not doubled; the next tick looks again.
    if (closed || sweeping) return;
    retryPending().catch((error: unknown) =>
      logger.warn({ err: error }, 'callback: pending events not listed; retried at the next interval'),
    );
  }, retryEveryMs);
  timer.unref();

  async function idle(): Promise<void> {
    // Events scheduled with setImmediate are not in `running` yet: let them start first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (running.size > 0) await Promise.allSettled([...running]);
  }

  async function accept(event: ContactEvent): Promise<void> {
    const { stored, fresh } = await events.add(event, now());
    if (!fresh) {
      logger.info(
        { changeType: event.changeType, status: stored.status },
        'callback: repeated delivery ignored',
      );
      return;
    }
    // After the answer: WeCom must hear `success` well before its 5 s, whatever WeCom calls follow.
    setImmediate(() => void schedule(stored.key));
  }
  const { servedCorps } = options;
  const handler = createCallbackReceiver({
    crypto,
    logger,
    accept,
    ...(servedCorps
      ? {
          // The URL check may come encrypted for the provider's corp id (as on a third-party app's URLs, doc
          // §1.9) or for the corp; events only for a corp served here, which they then belong to.
          receiveIds: async (id: string, use: 'echo' | 'event') =>
            (use === 'echo' && id === options.corpId) || (await servedCorps(id)),
          parse: (plain: string, receiveId: string | undefined) => {
            const message = parseCallbackMessage(plain);
            return message.kind === 'contact' && receiveId
              ? { ...message, event: { ...message.event, corpId: receiveId } }
              : message;
          },
        }
      : {}),
  });

  return {
    path: CALLBACK_PATH,
    handler,
    secrets: { token: options.token, encodingAesKey: options.encodingAesKey },
    events,
    customers,
    accept,
    processPending: () => sweep(() => true, 'callback: processing events left pending'),
    retryPending,
    idle,
    stopRetries() {
      closed = true;
      clearInterval(timer);
    },
  };
}
