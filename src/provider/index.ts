import type { Keyv } from 'keyv';
import type { Logger } from '../base/logger.js';
import { createSealer } from '../base/seal.js';
import type { Secrets } from '../base/secrets.js';
import { storeCall } from '../base/store-call.js';
import type { ContactEvent } from '../callbacks/event.js';
import type { StoreLock } from '../lock/lock.js';
import type { WecomCaller, WecomClientOptions } from '../wecom/caller.js';
import {
  type CorpTokenSources,
  corpTokenKey,
  corpTokenSources,
  notInstalled,
  severalCorps,
} from '../wecom/corp-token-sources.js';
import { createSuiteCaller } from '../wecom/suite-tokens.js';
import type { TokenSource } from '../wecom/token-source.js';
import { createInstaller, type Installer } from './install.js';
import { createSuiteCallback, type SuiteCallback } from './suite-callback.js';
import { createTenantStore, type TenantStore } from './tenant-store.js';
import { createSuiteTicketStore, type SuiteTicketStore } from './ticket-store.js';

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
  /** Drops a corp's cached token in the shared store (a new permanent code, a cancel). */
  dropCorpToken(authCorpId: string): Promise<void>;
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
  now?: () => number;
}

export function createProvider(options: ProviderOptions): Provider {
  const { settings, keyv, lock, secrets } = options;
  const logger = options.logger.child({ component: 'provider' });
  const now = options.now ?? Date.now;
  const sealer = createSealer(settings.encryptionKey);
  const { suiteId, mode } = settings;
  const tickets = createSuiteTicketStore({ keyv, suiteId, lock, sealer, now });
  const tenants = createTenantStore({
    keyv,
    mode,
    sealer,
    logger,
    now,
    remember: (code) => secrets.remember(code),
  });
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
  const soleCorpTokens: TokenSource = {
    cacheKey: soleKey,
    async fetchToken(http) {
      const active = (await tenants.list()).filter((tenant) => tenant.status === 'active');
      const [only] = active;
      if (!only) throw notInstalled();
      if (active.length > 1) {
        throw severalCorps();
      }
      return tokenSource(only.authCorpId).fetchToken(http);
    },
  };
  const installer = createInstaller({ suite, tenants, keyv, logger, dropCorpToken });
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
    dropCorpToken,
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
  STORE_ENCRYPTION_KEY?: string | undefined;
}

/**
 * The provider of a provider mode with its settings; undefined in self-built mode, and in a provider mode
 * without them (the embedded sandbox then plays WeCom: a warning says so).
 */
export function providerFromEnv(
  env: ProviderEnv,
  deps: Omit<ProviderOptions, 'settings'>,
): Provider | undefined {
  if (env.WECOM_MODE === 'self-built') return undefined;
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
      encryptionKey: env.STORE_ENCRYPTION_KEY,
    },
  });
}
