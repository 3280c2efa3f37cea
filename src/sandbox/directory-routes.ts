import type { IncomingMessage } from 'node:http';
import type { CorpWorld } from './corp-world.js';
import { jsonBody } from './json-body.js';
import type { SandboxMember } from './types.js';
import { Rejection } from './wecom-reply.js';

/** The address-book reads the sandbox serves, by path, with the names faults and stats use. */
export const DIRECTORY_APIS = {
  '/cgi-bin/externalcontact/get_follow_user_list': 'get_follow_user_list',
  '/cgi-bin/user/get': 'user_get',
  '/cgi-bin/user/list_id': 'user_list_id',
  '/cgi-bin/batch/userid_to_openuserid': 'userid_to_openuserid',
} as const;
export type DirectoryApiName = (typeof DIRECTORY_APIS)[keyof typeof DIRECTORY_APIS];
export const DIRECTORY_API_NAMES = Object.values(DIRECTORY_APIS);

/** The directory API a path names, if any. */
export function directoryApiOf(pathname: string): DirectoryApiName | undefined {
  return Object.hasOwn(DIRECTORY_APIS, pathname)
    ? DIRECTORY_APIS[pathname as keyof typeof DIRECTORY_APIS]
    : undefined;
}

/** user/list_id's page size bounds (WeCom: 1–10000). */
const MAX_LIST_LIMIT = 10_000;

/**
 * WeCom's answers for the directory reads: get_follow_user_list (members enabled for customer contact, active
 * or not, as WeCom lists them), user/get (name, department, status 1 active / 4 not activated) and user/list_id
 * (every member, paged by an opaque cursor).
 */
export async function directoryCall(
  world: Pick<CorpWorld, 'directory'>,
  name: DirectoryApiName,
  req: IncomingMessage,
  query: URLSearchParams,
): Promise<Record<string, unknown>> {
  const members = world.directory.all();
  switch (name) {
    case 'get_follow_user_list':
      requireMethod(req, 'GET', name);
      return { follow_user: members.filter((m) => m.customerContact !== false).map((m) => m.userid) };
    case 'user_get': {
      requireMethod(req, 'GET', name);
      const userid = query.get('userid');
      if (!userid) throw new Rejection(40058, 'userid missing');
      const member = world.directory.member(userid);
      if (!member) throw new Rejection(60111, `userid ${userid} not found`);
      return userAnswer(member);
    }
    case 'user_list_id':
      requireMethod(req, 'POST', name);
      return listIds(members, await jsonBody(req));
    case 'userid_to_openuserid':
      // Only a provider's app (third-party, 代开发) has open userids; its token is answered in provider-ids.ts.
      throw new Rejection(48001, 'userid_to_openuserid is for third-party and 代开发 apps only');
  }
}

function userAnswer(member: SandboxMember): Record<string, unknown> {
  return {
    userid: member.userid,
    name: member.name,
    department: member.departments,
    status: member.active === false ? 4 : 1,
  };
}

function listIds(members: SandboxMember[], body: Record<string, unknown>): Record<string, unknown> {
  const limit = body.limit ?? MAX_LIST_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
    throw new Rejection(40058, 'limit must be 1-10000');
  const cursor = body.cursor ?? '';
  if (typeof cursor !== 'string') throw new Rejection(40058, 'invalid cursor');
  const from = cursor === '' ? 0 : decode(cursor);
  if (from === undefined || from > members.length) throw new Rejection(40058, 'invalid cursor');
  const page = members.slice(from, from + limit);
  const next = from + page.length;
  return {
    next_cursor: next < members.length ? encode(next) : '',
    dept_user: page.flatMap((m) => m.departments.map((department) => ({ userid: m.userid, department }))),
  };
}

const encode = (offset: number) => Buffer.from(`u${offset}`).toString('base64url');

function decode(cursor: string): number | undefined {
  const match = /^u(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? Number(match[1]) : undefined;
}

function requireMethod(req: IncomingMessage, method: 'GET' | 'POST', name: string): void {
  if (req.method !== method) throw new Rejection(40058, `${name} requires ${method}`);
}
