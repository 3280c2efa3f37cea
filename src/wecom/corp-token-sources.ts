import { ProviderError, WecomError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import type { WecomCaller } from './caller.js';
import { TENANT_LOST_ERRCODES } from './errcodes.js';
import { tokenEnvelope, tokenResponseSchema } from './schemas.js';
import { corpSecretTokenSource, type TokenSource } from './token-source.js';

/** What a per-corp token source needs of an installed corp (a tenant). */
export interface TenantCredentials {
  authCorpId: string;
  /** A secret: never logged, never in a key (its fingerprint only). */
  permanentCode: string;
}

/** Where installed corps are kept (src/provider's tenant store, or a test's fake). */
export interface TenantSource {
  /** The corp's credentials; throws ProviderError (`provider.not_installed`, `provider.tenant_lost`). */
  credentials(authCorpId: string): Promise<TenantCredentials>;
  /** WeCom refused the corp's permanent code for good (40084…): stop calling for it, on every instance. */
  lost(authCorpId: string, errcode: number): Promise<void>;
}

export function tenantLost(authCorpId: string, cause?: unknown): ProviderError {
  return new ProviderError(
    'provider.tenant_lost',
    t(
      `The corp ${authCorpId} no longer authorizes this app (cancelled, or WeCom refuses its permanent code). Its admin must install the app again.`,
      `企业 ${authCorpId} 已不再授权本应用（已取消授权，或企业微信拒绝其永久授权码）。需由其管理员重新安装应用。`,
    ),
    cause === undefined ? undefined : { cause },
  );
}

export function notInstalled(authCorpId?: string): ProviderError {
  const which = authCorpId ? ` ${authCorpId}` : '';
  return new ProviderError(
    'provider.not_installed',
    t(
      `No corp${which} has installed this app yet: a corp admin installs it first.`,
      `尚无企业${which}安装本应用：请先由企业管理员安装。`,
    ),
  );
}

/** The bot's single client cannot choose among several installed corps until workspaces are bound to them. */
export function severalCorps(): ProviderError {
  return new ProviderError(
    'provider.several_corps',
    t(
      'Several corps have installed this app; this bot serves one until workspaces are bound to corps.',
      '已有多个企业安装本应用；在将工作区绑定到企业之前，机器人只服务一个企业。',
    ),
  );
}

const part = encodeURIComponent;

/**
 * The cache key of one installed corp's access token. Never the permanent code (EasyWeChat and TNWX put it
 * in their keys): a reset or a re-install drops the cached token instead (`src/provider`).
 */
export function corpTokenKey(suiteId: string, authCorpId: string): string {
  return `wecom:token:corp:${part(suiteId)}:${part(authCorpId)}`;
}

/** Turns "WeCom refuses this corp's code" into the tenant's lost state; other failures pass through. */
async function lostOn<T>(tenants: TenantSource, authCorpId: string, fetch: () => Promise<T>): Promise<T> {
  try {
    return await fetch();
  } catch (error) {
    if (error instanceof WecomError && TENANT_LOST_ERRCODES.has(error.errcode)) {
      await tenants.lost(authCorpId, error.errcode);
      throw tenantLost(authCorpId, error);
    }
    throw error;
  }
}

/**
 * A third-party app's token for one installed corp: `POST service/get_corp_token` with the suite token and
 * `{auth_corpid, permanent_code}` (doc §1.7), through the suite caller (a 42009 refreshes the suite token once).
 */
export function thirdPartyCorpTokenSource(args: {
  suiteId: string;
  authCorpId: string;
  suite: Pick<WecomCaller, 'call'>;
  tenants: TenantSource;
}): TokenSource {
  const { suiteId, authCorpId, suite, tenants } = args;
  return {
    cacheKey: corpTokenKey(suiteId, authCorpId),
    async fetchToken() {
      const { permanentCode } = await tenants.credentials(authCorpId);
      const answer = await lostOn(tenants, authCorpId, () =>
        suite.call(
          'get_corp_token',
          (suiteToken) => ({
            endpoint: 'get_corp_token',
            method: 'POST',
            path: '/cgi-bin/service/get_corp_token',
            query: { suite_access_token: suiteToken },
            body: { auth_corpid: authCorpId, permanent_code: permanentCode },
            secrets: [suiteToken, permanentCode],
            envelope: tokenEnvelope('access_token'),
          }),
          tokenResponseSchema,
        ),
      );
      return { accessToken: answer.access_token, expiresInS: answer.expires_in };
    },
  };
}

/**
 * A 代开发 app's token for one installed corp: plain `gettoken` with the corp id and the permanent code as the
 * secret (doc §2; get_corp_token would answer 40084). Business calls need no suite_ticket.
 */
export function customizedCorpTokenSource(args: {
  suiteId: string;
  authCorpId: string;
  tenants: TenantSource;
}): TokenSource {
  const { suiteId, authCorpId, tenants } = args;
  return {
    cacheKey: corpTokenKey(suiteId, authCorpId),
    async fetchToken(http) {
      const { permanentCode } = await tenants.credentials(authCorpId);
      return lostOn(tenants, authCorpId, () =>
        corpSecretTokenSource({ corpId: authCorpId, corpSecret: permanentCode }).fetchToken(http),
      );
    },
  };
}

/** How a provider mode gets a corp's token source; self-built keeps `corpSecretTokenSource` from the env. */
export type CorpTokenSources = (authCorpId: string) => TokenSource;

export function corpTokenSources(args: {
  mode: 'customized' | 'third-party';
  suiteId: string;
  suite: Pick<WecomCaller, 'call'>;
  tenants: TenantSource;
}): CorpTokenSources {
  const { mode, suiteId, suite, tenants } = args;
  return (authCorpId) =>
    mode === 'third-party'
      ? thirdPartyCorpTokenSource({ suiteId, authCorpId, suite, tenants })
      : customizedCorpTokenSource({ suiteId, authCorpId, tenants });
}
