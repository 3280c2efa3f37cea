import type { Keyv } from 'keyv';
import type { Logger } from '../base/logger.js';
import { createSealer } from '../base/seal.js';
import type { Secrets } from '../base/secrets.js';
import { storeCall } from '../base/store-call.js';
import type { ContactEvent } from '../callbacks/event.js';
import type { StoreLock } from '../lock/lock.js';
import type { Requester } from '../store/record-schema.js';
import type { WecomCaller, WecomClientOptions } from '../wecom/caller.js';
import {
  type CorpTokenSources,
  corpTokenKey,
  corpTokenSources,
  notInstalled,
  severalCorps,
  tenantLost,
} from '../wecom/corp-token-sources.js';
import { createProviderCaller } from '../wecom/provider-tokens.js';
import { createSuiteCaller } from '../wecom/suite-tokens.js';
import type { TokenSource } from '../wecom/token-source.js';
import { createInstaller, type Installer } from './install.js';
import { createInstalls, type Installs, type Tell, WECOM_INSTALL_BASE } from './installs.js';
import { createSuiteCallback, type SuiteCallback } from './suite-callback.js';
import { createTenantStore, type TenantStore } from './tenant-store.js';
import { createSuiteTicketStore, type SuiteTicketStore } from './ticket-store.js';

export { INSTALL_PATH, type Installs, type Tell } from './installs.js';
export { SUITE_PATH, type SuiteCallback } from './suite-callback.js';
export { parseSuiteMessage, type SuiteEvent, suiteEventXml } from './suite-events.js';
export { SUITE_TICKET_LIFE_MS } from './ticket-store.js';

/** A provider mode's settings (src/config.ts checks they come together). */
export interface ProviderSettings {
  mode: 'customized' | 'third-party';
  suiteId: string;
  suiteSecret: string;
  suiteToken: string;
  suiteAesKey: string;
  providerCorpId: string;
  /** WECOM_PROVIDER_SECRET: the provider token, for a 代开发 install QR from chat (get_customized_auth_url). */
  providerSecret?: string | undefined;
  /** STORE_ENCRYPTION_KEY: permanent codes, tickets and auth codes sealed at rest when set. */
  encryptionKey?: string | undefined;
}

/** contactway as a provider's app: the ticket, the suite token, the installed corps and their tokens. */
export interface Provider {
  readonly settings: Omit<ProviderSettings, 'suiteSecret' | 'suiteToken' | 'suiteAesKey' | 'encryptionKey'>;
  tickets: SuiteTicketStore;
  tenants: TenantStore;
  /** Calls with the suite_access_token (get_corp_token, get_permanent_code…). */
  suite: WecomCaller;
  installer: Installer;
  /** `/wecom/suite`, to mount on PORT. */
  callback: SuiteCallback;
  /** The token source of one installed corp, for a WeCom client of that corp. */
  tokenSource: CorpTokenSources;
  /**
   * The token source of the one corp installed, for the bot's single WeCom client until workspaces are bound
   * to corps: no corp installed, or several, is a clear error at the call.
   */
  soleCorpTokens: TokenSource;
  /** The one active installed corp; undefined when none or several are. */
  soleCorp(): Promise<string | undefined>;
  /** The corps installed now (status active): jobs that work per corp (the welcome images' refresh). */
  activeCorps(): Promise<string[]>;
  /** Drops a corp's cached token in the shared store (a new permanent code, a cancel). */
  dropCorpToken(authCorpId: string): Promise<void>;
  /** Installing from chat, the workspace ↔ corp bindings, `/wecom/install` and the status. */
  installs: Installs;
}

export interface ProviderOptions {
  settings: ProviderSettings;
  keyv: Keyv;
  lock: StoreLock;
  logger: Logger;
  secrets: Secrets;
  /** The WeCom client options shared with the corp clients (base URL, timeout, limiter, metrics). */
  client: Omit<WecomClientOptions, 'tokens' | 'cache' | 'lock' | 'logger' | 'secrets'>;
  /** Where a third-party app's customer events go (the callback pipeline); unset, they are ignored. */
  contacts?: (event: ContactEvent) => Promise<void>;
  /** WeCom's install page host; the sandbox's URL on the sandbox. */
  installBase?: string | undefined;
  /** PUBLIC_URL: the install redirect's base (unset on the sandbox: the local server, once it listens). */
  publicUrl?: string | undefined;
  /** set_session_info's auth_type (1 = 测试授权, default). */
  authType?: 0 | 1;
  /** How admins are told in chat (set once the notifiers exist). */
  tell?: () => Tell | undefined;
  /** A workspace's admins (its ADMINS entries): each hears that its corp left. */
  admins?: (platform: string, workspaceId: string) => Requester[];
  now?: () => number;
}

export function createProvider(options: ProviderOptions): Provider {
  const { settings, keyv, lock, secrets } = options;
  const logger = options.logger.child({ component: 'provider' });
  const now = options.now ?? Date.now;
  const sealer = createSealer(settings.encryptionKey);
  const { suiteId, mode } = settings;
  const tickets = createSuiteTicketStore({ keyv, suiteId, lock, sealer, now });
  const stored = createTenantStore({
    keyv,
    mode,
    suiteId,
    sealer,
    logger,
    now,
    remember: (code) => secrets.remember(code),
  });
  let installs: Installs | undefined;
  // A corp WeCom now refuses (40084…) is marked lost once; its bound workspaces' admins hear it then.
  const tenants: TenantStore = {
    ...stored,
    async lost(authCorpId, errcode) {
      const was = (await stored.get(authCorpId))?.status;
      await stored.lost(authCorpId, errcode);
      if (was === 'active') await installs?.lost(authCorpId);
    },
  };
  const suite = createSuiteCaller({
    ...options.client,
    cache: keyv,
    lock,
    logger,
    secrets,
    suiteId,
    suiteSecret: settings.suiteSecret,
    tickets,
  });
  const tokenSource = corpTokenSources({ mode, suiteId, suite, tenants });
  const soleKey = corpTokenKey(suiteId, '');
  async function dropCorpToken(authCorpId: string): Promise<void> {
    await Promise.all(
      [corpTokenKey(suiteId, authCorpId), soleKey].map((key) =>
        storeCall(() => keyv.delete(key)).catch((error: unknown) =>
          logger.warn({ err: error }, 'provider: a cached corp token was not dropped; it expires on its own'),
        ),
      ),
    );
  }
  async function activeCorps(): Promise<string[]> {
    return (await tenants.list()).filter((tenant) => tenant.status === 'active').map((t) => t.authCorpId);
  }
  async function soleCorp(): Promise<string | undefined> {
    const active = await activeCorps();
    return active.length === 1 ? active[0] : undefined;
  }
  const soleCorpTokens: TokenSource = {
    cacheKey: soleKey,
    async fetchToken(http) {
      const all = await tenants.list();
      const active = all.filter((tenant) => tenant.status === 'active');
      const [only] = active;
      // The corp that left is named as lost (install again), not as if none had ever installed.
      const left = all.sort((a, b) => b.updatedAtMs - a.updatedAtMs)[0];
      if (!only) throw left ? tenantLost(left.authCorpId) : notInstalled();
      if (active.length > 1) {
        throw severalCorps();
      }
      return tokenSource(only.authCorpId).fetchToken(http);
    },
  };
  const installer = createInstaller({ suite, tenants, keyv, logger, dropCorpToken });
  const providerCaller = settings.providerSecret
    ? createProviderCaller({
        ...options.client,
        cache: keyv,
        lock,
        logger,
        secrets,
        providerCorpId: settings.providerCorpId,
        providerSecret: settings.providerSecret,
      })
    : undefined;
  installs = createInstalls({
    keyv,
    lock,
    suite,
    provider: providerCaller,
    installer,
    tenants,
    tickets,
    settings: { mode, suiteId },
    installBase: options.installBase ?? WECOM_INSTALL_BASE,
    publicUrl: options.publicUrl,
    authType: options.authType ?? 1,
    tell: options.tell ?? (() => undefined),
    admins: options.admins,
    logger,
    now,
  });
  const callback = createSuiteCallback({
    token: settings.suiteToken,
    encodingAesKey: settings.suiteAesKey,
    suiteId,
    providerCorpId: settings.providerCorpId,
    keyv,
    lock,
    sealer,
    tickets,
    tenants,
    installer,
    installs,
    dropCorpToken,
    contacts: options.contacts,
    logger,
    now,
  });
  return {
    settings: { mode, suiteId, providerCorpId: settings.providerCorpId },
    tickets,
    tenants,
    suite,
    installer,
    callback,
    tokenSource,
    soleCorpTokens,
    soleCorp,
    activeCorps,
    dropCorpToken,
    installs,
  };
}

/** The variables a provider mode reads (src/config.ts validates them together). */
export interface ProviderEnv {
  WECOM_MODE: 'self-built' | 'customized' | 'third-party';
  WECOM_SUITE_ID?: string | undefined;
  WECOM_SUITE_SECRET?: string | undefined;
  WECOM_SUITE_TOKEN?: string | undefined;
  WECOM_SUITE_AES_KEY?: string | undefined;
  WECOM_PROVIDER_CORP_ID?: string | undefined;
  WECOM_PROVIDER_SECRET?: string | undefined;
  STORE_ENCRYPTION_KEY?: string | undefined;
}

/**
 * The provider of a provider mode with its settings; undefined in self-built mode. Without them, `sandboxed`
 * (settings the embedded sandbox's provider platform was started with) stands in; without those too, the bot
 * runs as a self-built app (a warning says so).
 */
export function providerFromEnv(
  env: ProviderEnv,
  deps: Omit<ProviderOptions, 'settings'>,
  sandboxed?: ProviderSettings,
): Provider | undefined {
  if (env.WECOM_MODE === 'self-built') return undefined;
  if (!env.WECOM_SUITE_ID && sandboxed) return createProvider({ ...deps, settings: sandboxed });
  if (!env.WECOM_SUITE_ID) {
    deps.logger.warn(
      { mode: env.WECOM_MODE },
      'WECOM_MODE is a provider mode but WECOM_SUITE_ID is unset: running on the embedded sandbox, as a self-built app',
    );
    return undefined;
  }
  return createProvider({
    ...deps,
    settings: {
      mode: env.WECOM_MODE,
      suiteId: env.WECOM_SUITE_ID,
      suiteSecret: env.WECOM_SUITE_SECRET ?? '',
      suiteToken: env.WECOM_SUITE_TOKEN ?? '',
      suiteAesKey: env.WECOM_SUITE_AES_KEY ?? '',
      providerCorpId: env.WECOM_PROVIDER_CORP_ID ?? '',
      providerSecret: env.WECOM_PROVIDER_SECRET,
      encryptionKey: env.STORE_ENCRYPTION_KEY,
    },
  });
}
