import { COMMANDS, findCommand } from '../../commands/index.js';
import type { Locale } from '../../src/base/i18n.js';
import type { ChatActor, ChatPort } from '../../src/chat/port.js';

/** What the terminal is asking for: a command line, or one form field. */
export type Asking = { kind: 'command' } | { kind: 'field'; fieldKind: string };

/** As many candidates as a terminal can usefully list under the prompt. */
const MAX_CANDIDATES = 50;
/** A terminal line has no label limit; ids longer than this are not WeCom's or ours anyway. */
const MAX_CHARS = 200;

/**
 * Tab completion for the console, in readline's completer shape: command names; member ids (the directory,
 * through the flow's suggestions, so the access policy and CREATE_FOR apply) where a command or a members
 * field takes them; the requester's own config_ids where a command takes one. Never throws: a failed
 * lookup completes nothing.
 */
export function createCompleter(
  port: ChatPort,
  actor: ChatActor,
  locale: Locale,
  asking: () => Asking,
): (line: string) => Promise<[string[], string]> {
  const suggest = async (field: string, typed: string): Promise<string[]> => {
    const found = await port.flow
      .suggest({ actor, locale, field, typed }, { max: MAX_CANDIDATES, chars: MAX_CHARS })
      .catch(() => []);
    const needle = typed.toLowerCase();
    // Completion extends what was typed: only values that start with it (names match in pickers, not here).
    return found.map((s) => s.value).filter((v) => v.toLowerCase().startsWith(needle));
  };

  return async (line) => {
    const now = asking();
    if (now.kind === 'field') {
      if (now.fieldKind === 'member') return [await suggest('user', line.trim()), line.trim()];
      if (now.fieldKind !== 'members') return [[], line];
      // A comma list: complete its last item.
      const current = line.slice(line.lastIndexOf(',') + 1).trimStart();
      return [await suggest('user', current), current];
    }
    const words = line.trimStart().split(/\s+/);
    if (words[0] === '/contactway') words.shift();
    const current = words.at(-1) ?? '';
    if (words.length <= 1) {
      // With the space, a unique command leaves the cursor where its first argument goes.
      const names = [...COMMANDS.map((c) => `${c.name} `), 'exit'];
      return [names.filter((n) => n.startsWith(current.toLowerCase())), current];
    }
    const arg = findCommand((words[0] ?? '').toLowerCase())?.args[words.length - 2];
    if (arg?.name === 'user' || arg?.name === 'config_id') return [await suggest(arg.name, current), current];
    return [[], current];
  };
}
