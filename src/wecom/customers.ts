import type Keyv from 'keyv';
import type { z } from 'zod';
import { WecomError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import type { StoreLock } from '../store/lock.js';
import { validate } from '../validate.js';
import { DEFAULT_TIMEOUT_MS } from './client.js';
import {
  type BatchGetByUserRequest,
  type BatchGetByUserResponse,
  batchGetByUserRequestSchema,
  batchGetByUserResponseSchema,
  type CustomerEndpoint,
  type ExternalContactDetail,
  getExternalContactQuerySchema,
  getExternalContactResponseSchema,
  type SendWelcomeMsgRequest,
  sendWelcomeMsgRequestSchema,
} from './customer-schemas.js';
import { TOKEN_ERRCODES, TRANSIENT_ERRCODES } from './errcodes.js';
import { httpStatusOf, parseResponse } from './failures.js';
import { type CallLimiter, createCallLimiter } from './limiter.js';
import { realSleep, withRetries } from './retry.js';
import { baseResponseSchema } from './schemas.js';
import { createTokenCache } from './token-cache.js';
import type { TokenSource } from './token-source.js';
import { type CallOutcome, createTransport, type WireRequest } from './transport.js';

/** The customer-contact calls the callbacks make. Errors are our tree's, as from the contact-way client. */
export interface CustomerClient {
  /** externalcontact/get: the customer's name and who follows them. 84061 right after an add is normal. */
  getExternalContact(externalUserId: string): Promise<ExternalContactDetail>;
  /** send_welcome_msg, once per WelcomeCode within 20 s of the event. */
  sendWelcomeMsg(req: SendWelcomeMsgRequest): Promise<void>;
  /** batch/get_by_user: one page of the members' customers with follow_info.state and createtime (for sync). */
  batchGetByUser(req: BatchGetByUserRequest): Promise<BatchGetByUserResponse>;
}

export interface CustomerClientOptions {
  baseUrl: string;
  tokens: TokenSource;
  /** The store the contact-way client caches its token in: the same key, so both share one token. */
  cache: Keyv;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  logger?: Logger;
  onCall?: (info: { endpoint: string; errcode: CallOutcome; ms: number }) => void;
  lock?: StoreLock;
  maxCallsPerMinute?: number;
  limiter?: CallLimiter;
}

/** Reads may be repeated after an HTTP 5xx; a welcome message may not (the first may have gone out). */
const SAFE_TO_REPEAT: ReadonlySet<CustomerEndpoint> = new Set(['get', 'batch/get_by_user']);

/**
 * A client for the customer-contact endpoints, built from the same transport, token cache, limiter and retry
 * policy as `createWecomClient` (kept apart so the contact-way client's surface stays the six 「联系我」 calls).
 */
export function createCustomerClient(options: CustomerClientOptions): CustomerClient {
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

  const send = (request: WireRequest) =>
    withRetries(
      async () => {
        await limiter.take(request.endpoint);
        return transport.send(request);
      },
      {
        isRetryable: (error) => {
          if (error instanceof WecomError) return TRANSIENT_ERRCODES.has(error.errcode);
          const status = httpStatusOf(error);
          return (
            status !== undefined && status >= 500 && SAFE_TO_REPEAT.has(request.endpoint as CustomerEndpoint)
          );
        },
        sleep,
        random,
      },
    );
  const tokens = createTokenCache({
    source: options.tokens,
    cache: options.cache,
    http: { call: send },
    now,
    ...(options.lock ? { lock: options.lock } : {}),
  });

  async function call<R extends z.ZodType>(
    endpoint: CustomerEndpoint,
    shape: { query?: Record<string, string>; body?: unknown },
    responseSchema: R,
  ): Promise<z.output<R>> {
    const attempt = (token: string) =>
      send({
        endpoint,
        method: shape.body === undefined ? 'GET' : 'POST',
        path: `/cgi-bin/externalcontact/${endpoint}`,
        query: { ...shape.query, access_token: token },
        ...(shape.body === undefined ? {} : { body: shape.body }),
        secrets: [token],
      });
    const token = await tokens.get();
    let answer: Awaited<ReturnType<typeof attempt>>;
    try {
      answer = await attempt(token);
    } catch (error) {
      if (!(error instanceof WecomError && TOKEN_ERRCODES.has(error.errcode))) throw error;
      answer = await attempt(await tokens.renew(token));
    }
    return parseResponse(responseSchema, answer, endpoint);
  }

  return {
    async getExternalContact(externalUserId) {
      const query = validate(getExternalContactQuerySchema, { external_userid: externalUserId });
      return call('get', { query }, getExternalContactResponseSchema);
    },
    async sendWelcomeMsg(req) {
      await call(
        'send_welcome_msg',
        { body: validate(sendWelcomeMsgRequestSchema, req) },
        baseResponseSchema,
      );
    },
    async batchGetByUser(req) {
      return call(
        'batch/get_by_user',
        { body: validate(batchGetByUserRequestSchema, req) },
        batchGetByUserResponseSchema,
      );
    },
  };
}
