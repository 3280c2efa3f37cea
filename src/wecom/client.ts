import type Keyv from 'keyv';
import type { z } from 'zod';
import { ConfigError, RateLimitError, WecomError } from '../errors.js';
import { t } from '../i18n.js';
import { type Logger, silentLogger } from '../logger.js';
import type { StoreLock } from '../store/lock.js';
import { validate } from '../validate.js';
import { TOKEN_ERRCODES, TRANSIENT_ERRCODES } from './errcodes.js';
import { badResponseError, httpStatusOf, parseResponse } from './failures.js';
import { type CallLimiter, createCallLimiter } from './limiter.js';
import { realSleep, withRetries } from './retry.js';
import {
  type AddContactWayRequest,
  type AddContactWayResponse,
  addContactWayRequestSchema,
  addContactWayResponseSchema,
  baseResponseSchema,
  type CloseTempChatRequest,
  type ContactWay,
  closeTempChatRequestSchema,
  configIdRequestSchema,
  type Endpoint,
  getContactWayResponseSchema,
  type ListContactWayRequest,
  listContactWayRequestSchema,
  listContactWayResponseSchema,
  type UpdateContactWayRequest,
  updateContactWayRequestSchema,
} from './schemas.js';
import { createTokenCache } from './token-cache.js';
import type { TokenHttp, TokenSource } from './token-source.js';
import { type CallOutcome, createTransport, type WireRequest } from './transport.js';

export const DEFAULT_TIMEOUT_MS = 10_000;

/** How to reach WeCom and what to inject. Only `baseUrl`, `tokens` and `cache` are required. */
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
  /** Cross-instance lock around token refresh; see `TokenCacheOptions.lock`. Default: none (single-flight only). */
  lock?: StoreLock;
  /** Per-endpoint budget of this process, see `createCallLimiter`. Default 5000 (half WeCom's 10,000/min). */
  maxCallsPerMinute?: number;
  /** A limiter to share between clients of one corp; default one per client from `maxCallsPerMinute`. */
  limiter?: CallLimiter;
}

/** The six 「联系我」 endpoints, plus the paging helper and the token for readiness checks. */
export interface WecomClient {
  /** Creates a contact way. Store the returned `config_id`: WeCom cannot list it back in every case (§1). */
  addContactWay(req: AddContactWayRequest): Promise<AddContactWayResponse>;
  getContactWay(configId: string): Promise<ContactWay>;
  /** One page of ids; `nextCursor` is undefined on the last page. */
  listContactWay(
    req?: ListContactWayRequest,
  ): Promise<{ configIds: string[]; nextCursor: string | undefined }>;
  /** Every id in the window, following `next_cursor` to the end. */
  listAllContactWays(req?: Omit<ListContactWayRequest, 'cursor'>): AsyncIterable<string>;
  updateContactWay(req: UpdateContactWayRequest): Promise<void>;
  deleteContactWay(configId: string): Promise<void>;
  closeTempChat(req: CloseTempChatRequest): Promise<void>;
  /** A valid access token, for readiness checks. Never log it. */
  accessToken(): Promise<string>;
}

/**
 * Repeating these after an HTTP 5xx cannot do harm, because the first attempt may have been applied:
 * a second add would create a contact way whose config_id we never see, and a second delete or close would
 * report "not found" for something that worked. Those fail at once; errcode -1 and 6000 mean WeCom did not
 * apply the call, so they are retried everywhere.
 */
const SAFE_TO_REPEAT: ReadonlySet<string> = new Set<string>([
  'gettoken',
  'get_contact_way',
  'list_contact_way',
  'update_contact_way',
]);

function isRetryable(error: unknown, endpoint: string): boolean {
  if (error instanceof WecomError) return TRANSIENT_ERRCODES.has(error.errcode);
  const status = httpStatusOf(error);
  return status !== undefined && status >= 500 && SAFE_TO_REPEAT.has(endpoint);
}

/**
 * The WeCom 「联系我」 client. Every request is validated before it is sent (a ValidationError never reaches
 * WeCom), every response is checked against WeCom's format, the access token travels in the query string
 * only and is refreshed and retried exactly once when WeCom rejects it.
 */
export function createWecomClient(options: WecomClientOptions): WecomClient {
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
  const logger = (options.logger ?? silentLogger()).child({ component: 'wecom' });
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const transport = createTransport({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    now,
    logger,
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
      isRetryable: (error) => isRetryable(error, request.endpoint),
      sleep,
      random,
      onRetry: ({ retry, delayMs, error }) =>
        logger.info(
          { endpoint: request.endpoint, retry, delayMs, code: (error as { code?: string }).code },
          'retrying wecom call',
        ),
    });

  const http: TokenHttp = { call: send };
  const tokens = createTokenCache({
    source: options.tokens,
    cache: options.cache,
    http,
    now,
    logger,
    ...(options.lock ? { lock: options.lock } : {}),
  });

  async function call<R extends z.ZodType>(
    endpoint: Endpoint,
    requestSchema: z.ZodType,
    input: unknown,
    responseSchema: R,
  ): Promise<z.output<R>> {
    // Before any token or HTTP work: bad input must never reach WeCom.
    const body = validate(requestSchema, input);
    const attempt = (token: string) =>
      send({
        endpoint,
        method: 'POST',
        path: `/cgi-bin/externalcontact/${endpoint}`,
        // WeCom reads the token from the query only (41001 otherwise); it is never put in the body.
        query: { access_token: token },
        body,
        secrets: [token],
      });

    const token = await tokens.get();
    let answer: Awaited<ReturnType<typeof attempt>>;
    try {
      answer = await attempt(token);
    } catch (error) {
      if (!(error instanceof WecomError && TOKEN_ERRCODES.has(error.errcode))) throw error;
      // Exactly one refresh and one retry: a second token error is final (wechatpy's unbounded retry, §5).
      logger.info({ endpoint, errcode: error.errcode }, 'access token rejected; refreshing once');
      answer = await attempt(await tokens.renew(token));
    }
    return parseResponse(responseSchema, answer, endpoint);
  }

  async function listContactWay(req: ListContactWayRequest = {}) {
    const page = await call(
      'list_contact_way',
      listContactWayRequestSchema,
      req,
      listContactWayResponseSchema,
    );
    return {
      configIds: page.contact_way.map((way) => way.config_id),
      // WeCom marks the last page with an empty next_cursor.
      nextCursor: page.next_cursor ? page.next_cursor : undefined,
    };
  }

  return {
    async addContactWay(req) {
      const answer = await call(
        'add_contact_way',
        addContactWayRequestSchema,
        req,
        addContactWayResponseSchema,
      );
      // Only what the caller needs: not errcode/errmsg nor whatever WeCom adds to the envelope later.
      return {
        config_id: answer.config_id,
        ...(answer.qr_code === undefined ? {} : { qr_code: answer.qr_code }),
      };
    },

    async getContactWay(configId) {
      const answer = await call(
        'get_contact_way',
        configIdRequestSchema,
        { config_id: configId },
        getContactWayResponseSchema,
      );
      // Another way's details under this id would be stored and shown as this one's.
      if (answer.contact_way.config_id !== configId)
        throw badResponseError('get_contact_way', 'contact_way.config_id is not the one asked for', []);
      return answer.contact_way;
    },

    listContactWay,

    async *listAllContactWays(req = {}) {
      const seen = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await listContactWay({ ...req, ...(cursor === undefined ? {} : { cursor }) });
        yield* page.configIds;
        cursor = page.nextCursor;
        // A cursor seen before would loop forever; that is not WeCom behaving as documented.
        if (cursor !== undefined && seen.has(cursor))
          throw badResponseError('list_contact_way', 'next_cursor repeats an earlier cursor', []);
        if (cursor !== undefined) seen.add(cursor);
      } while (cursor !== undefined);
    },

    async updateContactWay(req) {
      await call('update_contact_way', updateContactWayRequestSchema, req, baseResponseSchema);
    },

    async deleteContactWay(configId) {
      await call('del_contact_way', configIdRequestSchema, { config_id: configId }, baseResponseSchema);
    },

    async closeTempChat(req) {
      await call('close_temp_chat', closeTempChatRequestSchema, req, baseResponseSchema);
    },

    accessToken: () => tokens.get(),
  };
}
