import type Keyv from 'keyv';
import type { Logger } from './base/logger.js';
import { createSecrets, type Secrets } from './base/secrets.js';
import { storeNonces } from './callbacks/freshness.js';
import { type Callbacks, createCallbacks, createCustomerStore, createStateIndex } from './callbacks/index.js';
import { migrateLegacyStates } from './callbacks/legacy-states.js';
import { notificationReply } from './callbacks/notification.js';
import { createInteractionFlow, type FlowOptions } from './chat/flow.js';
import { createNotifications, type Notifications } from './chat/notifications.js';
import type { ChatPort } from './chat/port.js';
import { createStateStore } from './chat/state-store.js';
import { type Config, configSecrets } from './config.js';
import { createMemberDirectory, type MemberDirectory } from './directory/index.js';
import { callbackSecrets, startEmbeddedSandbox } from './embedded-sandbox.js';
import { startHousekeeping } from './housekeeping.js';
import { createImageMedia } from './media/index.js';
import { createMetrics, createOps, type MetricsOptions, type Ops } from './ops/index.js';
import { type Provider, providerFromEnv } from './provider/index.js';
import { inCorp, perCorp, scopeByWorkspace } from './provider/per-corp.js';
import { tellThrough } from './provider/tell.js';
import type { Sandbox } from './sandbox/index.js';
import { type ContactWayService, createContactWayService } from './service/contact-way-service.js';
import { createCreationLimiter } from './service/creation-limit.js';
import { createIdempotency } from './service/idempotency.js';
import { keepPresetCovers } from './service/miniprograms.js';
import { createPendingRecords } from './service/pending-records.js';
import { type AccessRule, createPolicy } from './service/policy.js';
import {
  closeKeyv,
  createAuditLog,
  createLinkStore,
  createRecordStore,
  createStoreLock,
  openKeyv,
} from './store/index.js';
import { createCustomerClient } from './wecom/customers.js';
import { createDirectoryApi } from './wecom/directory-api.js';
import {
  corpSecretTokenSource,
  createCallLimiter,
  createMediaClient,
  createWecomClient,
  type WecomClient,
  type WecomClientOptions,
} from './wecom/index.js';
import { realSleep } from './wecom/retry.js';

/**
 * How often each instance re-reads the stored links (`link`): a link made on another instance applies here
 * within this interval; one made here applies at once.
 */
const LINKS_REFRESH_MS = 30_000;

/** The platform-neutral core, wired: what every adapter is given. */
export interface Core {
  config: Config;
  logger: Logger;
  keyv: Keyv;
  wecom: WecomClient;
  service: ContactWayService;
  /** WeCom's members for pickers and pre-flight, from memory; refreshed in the background. */
  directory: MemberDirectory;
  /** Every credential this process holds (configured, made up for the sandbox, fetched): never shown. */
  secrets: Secrets;
  /** Present when the bot runs on the embedded sandbox (no WeCom credentials). */
  sandbox: Sandbox | undefined;
  /** Metrics, readiness, in-flight requests and the ops endpoints' handler. */
  ops: Ops;
  /** How the core reaches requesters outside a request; adapters register their notifier here. */
  notifications: Notifications;
  /** The narrow port a chat adapter gets (see src/chat/port.ts); options are the platform's limits. */
  chatPort(options: FlowOptions): ChatPort;
  /**
   * WeCom's event callbacks, when configured (WECOM_CALLBACK_TOKEN/AES_KEY, or always on the sandbox): mount
   * `callbacks.handler` on the server that answers PORT.
   */
  callbacks: Callbacks | undefined;
  /**
   * The provider modes' command callback (`/wecom/suite`: suite_ticket and the install events) and what
   * it feeds; undefined in self-built mode. Mount `provider.callback.handler` on PORT, like `callbacks`.
   */
  provider: Provider | undefined;
  close(): Promise<void>;
}

/**
 * Opens the store, starts the sandbox when there are no WeCom credentials, and builds the client and the
 * service. Nothing here knows about Slack, Discord or the terminal.
 */
export interface CoreOptions {
  /** Each running platform's rule of who may use the bot (built by its adapter from its settings). */
  accessRules?: readonly AccessRule[];
  /**
   * The registry the logger scrubs lines with (src/main.ts adds each adapter's credentials to it); the core
   * adds its own: configured, made up for the sandbox, and each access token as it is obtained.
   */
  secrets?: Secrets;
  /**
   * Runs the store's housekeeping: the audit prune, the sweep of expired keys, and the retries of pending
   * WeCom events. Default true; of several workers behind one PORT only one does (src/cluster): all of it is
   * safe on every instance, but N times the same scans for nothing.
   */
  housekeeping?: boolean;
  /** How /metrics is rendered when it must show more than this process (see createMetrics). */
  metrics?: MetricsOptions;
}

export async function startCore(config: Config, logger: Logger, options: CoreOptions = {}): Promise<Core> {
  const secrets = options.secrets ?? createSecrets();
  secrets.add(...configSecrets(config));
  const keyv = await openKeyv(config.STORE_URL, { logger, namespace: config.STORE_NAMESPACE });
  // One lock across instances (Redis key, PostgreSQL advisory lock; in-process on sqlite) for the token refresh
  // and for idempotent submissions.
  const lock = createStoreLock(keyv, { logger });
  const { sandbox, providerSettings } = await startEmbeddedSandbox(config, logger, secrets);
  const metrics = createMetrics(options.metrics);
  const corpId = sandbox ? sandbox.corpId : (config.WECOM_CORP_ID ?? '');
  const client = {
    baseUrl: sandbox?.url ?? config.WECOM_API_BASE,
    timeoutMs: config.WECOM_TIMEOUT_MS,
    onCall: metrics.wecomCall,
    // One limiter for the contact-way client and the directory reads: WeCom's throttling holds both.
    limiter: createCallLimiter({
      maxCallsPerMinute: config.WECOM_MAX_CALLS_PER_MINUTE,
      now: Date.now,
      sleep: realSleep,
    }),
  };
  // A third-party app's customer events reach /wecom/suite; they join the callback pipeline built below.
  let contactSink: Callbacks['accept'] | undefined;
  const provider = providerFromEnv(
    config,
    {
      keyv,
      lock,
      logger,
      secrets,
      client,
      // A corp's customer event is handled with that corp's token (the welcome message).
      contacts: (event) => {
        const sink = contactSink;
        if (!sink) return Promise.reject(new Error('not started'));
        return event.corpId ? inCorp(event.corpId, () => sink(event)) : sink(event);
      },
      installBase: sandbox?.url,
      publicUrl: config.PUBLIC_URL,
      // 测试授权 on the sandbox; a real suite installs as released (正式授权).
      authType: sandbox ? 1 : 0,
      tell: () => tell,
    },
    providerSettings,
  );
  // Self-built: the app's own secret, exactly as before. A provider mode: the installed corp's token.
  const tokens =
    provider?.soleCorpTokens ??
    corpSecretTokenSource(
      sandbox
        ? { corpId: sandbox.corpId, corpSecret: sandbox.corpSecret }
        : { corpId, corpSecret: config.WECOM_CORP_SECRET ?? '' },
    );
  const wecomOptions: WecomClientOptions = {
    ...client,
    tokens,
    cache: keyv,
    lock,
    logger,
    secrets,
  };
  // A provider mode: each call uses the token of the corp its request's workspace is bound to (per-corp.ts).
  const corpTokens = provider && { sole: provider.soleCorpTokens, of: provider.tokenSource };
  const wecom = corpTokens
    ? perCorp(corpTokens, (t) => createWecomClient({ ...wecomOptions, tokens: t }))
    : createWecomClient(wecomOptions);
  const media = corpTokens
    ? perCorp(corpTokens, (t) => createMediaClient({ ...wecomOptions, tokens: t }))
    : createMediaClient(wecomOptions);
  // Closing and welcome images: bytes kept in the shared store, media_ids uploaded with the corp's token.
  const images = createImageMedia({ store: keyv, upload: (file) => media.uploadImage(file), logger });
  const records = createRecordStore(keyv, { logger });
  // Submissions create once and replayed deliveries run once, on every instance sharing the store.
  const idempotency = createIdempotency(keyv, lock);
  const stateIndex = createStateIndex(keyv);
  const pending = createPendingRecords({ path: config.JOURNAL_PATH, logger });
  const audit = createAuditLog(keyv, { ttlMs: config.auditRetentionMs, logger });
  // Customers who came through our ways: the callbacks write them; show, close and sync read them.
  const customers = createCustomerStore(keyv, { logger });
  const customersOf = (t: typeof tokens) =>
    createCustomerClient({
      baseUrl: sandbox?.url ?? config.WECOM_API_BASE,
      tokens: t,
      cache: keyv,
      timeoutMs: config.WECOM_TIMEOUT_MS,
      onCall: metrics.wecomCall,
      limiter: wecomOptions.limiter,
      lock,
      logger,
      secrets,
    });
  const customerClient = corpTokens ? perCorp(corpTokens, customersOf) : customersOf(tokens);
  // Adapters register how they reach a requester; callbacks and link requests tell people through it.
  const notifications = createNotifications(logger);
  const tell = tellThrough(notifications.notify, config.DEFAULT_TIMEZONE);
  const links = createLinkStore(keyv, { refreshMs: LINKS_REFRESH_MS, logger });
  await links
    .load()
    .catch((error: unknown) => logger.error({ err: error }, 'links: not loaded; retried in the background'));
  // Set below: the directory asks the service for each requester's scope, the service asks it about members.
  let directory: MemberDirectory | undefined;
  const built = createContactWayService({
    wecom,
    records,
    audit,
    logger,
    policy: createPolicy(config.policy, options.accessRules, links.lookup),
    links,
    // Link requests and answers: in the recipient's platform language when it tells one, else DEFAULT_LOCALE.
    notify: (requester, build) =>
      notifications.notify(requester, (viewer) => build(viewer.locale), {
        locale: config.DEFAULT_LOCALE,
        timeZone: config.DEFAULT_TIMEZONE,
      }),
    directory: () => directory,
    creationLimiter: createCreationLimiter(keyv, config.creationLimit),
    miniprograms: config.miniprograms,
    idempotency,
    pending,
    stateIndex,
    customers,
    customerClient,
    provider: provider?.installs,
    images,
  });
  const service = provider ? scopeByWorkspace(built, provider.installs) : built;
  // MINIPROGRAMS covers given as files: kept (and first uploaded) before any card is sent with them.
  await keepPresetCovers(config.miniprograms, images, logger);
  // Before any event is attributed: states of ways made before they were unique (a no-op once done).
  await migrateLegacyStates(keyv, stateIndex, records, logger).catch((error: unknown) =>
    logger.error({ err: error }, 'state index: earlier contact ways not moved; retried at the next start'),
  );
  if (provider && config.WECOM_CALLBACK_TOKEN) {
    logger.warn(
      'WECOM_CALLBACK_TOKEN is set with a provider mode: /wecom/callback (the corps’ data callbacks) is not served in provider modes yet',
    );
  }
  // Third-party: the pipeline runs behind /wecom/suite (its own receiver, built with the suite's pair, is never
  // mounted); 代开发's customer events go to the app's own URL, not served yet.
  const callbackKeys = provider
    ? config.WECOM_MODE === 'third-party'
      ? {
          token: providerSettings?.suiteToken ?? config.WECOM_SUITE_TOKEN ?? '',
          encodingAesKey: providerSettings?.suiteAesKey ?? config.WECOM_SUITE_AES_KEY ?? '',
        }
      : undefined
    : callbackSecrets(config, sandbox !== undefined && !providerSettings);
  if (callbackKeys) secrets.add(callbackKeys.token, callbackKeys.encodingAesKey);
  const created = callbackKeys
    ? createCallbacks({
        ...callbackKeys,
        corpId: provider ? provider.settings.suiteId : corpId,
        keyv,
        records,
        states: stateIndex,
        customers,
        wecom: customerClient,
        images,
        lock,
        logger,
        retryEveryMs: config.CALLBACK_RETRY_MS,
        notify: async (requester, notification) => {
          const remembered = {
            locale: notification.recipient.locale ?? config.DEFAULT_LOCALE,
            timeZone: notification.recipient.timeZone ?? config.DEFAULT_TIMEZONE,
          };
          await notifications.notify(
            requester,
            (viewer) => notificationReply(notification, viewer),
            remembered,
          );
        },
      })
    : undefined;
  // The callback's door gets what only the core holds: nonces in the shared store (a replay is caught on
  // whichever instance it reaches) and the refusal counter of /metrics.
  contactSink = created?.accept;
  const callbacks =
    created && !provider
      ? {
          ...created,
          handler: created.handler.withDoor({ nonces: storeNonces(keyv), refused: metrics.callbackRefused }),
        }
      : undefined;
  const suiteHandler = provider?.callback.handler.withDoor({
    nonces: storeNonces(keyv),
    refused: metrics.callbackRefused,
  });
  const providerWired = provider &&
    suiteHandler && { ...provider, callback: { ...provider.callback, handler: suiteHandler } };
  const housekeeping = options.housekeeping ?? true;
  if (!housekeeping) created?.stopRetries();
  // Events a crash left stored but unprocessed; in the background, so a slow WeCom does not delay the start.
  if (housekeeping) {
    void provider?.callback
      .processPending()
      .catch((error: unknown) =>
        logger.error({ err: error }, 'provider: pending suite events not processed'),
      );
    void created
      ?.processPending()
      .catch((error: unknown) => logger.error({ err: error }, 'callback: pending events not processed'));
  }
  // Records kept while the store was down are written back at start and then periodically.
  const chores = await startHousekeeping({
    keyv,
    records,
    pending,
    audit,
    images,
    logger,
    journalRetryMs: config.JOURNAL_RETRY_MS,
    storeSweepMs: config.storeSweepMs,
    chores: housekeeping,
  });
  directory = createMemberDirectory({
    api: createDirectoryApi(wecomOptions),
    store: keyv,
    refreshMs: config.directoryRefreshMs,
    scope: service.memberScope,
    logger,
  });
  // The first fill starts now and is never awaited: requests read whatever is in memory (possibly nothing).
  void directory.start();
  const ops = createOps({
    metrics,
    keyv,
    // A provider instance must be reachable before it can get any token: WeCom's ticket push arrives only
    // once traffic is routed to it, and corps install later. Its readiness is the store's.
    wecom: provider ? { accessToken: () => Promise.resolve('') } : wecom,
    logger,
    metricsToken: config.METRICS_TOKEN,
  });
  const state = createStateStore(keyv, { logger });
  return {
    config,
    logger,
    secrets,
    keyv,
    wecom,
    service,
    directory: directory,
    sandbox,
    ops,
    notifications,
    callbacks,
    provider: providerWired,
    chatPort: (options) => {
      const flow = createInteractionFlow(
        {
          service,
          directory,
          state,
          replays: idempotency,
          requests: ops.requests,
          logger,
          sandbox: sandbox !== undefined,
          timeZone: config.DEFAULT_TIMEZONE,
          observer: ops.commands,
        },
        options,
      );
      return {
        flow,
        requests: ops.requests,
        logger,
        state,
        defaultLocale: config.DEFAULT_LOCALE,
        // A notification's buttons are bound by this adapter's flow: its token limit, its way of confirming.
        registerNotifier: (platform, notifier) => notifications.register(platform, flow.notifier(notifier)),
        ...(sandbox
          ? {
              simulateScan: async (configId: string) => {
                const scan = await sandbox.scan(configId);
                return { name: scan.name, externalUserId: scan.externalUserId, delivered: !!scan.delivered };
              },
            }
          : {}),
      };
    },
    async close() {
      directory?.close();
      links.close();
      created?.stopRetries();
      await chores.stop();
      await created?.idle();
      await provider?.callback.idle();
      await chores.flushPending();
      await sandbox?.close();
      await closeKeyv(keyv);
    },
  };
}
