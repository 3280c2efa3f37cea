/**
 * Everything a Discord component or modal carries back to us lives in its `custom_id` (at most 100
 * characters). This file is the one place that spells those ids. What they carry are the flow's tokens:
 * a form's state (src/chat/form-state.ts) or a button's action (src/chat/action-token.ts), each bound by
 * the flow to the requester it was shown to, so nothing here decides whose a click is.
 *
 * | id                  | what                                                          |
 * |---------------------|---------------------------------------------------------------|
 * | `cw:form:{state}`   | a modal; `state` is the flow's form token (inline or @id)     |
 * | `cw:reopen:{state}` | button: reopen a form prefilled with what was typed           |
 * | `cw:a:{token}`      | button: a reply's, a question's or a notification's action    |
 */

/** Discord's limit for every `custom_id`. */
export const MAX_CUSTOM_ID = 100;

const PREFIX = 'cw';

/** The longest form state that fits both ids carrying one; the flow stores a longer one as `@id`. */
export const STATE_CHARS = MAX_CUSTOM_ID - `${PREFIX}:reopen:`.length;

/** The longest action token a button carries inline; the flow stores a longer one as `@id`. */
export const ACTION_CHARS = MAX_CUSTOM_ID - `${PREFIX}:a:`.length;

export type CustomId = { kind: 'form' | 'reopen'; state: string } | { kind: 'action'; token: string };

/** The id as text, or undefined when it would exceed Discord's 100 characters. */
export function encodeCustomId(id: CustomId): string | undefined {
  const text = id.kind === 'action' ? `${PREFIX}:a:${id.token}` : `${PREFIX}:${id.kind}:${id.state}`;
  return text.length <= MAX_CUSTOM_ID ? text : undefined;
}

/** Whether a custom_id is in our family at all (ours, possibly stale or tampered with). */
export function isOurs(text: string): boolean {
  return text.startsWith(`${PREFIX}:`);
}

/** Reads an id we made; undefined for anything else (another format, such as an older release's). */
export function decodeCustomId(text: string): CustomId | undefined {
  const [prefix, kind, ...rest] = text.split(':');
  const tail = rest.join(':');
  if (prefix !== PREFIX || !tail) return undefined;
  if (kind === 'form' || kind === 'reopen') return { kind, state: tail };
  if (kind === 'a') return { kind: 'action', token: tail };
  return undefined;
}
