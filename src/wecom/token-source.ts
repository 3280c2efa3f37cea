import { createHash } from 'node:crypto';
import { ConfigError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import { parseResponse } from './failures.js';
import { tokenEnvelopeSchema, tokenResponseSchema } from './schemas.js';
import type { WecomBody, WireRequest } from './transport.js';

/**
 * What a token source may use to talk to WeCom: one call that needs no access token (gettoken,
 * get_suite_token, get_corp_token…). It resolves with the body when errcode is 0 and otherwise throws
 * WecomError, RateLimitError or UpstreamError; timeouts, redaction and the bounded retry of transient
 * failures (-1, 6000, HTTP 5xx) are already applied. List credentials in `secrets` so they are scrubbed.
 */
export interface TokenHttp {
  call(request: WireRequest): Promise<WecomBody>;
}

/** A freshly issued access token and its lifetime as WeCom stated it. */
export interface IssuedToken {
  accessToken: string;
  expiresInS: number;
}

/**
 * How an access token is obtained. Self-built apps use `corpSecretTokenSource`; third-party and 代开发 apps
 * (suite_access_token + permanent code → get_corp_token) add another implementation, and nothing that uses
 * the client changes.
 */
export interface TokenSource {
  /**
   * Key of the token in the shared cache: unique per app credential (tokens work only for the app whose
   * secret produced them, §2), and never containing the credential itself.
   */
  readonly cacheKey: string;
  fetchToken(http: TokenHttp): Promise<IssuedToken>;
}

/** A short, non-reversible fingerprint of a secret, so two secrets of one corp get two cache keys. */
export function secretFingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

/** Tokens of a self-built app: `GET /cgi-bin/gettoken?corpid=…&corpsecret=…` (reference §2). */
export function corpSecretTokenSource(args: { corpId: string; corpSecret: string }): TokenSource {
  const { corpId, corpSecret } = args;
  if (!corpId) throw new ConfigError(t('WECOM_CORP_ID is required.', '缺少 WECOM_CORP_ID。'));
  if (!corpSecret) throw new ConfigError(t('WECOM_CORP_SECRET is required.', '缺少 WECOM_CORP_SECRET。'));
  // The secret lives only in this closure: the returned object can be logged or stringified safely.
  return {
    cacheKey: `wecom:token:${corpId}:${secretFingerprint(corpSecret)}`,
    async fetchToken(http) {
      const body = await http.call({
        endpoint: 'gettoken',
        method: 'GET',
        path: '/cgi-bin/gettoken',
        query: { corpid: corpId, corpsecret: corpSecret },
        secrets: [corpSecret],
        envelope: tokenEnvelopeSchema,
      });
      const parsed = parseResponse(tokenResponseSchema, body, 'gettoken');
      return { accessToken: parsed.access_token, expiresInS: parsed.expires_in };
    },
  };
}
