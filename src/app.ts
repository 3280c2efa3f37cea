import type Keyv from 'keyv';
import { currentCorp, inCorp } from './base/corp-scope.js';
import type { Logger } from './base/logger.js';
import { createSecrets, type Secrets } from './base/secrets.js';
import { callbackKeysOf } from './callback-keys.js';
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
import { startEmbeddedSandbox } from './embedded-sandbox.js';
import { startHousekeeping } from './housekeeping.js';
import { createImageMedia } from './media/index.js';
import { createMetrics, createOps, type MetricsOptions, type Ops } from './ops/index.js';
import { corpRecords } from './provider/corp-records.js';
import { type Provider, providerFromEnv } from './provider/index.js';
import { providerMembers } from './provider/members.js';
import { perCorp } from './provider/per-corp.js';
import { scopeByWorkspace } from './provider/scope-by-workspace.js';
import { tellThrough } from './provider/tell.js';
import { workspaceAdmins } from './provider/workspace-admins.js';
import type { Sandbox } from './sandbox/index.js';
import { type ContactWayService, createContactWayService } from './service/contact-way-service.js';
import { createCreationLimiter } from './service/creation-limit.js';
import { createIdempotency } from './service/idempotency.js';
import { createLinkChecker } from './service/link-check.js';
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
  // One lock across instances (Redis key, PostgreSQL advisory lock; in sqlite's process): tokens, submissions.
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
      // Stored, then run in the event's corp (AuthCorpId) by the pipeline: see `inCorp` below.
      contacts: (event) => contactSink?.(event) ?? Promise.reject(new Error('not started')),
      installBase: sandbox?.url,
      publicUrl: config.PUBLIC_URL,
      // WECOM_AUTH_TYPE; else 测试授权 on the sandbox, and a real suite installs as released (正式授权).
      authType: config.WECOM_AUTH_TYPE ? (Number(config.WECOM_AUTH_TYPE) as 0 | 1) : sandbox ? 1 : 0,
      tell: () => tell,
      admins: workspaceAdmins(config.policy.admins),
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
  const wecomOptions: WecomClientOptions = { ...client, tokens, cache: keyv, lock, logger, secrets };
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
  const stored = createRecordStore(keyv, { logger });
  const records = provider ? corpRecords(stored, provider.soleCorp) : stored; // a request: its corp's only
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
  // A provider mode: a directory per installed corp (its token), typed members turned into its open ids.
  const directoryApi = corpTokens
    ? perCorp(corpTokens, (t) => createDirectoryApi({ ...wecomOptions, tokens: t }))
    : createDirectoryApi(wecomOptions);
  const members = provider && providerMembers({ api: directoryApi, store: keyv, logger, provider });
  const built = createContactWayService({
    wecom,
    records,
    audit,
    logger,
    policy: (members?.policy ?? ((p) => p))(createPolicy(config.policy, options.accessRules, links.lookup)),
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
    checkLinks: createLinkChecker({ mode: config.LINK_CHECK ?? (sandbox ? 'off' : 'public') }),
    idempotency,
    pending,
    stateIndex,
    customers,
    customerClient,
    provider: provider?.installs,
    images,
    ...(provider ? { corp: currentCorp } : {}),
  });
  const scoped = members?.service(built) ?? built;
  const service = provider ? scopeByWorkspace(scoped, provider.installs, provider.soleCorp) : built;
  await keepPresetCovers(config.miniprograms, images);
  // Before any event is attributed: states of ways made before they were unique (a no-op once done).
  await migrateLegacyStates(keyv, stateIndex, records, logger).catch((error: unknown) =>
    logger.error({ err: error }, 'state index: earlier contact ways not moved; retried at the next start'),
  );
  const callbackKeys = callbackKeysOf(config, provider, providerSettings, sandbox !== undefined, logger);
  if (callbackKeys) secrets.add(callbackKeys.token, callbackKeys.encodingAesKey);
  const created = callbackKeys
    ? createCallbacks({
        ...callbackKeys,
        corpId: !provider
          ? corpId
          : provider.settings.mode === 'third-party'
            ? provider.settings.suiteId
            : provider.settings.providerCorpId,
        // 代开发: /wecom/callback serves every installed corp, each event encrypted for its own corp id.
        ...(provider?.settings.mode === 'customized'
          ? {
              servedCorps: async (id: string) => (await provider.tenants.get(id))?.status === 'active',
            }
          : {}),
        // A provider mode: each event runs with its corp's token (the welcome message, the customer's name).
        ...(provider ? { inCorp } : {}),
        keyv,
        records,
        states: stateIndex,
        customers,
        wecom: customerClient,
        images,
        lock,
        logger,
        retryEveryMs: config.CALLBACK_RETRY_MS,
        // A provider app's event names the member by open id; the corp's directory (its scope) has the name.
        notify: async (requester, event) => {
          const notification = members ? await members.named(event) : event;
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
  // The callback's door: nonces in the shared store (a replay is caught anywhere), refusals in /metrics.
  contactSink = created?.accept;
  // Served on PORT in self-built and 代开发 modes; a third-party app's events come through /wecom/suite.
  const callbacks =
    created && provider?.settings.mode !== 'third-party'
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
    ...(provider ? { corps: provider.activeCorps } : {}),
    logger,
    journalRetryMs: config.JOURNAL_RETRY_MS,
    storeSweepMs: config.storeSweepMs,
    chores: housekeeping,
  });
  const shape = { api: directoryApi, store: keyv, refreshMs: config.directoryRefreshMs, logger };
  directory = (members?.directory ?? createMemberDirectory)({ ...shape, scope: service.memberScope });
  // The first fill starts now and is never awaited: requests read whatever is in memory (possibly nothing).
  void directory.start();
  const ops = createOps({
    metrics,
    keyv,
    // A provider instance is ready with its store: tickets arrive only once traffic reaches it, corps later.
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
