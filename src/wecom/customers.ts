import type { z } from 'zod';
import { validate } from '../base/validate.js';
import { createWecomCaller, type WecomClientOptions } from './caller.js';
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
import { baseResponseSchema } from './schemas.js';

/** The customer-contact calls the callbacks make. Errors are our tree's, as from the contact-way client. */
export interface CustomerClient {
  /** externalcontact/get: the customer's name and who follows them. 84061 right after an add is normal. */
  getExternalContact(externalUserId: string): Promise<ExternalContactDetail>;
  /** send_welcome_msg, once per WelcomeCode within 20 s of the event. */
  sendWelcomeMsg(req: SendWelcomeMsgRequest): Promise<void>;
  /** batch/get_by_user: one page of the members' customers with follow_info.state and createtime (for sync). */
  batchGetByUser(req: BatchGetByUserRequest): Promise<BatchGetByUserResponse>;
}

/** The same options as every WeCom client of the corp: the same token, budget and retries. */
export type CustomerClientOptions = WecomClientOptions;

/** Reads may be repeated after an HTTP 5xx; a welcome message may not (the first may have gone out). */
const SAFE_TO_REPEAT: ReadonlySet<CustomerEndpoint> = new Set(['get', 'batch/get_by_user']);

/**
 * A client for the customer-contact endpoints, built from the same transport, token cache, limiter and retry
 * policy as `createWecomClient` (kept apart so the contact-way client's surface stays the six 「联系我」 calls).
 */
export function createCustomerClient(options: CustomerClientOptions): CustomerClient {
  const caller = createWecomCaller(options, {
    component: 'wecom',
    safeToRepeat: (endpoint) => SAFE_TO_REPEAT.has(endpoint as CustomerEndpoint),
  });

  const call = <R extends z.ZodType>(
    endpoint: CustomerEndpoint,
    shape: { query?: Record<string, string>; body?: unknown },
    responseSchema: R,
  ): Promise<z.output<R>> =>
    caller.call(
      endpoint,
      (token) => ({
        endpoint,
        method: shape.body === undefined ? 'GET' : 'POST',
        path: `/cgi-bin/externalcontact/${endpoint}`,
        query: { ...shape.query, access_token: token },
        ...(shape.body === undefined ? {} : { body: shape.body }),
        secrets: [token],
      }),
      responseSchema,
    );

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
