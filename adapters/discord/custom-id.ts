import { createHash } from 'node:crypto';
import { isConfigId, ownerKey } from '../../src/chat/ids.js';
import type { ChatActor } from '../../src/chat/port.js';

/**
 * Everything a Discord component or modal carries back to us lives in its `custom_id` (at most 100
 * characters). This file is the one place that spells those ids.
 *
 * A modal carries the flow's state token (src/chat/form-state.ts), which the flow binds to its requester.
 * Every button also names its owner, the requester (guild + user) it was shown to, as a short tag: the
 * router (index.ts) refuses a click by anyone else before anything runs, so nobody else can use a
 * requester's Show, Delete or reopen button, not even an admin who could see the record.
 *
 * | id                                  | what                                                |
 * |-------------------------------------|-----------------------------------------------------|
 * | `cw:form:{state}`                   | a modal; `state` is the flow's token (inline or @id)|
 * | `cw:reopen:{owner}:{state}`         | button: reopen a form prefilled with what was typed |
 * | `cw:show:{owner}:{configId}`        | button: show the QR again                           |
 * | `cw:delete:{owner}:{configId}`      | button: ask before deleting                         |
 * | `cw:delete-yes:{owner}:{configId}`  | button: delete, confirmed                           |
 * | `cw:delete-no:{owner}:{configId}`   | button: keep it                                     |
 * | `cw:nshow:{note}`                   | notification button (DM): show the way              |
 * | `cw:nclose:{note}`                  | notification button (DM): ask before ending         |
 * | `cw:nclose-yes:{note}` / `-no:`     | notification button (DM): end the session / keep it |
 *
 * A notification is a DM, clicked where there is no guild, and End session must carry a config_id and a
 * customer's external_userid (together up to 256 characters): its buttons carry only `note`, the id of an
 * entry in the flow's state store holding the action and the requester it was sent to (notify-buttons.ts).
 */

/** Discord's limit for every `custom_id`. */
export const MAX_CUSTOM_ID = 100;

const PREFIX = 'cw';

/** 10 base64url characters (60 bits) of a digest: short enough for any custom_id, never equal by chance. */
const OWNER_CHARS = 10;
const OWNER_PATTERN = /^[A-Za-z0-9_-]{10}$/;

/**
 * The longest state token that fits every id carrying one (`cw:reopen:{owner}:` is the longest prefix);
 * the flow stores a longer state and passes `@id` instead.
 */
export const STATE_CHARS = MAX_CUSTOM_ID - `${PREFIX}:reopen::`.length - OWNER_CHARS;

export type ButtonId = { owner: string } & (
  | { kind: 'reopen'; state: string }
  | { kind: 'show' | 'delete' | 'delete-yes' | 'delete-no'; configId: string }
);
/** A notification's button: everything it means is in the state store under `note`. */
export type NoteButtonId = { kind: 'nshow' | 'nclose' | 'nclose-yes' | 'nclose-no'; note: string };
export type CustomId = { kind: 'form'; state: string } | ButtonId | NoteButtonId;

const NOTE_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * The owner tag of a requester: a digest of `platform:guild:user`, not the ids themselves, to leave room in
 * the 100 characters. It needs no secret: it is compared with the tag of whoever clicks, and forging one's
 * own tag gains nothing one could not get by running the command.
 */
export function ownerTag(requester: ChatActor): string {
  return createHash('sha256').update(ownerKey(requester)).digest('base64url').slice(0, OWNER_CHARS);
}

/** The id as text, or undefined when it would exceed Discord's 100 characters. */
export function encodeCustomId(id: CustomId): string | undefined {
  const text =
    id.kind === 'form'
      ? `${PREFIX}:form:${id.state}`
      : 'note' in id
        ? `${PREFIX}:${id.kind}:${id.note}`
        : `${PREFIX}:${id.kind}:${id.owner}:${id.kind === 'reopen' ? id.state : id.configId}`;
  return text.length <= MAX_CUSTOM_ID ? text : undefined;
}

/** Whether a custom_id is in our family at all (ours, possibly stale or tampered with). */
export function isOurs(text: string): boolean {
  return text.startsWith(`${PREFIX}:`);
}

/**
 * Reads an id we made; undefined for anything else: another format (an older release), a config_id that
 * is not one (a crafted button must not get its text echoed back).
 */
export function decodeCustomId(text: string): CustomId | undefined {
  const [prefix, kind, ...rest] = text.split(':');
  if (prefix !== PREFIX) return undefined;
  if (kind === 'form') {
    const state = rest.join(':');
    return state ? { kind, state } : undefined;
  }
  if (kind === 'nshow' || kind === 'nclose' || kind === 'nclose-yes' || kind === 'nclose-no') {
    const note = rest.join(':');
    return NOTE_PATTERN.test(note) ? { kind, note } : undefined;
  }
  const [owner, ...tailParts] = rest;
  if (!owner || !OWNER_PATTERN.test(owner)) return undefined;
  const tail = tailParts.join(':');
  switch (kind) {
    case 'reopen':
      return tail ? { kind, owner, state: tail } : undefined;
    case 'show':
    case 'delete':
    case 'delete-yes':
    case 'delete-no':
      return isConfigId(tail) ? { kind, owner, configId: tail } : undefined;
    default:
      return undefined;
  }
}
