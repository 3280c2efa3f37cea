import type Keyv from 'keyv';
import type { z } from 'zod';
import { ConfigError, RateLimitError, WecomError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import { type Logger, silentLogger } from '../base/logger.js';
import type { Secrets } from '../base/secrets.js';
import type { StoreLock } from '../lock/lock.js';
import { TOKEN_ERRCODES, TRANSIENT_ERRCODES } from './errcodes.js';
import { httpStatusOf, parseResponse } from './failures.js';
import { type CallLimiter, createCallLimiter } from './limiter.js';
import { realSleep, withRetries } from './retry.js';
import { createTokenCache } from './token-cache.js';
import type { TokenSource } from './token-source.js';
import { type CallOutcome, createTransport, type WireRequest } from './transport.js';

export const DEFAULT_TIMEOUT_MS = 10_000;

/** How every WeCom client of one corp is built: the same options give the same token and the same budget. */
export interface WecomClientOptions {
  /** `https://qyapi.weixin.qq.com`, a proxy, or the sandbox URL; a trailing slash is fine. */
  baseUrl: string;
  /** How access tokens are obtained (`corpSecretTokenSource` for a self-built app). */
  tokens: TokenSource;
  /** Token cache. Share one store between instances so they share the token (§5). */
  cache: Keyv;
  /** Per HTTP attempt, covering connect, headers and body. Default 10 000. */
  timeoutMs?: number;
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  now?: () => number;
  /** Back-off waits; tests pass a no-op. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  logger?: Logger;
  /** Metrics hook, called once per HTTP attempt (gettoken included). */
  onCall?: (info: { endpoint: string; errcode: CallOutcome; ms: number }) => void;
  /** Cross-instance lock around token refresh (see `createTokenCache`). Default: none (single-flight only). */
  lock?: StoreLock;
  /** Per-endpoint budget of this process, see `createCallLimiter`. Default 5000 (half WeCom's 10,000/min). */
  maxCallsPerMinute?: number;
  /**
   * The process's registry of credentials: every error is scrubbed of all of them, and each access token is
   * added to it as soon as it is obtained, so a log line or error that echoes it later is scrubbed too.
   */
  secrets?: Secrets;
  /** A limiter to share between clients of one corp; default one per client from `maxCallsPerMinute`. */
  limiter?: CallLimiter;
}

export interface WecomCaller {
  /**
   * Sends one call with a valid token and parses WeCom's answer with `schema`. Transient errcodes are retried
   * with back-off, an HTTP 5xx only where `safeToRepeat` says so; a rejected token is refreshed and the call
   * retried exactly once (a second token error is final: wechatpy's unbounded retry, §5).
   */
  call<S extends z.ZodType>(
    endpoint: string,
    request: (token: string) => WireRequest,
    schema: S,
  ): Promise<z.output<S>>;
  /** A valid access token, for readiness checks. Never log it. */
  accessToken(): Promise<string>;
}

/**
 * The one way a WeCom client talks to WeCom: transport, limiter, retries and the token cache, built once per
 * client from the shared options. The contact-way, customer and directory clients differ only in their
 * endpoints and in which may be repeated after a 5xx (a second add_contact_way would create an unseen way).
 */
export function createWecomCaller(
  options: WecomClientOptions,
  policy: {
    component: string;
    safeToRepeat: (endpoint: string) => boolean;
    /** The errcodes that mean "this token was refused": default the corp token's (40001, 40014, 42001). */
    tokenErrcodes?: ReadonlySet<number>;
  },
): WecomCaller {
  const tokenErrcodes = policy.tokenErrcodes ?? TOKEN_ERRCODES;
  try {
    new URL(options.baseUrl);
  } catch {
    throw new ConfigError(
      t(
        'WECOM_API_BASE must be a URL such as https://qyapi.weixin.qq.com.',
        'WECOM_API_BASE 须为 URL，例如 https://qyapi.weixin.qq.com。',
      ),
    );
  }
  const logger = (options.logger ?? silentLogger()).child({ component: policy.component });
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const transport = createTransport({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    now,
    logger,
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
  });
  const limiter =
    options.limiter ??
    createCallLimiter({
      now,
      sleep,
      ...(options.maxCallsPerMinute === undefined ? {} : { maxCallsPerMinute: options.maxCallsPerMinute }),
    });

  // Every attempt, retries and gettoken included, takes a permit; WeCom's own throttling closes the gate.
  async function limitedSend(request: WireRequest) {
    await limiter.take(request.endpoint);
    try {
      return await transport.send(request);
    } catch (error) {
      if (error instanceof RateLimitError && error.errcode !== undefined) {
        limiter.blocked(error);
        logger.warn(
          { endpoint: request.endpoint, errcode: error.errcode, retryAfterMs: error.retryAfterMs },
          'wecom throttled us; holding every call until the block ends',
        );
      }
      throw error;
    }
  }

  const send = (request: WireRequest) =>
    withRetries(() => limitedSend(request), {
      isRetryable: (error) => {
        if (error instanceof WecomError) return TRANSIENT_ERRCODES.has(error.errcode);
        const status = httpStatusOf(error);
        return status !== undefined && status >= 500 && policy.safeToRepeat(request.endpoint);
      },
      sleep,
      random: options.random ?? Math.random,
      onRetry: ({ retry, delayMs, error }) =>
        logger.info(
          { endpoint: request.endpoint, retry, delayMs, code: (error as { code?: string }).code },
          'retrying wecom call',
        ),
    });

  const cache = createTokenCache({
    source: options.tokens,
    cache: options.cache,
    http: { call: send },
    now,
    logger,
    ...(options.lock ? { lock: options.lock } : {}),
  });
  // Fetched here or by another instance (read from the shared cache): either way it is now ours to hide.
  const known = (token: string) => {
    options.secrets?.remember(token);
    return token;
  };
  const tokens = {
    get: () => cache.get().then(known),
    renew: (failed: string) => cache.renew(failed).then(known),
  };

  return {
    async call(endpoint, request, schema) {
      const token = await tokens.get();
      let answer: Awaited<ReturnType<typeof send>>;
      try {
        answer = await send(request(token));
      } catch (error) {
        if (!(error instanceof WecomError && tokenErrcodes.has(error.errcode))) throw error;
        logger.info({ endpoint, errcode: error.errcode }, 'access token rejected; refreshing once');
        answer = await send(request(await tokens.renew(token)));
      }
      return parseResponse(schema, answer, endpoint);
    },
    accessToken: () => tokens.get(),
  };
}
