import type { z } from 'zod';
import { validate } from '../base/validate.js';
import { createWecomCaller, type WecomClientOptions } from './caller.js';
import { badResponseError } from './failures.js';
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

export { DEFAULT_TIMEOUT_MS, type WecomClientOptions } from './caller.js';

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

/**
 * The WeCom 「联系我」 client. Every request is validated before it is sent (a ValidationError never reaches
 * WeCom), every response is checked against WeCom's format, the access token travels in the query string
 * only and is refreshed and retried exactly once when WeCom rejects it.
 */
export function createWecomClient(options: WecomClientOptions): WecomClient {
  const caller = createWecomCaller(options, {
    component: 'wecom',
    safeToRepeat: (endpoint) => SAFE_TO_REPEAT.has(endpoint),
  });

  async function call<R extends z.ZodType>(
    endpoint: Endpoint,
    requestSchema: z.ZodType,
    input: unknown,
    responseSchema: R,
  ): Promise<z.output<R>> {
    // Before any token or HTTP work: bad input must never reach WeCom.
    const body = validate(requestSchema, input);
    return caller.call(
      endpoint,
      (token) => ({
        endpoint,
        method: 'POST',
        path: `/cgi-bin/externalcontact/${endpoint}`,
        // WeCom reads the token from the query only (41001 otherwise); it is never put in the body.
        query: { access_token: token },
        body,
        secrets: [token],
      }),
      responseSchema,
    );
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

    accessToken: caller.accessToken,
  };
}
