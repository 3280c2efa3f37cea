import { createHash } from 'node:crypto';
import type { Keyv } from 'keyv';
import { z } from 'zod';
import type { Logger } from '../base/logger.js';
import { type Sealer, sealedSchema } from '../base/seal.js';
import { storeCall } from '../base/store-call.js';
import { createWecomCrypto } from '../callbacks/crypto.js';
import type { ContactEvent } from '../callbacks/event.js';
import { type CallbackHandler, createCallbackReceiver } from '../callbacks/receiver.js';
import type { StoreLock } from '../lock/lock.js';
import { SUITE_EVENT_PREFIX } from '../store/keys.js';
import { scanKeys } from '../store/scan-keys.js';
import { createSetIfAbsent } from '../store/set-if-absent.js';
import type { Installer } from './install.js';
import type { Installs } from './installs.js';
import { parseSuiteMessage, type SuiteEvent } from './suite-events.js';
import type { TenantStore } from './tenant-store.js';
import type { SuiteTicketStore } from './ticket-store.js';

/** Where the provider console's 指令回调URL points (after PUBLIC_URL). */
export const SUITE_PATH = '/wecom/suite';
/** An auth event is kept this long: far past WeCom's retries, long enough to run again after a crash. */
const SUITE_EVENT_TTL_MS = 24 * 3600_000;
/** Runs of one event before it is left failed (logged). */
const MAX_ATTEMPTS = 5;

/** An auth event as stored: sealed whole, since an AuthCode is a credential for 10 minutes. */
const storedSchema = z.object({
  sealed: sealedSchema,
  infoType: z.string(),
  status: z.enum(['pending', 'done', 'failed']),
  attempts: z.number().int(),
  receivedAtMs: z.number(),
});
type Stored = z.infer<typeof storedSchema>;

export interface SuiteCallback {
  readonly path: string;
  readonly handler: CallbackHandler;
  /** Runs the auth events a crash or a failure left pending (at start). */
  processPending(): Promise<number>;
  /** Resolves once every event handed to processing so far has finished (tests, shutdown). */
  idle(): Promise<void>;
}

export interface SuiteCallbackOptions {
  token: string;
  encodingAesKey: string;
  /** The ReceiveId of every POST, and the SuiteId an event must carry. */
  suiteId: string;
  /** The ReceiveId of the GET URL verification: the provider's own corp id (doc §1.9, staff answer). */
  providerCorpId: string;
  keyv: Keyv;
  lock: StoreLock;
  sealer: Sealer;
  tickets: SuiteTicketStore;
  tenants: TenantStore;
  installer: Installer;
  /** Binds an install's state to its workspace, and tells bound admins when their corp leaves. */
  installs?: Pick<Installs, 'completed' | 'lost'> | undefined;
  dropCorpToken: (authCorpId: string) => Promise<void>;
  /**
   * Where a third-party app's customer events go (today's callback pipeline: `Callbacks.accept`); unset, they
   * are acknowledged and ignored.
   */
  contacts?: ((event: ContactEvent) => Promise<void>) | undefined;
  logger: Logger;
  now?: () => number;
}

/**
 * `GET/POST /wecom/suite`: the same door as /wecom/callback (signature over Encrypt before anything is parsed,
 * body caps, timestamp window, nonces, constant-time checks), with the suite's Token and key. A suite_ticket is
 * stored (newest TimeStamp wins) before the answer; an auth event is stored, answered `success` (WeCom wants it
 * within 1 s), then processed: create_auth and reset_permanent_code exchange the AuthCode, cancel_auth deletes
 * the corp's permanent code, change_auth re-reads the corp's agent and visible range (get_auth_info).
 */
export function createSuiteCallback(options: SuiteCallbackOptions): SuiteCallback {
  const { suiteId, keyv, lock, sealer, tickets, tenants, installer, logger } = options;
  const now = options.now ?? Date.now;
  const setIfAbsent = createSetIfAbsent(keyv);
  const running = new Set<Promise<void>>();
  const names = { token: 'WECOM_SUITE_TOKEN', aesKey: 'WECOM_SUITE_AES_KEY' };
  const crypto = createWecomCrypto({
    token: options.token,
    encodingAesKey: options.encodingAesKey,
    receiveId: suiteId,
    names: { ...names, receiveId: 'the suite id (WECOM_SUITE_ID)' },
  });
  const echoCrypto = createWecomCrypto({
    token: options.token,
    encodingAesKey: options.encodingAesKey,
    receiveId: options.providerCorpId,
    names: { ...names, receiveId: 'the provider’s corp id (WECOM_PROVIDER_CORP_ID)' },
  });

  async function act(event: SuiteEvent): Promise<string> {
    switch (event.infoType) {
      case 'create_auth':
      case 'reset_permanent_code': {
        const done = await installer.exchange(event.authCode);
        // An install started from chat carries its state: that workspace is bound now. Without one (WeCom's
        // app market) the corp stays unbound until an admin binds it.
        if (done.outcome === 'installed' && event.infoType === 'create_auth')
          await options.installs?.completed(done.tenant.authCorpId, event.state, event.authCode);
        return done.outcome;
      }
      case 'cancel_auth': {
        const was = (await tenants.get(event.authCorpId))?.status;
        await tenants.cancel(event.authCorpId);
        await options.dropCorpToken(event.authCorpId);
        if (was === 'active') await options.installs?.lost(event.authCorpId);
        return 'cancelled';
      }
      case 'change_auth': {
        // The visible range, the permissions, or (代开发) the app's enabled state changed: get_auth_info says
        // what holds now (doc §1.8). A corp that left is not asked.
        const tenant = await installer.refresh(event.authCorpId);
        return tenant ? 'refreshed' : 'not_installed';
      }
      case 'suite_ticket':
      case 'change_external_contact':
        return 'stored';
    }
  }

  async function run(key: string): Promise<void> {
    await lock(key, async () => {
      const parsed = storedSchema.safeParse(await storeCall(() => keyv.get(key)));
      if (!parsed.success || parsed.data.status !== 'pending') return;
      const stored = parsed.data;
      const event = JSON.parse(sealer.open(stored.sealed)) as SuiteEvent;
      let next: Stored;
      try {
        const outcome = await act(event);
        logger.info({ infoType: event.infoType, outcome }, 'provider: suite event processed');
        next = { ...stored, status: 'done', attempts: stored.attempts + 1 };
      } catch (error) {
        const attempts = stored.attempts + 1;
        next = { ...stored, status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending', attempts };
        logger.error(
          { err: error, infoType: event.infoType, attempts, status: next.status },
          'provider: suite event failed; run again at the next start unless its attempts are used up',
        );
      }
      await storeCall(() => keyv.set(key, next, SUITE_EVENT_TTL_MS));
    });
  }

  function schedule(key: string): Promise<void> {
    const done = run(key).catch((error: unknown) =>
      logger.error({ err: error }, 'provider: could not run the suite event'),
    );
    running.add(done);
    void done.finally(() => running.delete(done));
    return done;
  }

  async function accept(event: SuiteEvent): Promise<void> {
    // Several suites may share one URL (overtrue/wechat #1307): another suite's message is not ours to keep.
    if (event.suiteId !== suiteId) {
      logger.warn(
        { infoType: event.infoType },
        'provider: message for another SuiteId; acknowledged and ignored',
      );
      return;
    }
    if (event.infoType === 'change_external_contact') {
      // Routed by AuthCorpId: only a corp that installed the app, and still authorizes it, is heard.
      const tenant = await tenants.get(event.authCorpId);
      if (tenant?.status !== 'active' || !options.contacts) {
        logger.warn(
          { authCorpId: event.authCorpId, tenant: tenant?.status ?? 'unknown' },
          'provider: customer event of a corp not served here; acknowledged and ignored',
        );
        return;
      }
      await options.contacts(event.contact);
      return;
    }
    if (event.infoType === 'suite_ticket') {
      const outcome = await tickets.offer(event.ticket, event.timestamp);
      logger.info({ timestamp: event.timestamp, outcome }, 'provider: suite_ticket received');
      return;
    }
    const identity = JSON.stringify([
      event.infoType,
      event.timestamp,
      'authCode' in event ? event.authCode : event.authCorpId,
    ]);
    const key = `${SUITE_EVENT_PREFIX}${createHash('sha256').update(identity).digest('hex')}`;
    const stored: Stored = {
      sealed: sealer.seal(JSON.stringify(event)),
      infoType: event.infoType,
      status: 'pending',
      attempts: 0,
      receivedAtMs: now(),
    };
    if (!(await setIfAbsent(key, stored, SUITE_EVENT_TTL_MS))) {
      logger.info({ infoType: event.infoType }, 'provider: repeated delivery ignored');
      return;
    }
    // After the answer: WeCom must hear `success` within 1 s, whatever the exchange costs.
    setImmediate(() => void schedule(key));
  }

  const handler = createCallbackReceiver<SuiteEvent>({
    crypto,
    echoCrypto,
    parse: parseSuiteMessage,
    accept,
    logger,
    path: SUITE_PATH,
  });

  return {
    path: SUITE_PATH,
    handler,
    async processPending() {
      const keys = await storeCall(() => scanKeys(keyv, SUITE_EVENT_PREFIX));
      let count = 0;
      for (const key of keys) {
        const parsed = storedSchema.safeParse(await storeCall(() => keyv.get(key)));
        if (!parsed.success || parsed.data.status !== 'pending') continue;
        count++;
        await schedule(key);
      }
      return count;
    },
    async idle() {
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
