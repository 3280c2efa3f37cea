import { z } from 'zod';
import { createWecomCaller, type WecomCaller, type WecomClientOptions } from './caller.js';
import { parseResponse } from './failures.js';
import { tokenEnvelope } from './schemas.js';
import { secretFingerprint, type TokenSource } from './token-source.js';

const providerTokenResponseSchema = z.looseObject({
  provider_access_token: z.string().min(1).max(512),
  expires_in: z.number().int().positive(),
});

const part = encodeURIComponent;

/**
 * provider_access_token (`POST /cgi-bin/service/get_provider_token`, D-96237): the provider corp's id and its
 * provider secret (服务商管理后台 → 通用开发参数 → ProviderSecret). Cached under the corp and a fingerprint of
 * the secret, like every other token.
 */
export function providerTokenSource(args: { providerCorpId: string; providerSecret: string }): TokenSource {
  const { providerCorpId, providerSecret } = args;
  return {
    cacheKey: `wecom:token:provider:${part(providerCorpId)}:${secretFingerprint(providerSecret)}`,
    async fetchToken(http) {
      const body = await http.call({
        endpoint: 'get_provider_token',
        method: 'POST',
        path: '/cgi-bin/service/get_provider_token',
        body: { corpid: providerCorpId, provider_secret: providerSecret },
        secrets: [providerSecret],
        envelope: tokenEnvelope('provider_access_token'),
      });
      const parsed = parseResponse(providerTokenResponseSchema, body, 'get_provider_token');
      return { accessToken: parsed.provider_access_token, expiresInS: parsed.expires_in };
    },
  };
}

/**
 * Calls with the provider_access_token (get_customized_auth_url…): single-flight and shared like the others; a
 * refused token (40014, 42001) is fetched again and the call retried once. Nothing here is repeated after an
 * HTTP 5xx: an authorization URL is cheap to ask for again by hand.
 */
export function createProviderCaller(
  options: Omit<WecomClientOptions, 'tokens'> & { providerCorpId: string; providerSecret: string },
): WecomCaller {
  const { providerCorpId, providerSecret, ...rest } = options;
  return createWecomCaller(
    { ...rest, tokens: providerTokenSource({ providerCorpId, providerSecret }) },
    {
      component: 'wecom-provider',
      safeToRepeat: () => false,
      tokenErrcodes: new Set([40014, 42001]),
    },
  );
}
