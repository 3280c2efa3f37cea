/**
 * Everything a Discord component or modal carries back to us lives in its `custom_id` (at most 100
 * characters, no server round trip needed to read it). This file is the one place that spells those ids.
 *
 * | id                          | what                                                        |
 * |-----------------------------|-------------------------------------------------------------|
 * | `cw:form:{command}:{query}` | a modal; the query holds the command's arguments and the    |
 * |                             | form fields given as slash-command options                  |
 * | `cw:formref:{id}`           | a modal whose context did not fit: stored server-side       |
 * | `cw:reopen:{id}`            | button: reopen a form prefilled with what was typed         |
 * | `cw:show:{configId}`        | button: show the QR again                                   |
 * | `cw:delete:{configId}`      | button: ask before deleting                                 |
 * | `cw:delete-yes:{configId}`  | button: delete, confirmed                                   |
 * | `cw:delete-no:{configId}`   | button: keep it                                             |
 */

/** Discord's limit for every `custom_id`. */
export const MAX_CUSTOM_ID = 100;

const PREFIX = 'cw';

export type CustomId =
  | { kind: 'form'; command: string; params: Record<string, string> }
  | { kind: 'formref'; id: string }
  | { kind: 'reopen'; id: string }
  | { kind: 'show'; configId: string }
  | { kind: 'delete'; configId: string }
  | { kind: 'delete-yes'; configId: string }
  | { kind: 'delete-no'; configId: string };

/** The id as text, or undefined when it would exceed Discord's 100 characters. */
export function encodeCustomId(id: CustomId): string | undefined {
  let text: string;
  switch (id.kind) {
    case 'form':
      text = `${PREFIX}:form:${id.command}:${new URLSearchParams(id.params).toString()}`;
      break;
    case 'formref':
    case 'reopen':
      text = `${PREFIX}:${id.kind}:${id.id}`;
      break;
    case 'show':
    case 'delete':
    case 'delete-yes':
    case 'delete-no':
      text = `${PREFIX}:${id.kind}:${id.configId}`;
      break;
  }
  return text.length <= MAX_CUSTOM_ID ? text : undefined;
}

/** Reads an id we made; undefined for anything else (another bot's component, a stale format). */
export function decodeCustomId(text: string): CustomId | undefined {
  const [prefix, kind, ...rest] = text.split(':');
  if (prefix !== PREFIX) return undefined;
  const tail = rest.join(':');
  switch (kind) {
    case 'form': {
      const [command, ...query] = rest;
      if (!command) return undefined;
      return { kind, command, params: Object.fromEntries(new URLSearchParams(query.join(':'))) };
    }
    case 'formref':
    case 'reopen':
      return tail ? { kind, id: tail } : undefined;
    case 'show':
    case 'delete':
    case 'delete-yes':
    case 'delete-no':
      return tail ? { kind, configId: tail } : undefined;
    default:
      return undefined;
  }
}
