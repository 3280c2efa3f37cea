import { z } from 'zod';
import { WecomError } from '../base/errors.js';
import { createWecomCaller, type WecomClientOptions } from './caller.js';
import { badResponseError } from './failures.js';
import { userIdSchema } from './schemas.js';
import type { WireRequest } from './transport.js';

/**
 * Errcodes meaning "this app's secret may not read that" (the address book, or one member): 48001 API not
 * granted, 48002 API forbidden for the app, 60011 outside the app's visible range. They are answers, not outages.
 */
export const NOT_ALLOWED_ERRCODES: ReadonlySet<number> = new Set([48001, 48002, 60011]);

/** True when WeCom refused the call for lack of permission rather than failing. */
export function isNotAllowed(error: unknown): error is WecomError {
  return error instanceof WecomError && NOT_ALLOWED_ERRCODES.has(error.errcode);
}

/** user/get's `status`: 1 active, 2 disabled, 4 not activated, 5 left the corp. */
export type MemberStatus = 1 | 2 | 4 | 5;

/** What user/get tells about one member; fields the secret may not read are absent. */
export interface WecomMember {
  userid: string;
  name?: string;
  status?: MemberStatus;
}

/** The address-book reads the member directory needs (reference: 客户联系 and 通讯录管理 APIs). */
export interface DirectoryApi {
  /** `externalcontact/get_follow_user_list`: the members configured for customer contact. */
  followUsers(): Promise<string[]>;
  /** `user/get`: one member's name and status. Throws WecomError (60011 outside range, 60111 unknown, 48002…). */
  member(userid: string): Promise<WecomMember>;
  /** `user/list_id`, every page: every member of the corp the secret may see. Needs address-book access. */
  allUserIds(): AsyncIterable<string>;
  /**
   * `batch/userid_to_openuserid` (provider apps only, D-95884): plaintext userids → the encrypted ids this app's
   * token accepts, at most 1000 a call. Ids WeCom does not know or may not show are listed as invalid.
   */
  openUserIds(userids: readonly string[]): Promise<{ open: Map<string, string>; invalid: string[] }>;
}

/** userid_to_openuserid's batch ceiling. */
export const OPEN_USERID_BATCH = 1000;

// Names reach chat labels: control characters and bidi overrides become spaces, and a name is kept short.
const CONTROL = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;
const nameSchema = z
  .string()
  .transform((s) => [...s.replace(CONTROL, ' ').trim()].slice(0, 64).join(''))
  .optional();

const followUsersSchema = z.looseObject({ follow_user: z.array(userIdSchema).default([]) });
const memberSchema = z.looseObject({
  userid: userIdSchema,
  name: nameSchema,
  // Unknown status values are not a broken answer: the member is simply not classified.
  status: z
    .number()
    .int()
    .optional()
    .transform((s) => (s === 1 || s === 2 || s === 4 || s === 5 ? s : undefined)),
});
const openUserIdsSchema = z.looseObject({
  open_userid_list: z.array(z.looseObject({ userid: z.string(), open_userid: userIdSchema })).default([]),
  invalid_userid_list: z.array(z.string()).default([]),
});
const listIdSchema = z.looseObject({
  next_cursor: z.string().optional(),
  dept_user: z.array(z.looseObject({ userid: userIdSchema })).default([]),
});

/** user/list_id's page size ceiling. */
const LIST_ID_LIMIT = 10_000;

/**
 * The directory reads, built from the same parts as the contact-way client (transport, token cache keyed in
 * the shared store, retries, per-endpoint limiter): the same options give the same token, so no extra
 * gettoken. Every call is a read, so a 5xx is retried like a transient errcode.
 */
export function createDirectoryApi(options: WecomClientOptions): DirectoryApi {
  const { call } = createWecomCaller(options, { component: 'wecom-directory', safeToRepeat: () => true });

  const get =
    (endpoint: string, path: string, query: Record<string, string> = {}) =>
    (token: string) =>
      ({
        endpoint,
        method: 'GET',
        path,
        query: { access_token: token, ...query },
        secrets: [token],
      }) satisfies WireRequest;

  return {
    async followUsers() {
      const answer = await call(
        'get_follow_user_list',
        get('get_follow_user_list', '/cgi-bin/externalcontact/get_follow_user_list'),
        followUsersSchema,
      );
      return answer.follow_user;
    },

    async member(userid) {
      const id = userIdSchema.parse(userid);
      const answer = await call(
        'user_get',
        get('user_get', '/cgi-bin/user/get', { userid: id }),
        memberSchema,
      );
      // WeCom compares userids without regard to case; another member's answer must not pass for this one.
      if (answer.userid.toLowerCase() !== id.toLowerCase())
        throw badResponseError('user_get', 'userid is not the one asked for', []);
      return {
        userid: id,
        ...(answer.name ? { name: answer.name } : {}),
        ...(answer.status === undefined ? {} : { status: answer.status }),
      };
    },

    async openUserIds(userids) {
      const open = new Map<string, string>();
      const invalid: string[] = [];
      for (let at = 0; at < userids.length; at += OPEN_USERID_BATCH) {
        const body = { userid_list: userids.slice(at, at + OPEN_USERID_BATCH) };
        const answer = await call(
          'userid_to_openuserid',
          (token) => ({
            endpoint: 'userid_to_openuserid',
            method: 'POST',
            path: '/cgi-bin/batch/userid_to_openuserid',
            query: { access_token: token },
            body,
            secrets: [token],
          }),
          openUserIdsSchema,
        );
        for (const entry of answer.open_userid_list) open.set(entry.userid, entry.open_userid);
        invalid.push(...answer.invalid_userid_list);
      }
      return { open, invalid };
    },

    async *allUserIds() {
      const seen = new Set<string>();
      let cursor: string | undefined;
      do {
        const body = { limit: LIST_ID_LIMIT, ...(cursor ? { cursor } : {}) };
        const page = await call(
          'user_list_id',
          (token) => ({
            endpoint: 'user_list_id',
            method: 'POST',
            path: '/cgi-bin/user/list_id',
            query: { access_token: token },
            body,
            secrets: [token],
          }),
          listIdSchema,
        );
        for (const entry of page.dept_user) yield entry.userid;
        cursor = page.next_cursor ? page.next_cursor : undefined;
        // A repeated cursor would page forever.
        if (cursor !== undefined && seen.has(cursor))
          throw badResponseError('user_list_id', 'next_cursor repeats an earlier cursor', []);
        if (cursor !== undefined) seen.add(cursor);
      } while (cursor !== undefined);
    },
  };
}
