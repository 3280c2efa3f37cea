import { createHash } from 'node:crypto';
import { type Requester, requesterKey } from '../../src/store/index.js';
import { configIdSchema } from '../../src/wecom/schemas.js';

/**
 * Everything a Discord component or modal carries back to us lives in its `custom_id` (at most 100
 * characters, no server round trip needed to read it). This file is the one place that spells those ids.
 *
 * Every id names its owner: the requester (guild + user) it was made for, as a short tag. The router
 * (index.ts) refuses a submit or click by anyone else before any handler runs, so a form's context (its
 * arguments, members mapped from USER_MAP) or a button is only ever used by the one it was shown to.
 *
 * | id                                  | what                                                |
 * |-------------------------------------|-----------------------------------------------------|
 * | `cw:form:{owner}:{command}:{query}` | a modal; the query holds the command's arguments    |
 * |                                     | and the form fields given as slash-command options  |
 * | `cw:formref:{owner}:{id}`           | a modal whose context did not fit: stored           |
 * |                                     | server-side                                         |
 * | `cw:reopen:{owner}:{id}`            | button: reopen a form prefilled with what was typed |
 * | `cw:show:{owner}:{configId}`        | button: show the QR again                           |
 * | `cw:delete:{owner}:{configId}`      | button: ask before deleting                         |
 * | `cw:delete-yes:{owner}:{configId}`  | button: delete, confirmed                           |
 * | `cw:delete-no:{owner}:{configId}`   | button: keep it                                     |
 */

/** Discord's limit for every `custom_id`. */
export const MAX_CUSTOM_ID = 100;

const PREFIX = 'cw';

/** 10 base64url characters (60 bits) of a digest: short enough for any custom_id, never equal by chance. */
const OWNER_CHARS = 10;
const OWNER_PATTERN = /^[A-Za-z0-9_-]{10}$/;

export type CustomId = { owner: string } & (
  | { kind: 'form'; command: string; params: Record<string, string> }
  | { kind: 'formref'; id: string }
  | { kind: 'reopen'; id: string }
  | { kind: 'show'; configId: string }
  | { kind: 'delete'; configId: string }
  | { kind: 'delete-yes'; configId: string }
  | { kind: 'delete-no'; configId: string }
);

/**
 * The owner tag of a requester: a digest of `platform:guild:user`, not the ids themselves, to leave room in
 * the 100 characters. It needs no secret: it is compared with the tag of whoever submits, and forging one's
 * own tag gains nothing one could not get by running the command.
 */
export function ownerTag(requester: Requester): string {
  return createHash('sha256').update(requesterKey(requester)).digest('base64url').slice(0, OWNER_CHARS);
}

/** The id as text, or undefined when it would exceed Discord's 100 characters. */
export function encodeCustomId(id: CustomId): string | undefined {
  let tail: string;
  switch (id.kind) {
    case 'form':
      tail = `${id.command}:${new URLSearchParams(id.params).toString()}`;
      break;
    case 'formref':
    case 'reopen':
      tail = id.id;
      break;
    case 'show':
    case 'delete':
    case 'delete-yes':
    case 'delete-no':
      tail = id.configId;
      break;
  }
  const text = `${PREFIX}:${id.kind}:${id.owner}:${tail}`;
  return text.length <= MAX_CUSTOM_ID ? text : undefined;
}

/** Whether a custom_id is in our family at all (ours, possibly stale or tampered with). */
export function isOurs(text: string): boolean {
  return text.startsWith(`${PREFIX}:`);
}

/**
 * Reads an id we made; undefined for anything else: another format (older releases had no owner), a
 * config_id that is not one (a crafted button must not get its text echoed back).
 */
export function decodeCustomId(text: string): CustomId | undefined {
  const [prefix, kind, owner, ...rest] = text.split(':');
  if (prefix !== PREFIX || !owner || !OWNER_PATTERN.test(owner)) return undefined;
  const tail = rest.join(':');
  switch (kind) {
    case 'form': {
      const [command, ...query] = rest;
      if (!command) return undefined;
      return { kind, owner, command, params: Object.fromEntries(new URLSearchParams(query.join(':'))) };
    }
    case 'formref':
    case 'reopen':
      return tail ? { kind, owner, id: tail } : undefined;
    case 'show':
    case 'delete':
    case 'delete-yes':
    case 'delete-no':
      return configIdSchema.safeParse(tail).success ? { kind, owner, configId: tail } : undefined;
    default:
      return undefined;
  }
}
