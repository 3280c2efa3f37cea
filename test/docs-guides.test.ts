import {
  type APIApplicationCommandOption,
  type APIApplicationCommandSubcommandOption,
  ApplicationCommandOptionType,
} from 'discord.js';
import { describe, expect, it } from 'vitest';
import { commandDefinitions } from '../adapters/discord/index.js';
import { modalFieldsOf } from '../adapters/discord/render-modal.js';
import { COMMANDS, findCommand, formFor } from '../commands/index.js';
import { brokenLinks, codeSpans, guideFiles, links, prose, read, slug, tableAfter } from './docs-markdown.js';

/**
 * The guides name commands and options the way people type them; these tests hold them to what the bot
 * registers (Discord) and understands (commands/), and keep every link between the guides pointing somewhere.
 * The Discord guide once named `close user: external_user:` years after `close` took `config_id:` and
 * `customer:`; nothing noticed.
 */

const [root] = commandDefinitions();
const SLASH = new Set([`/${root?.name}`, `/${root?.name_localizations?.['zh-CN']}`]);

type Registered = { name: string; options: Map<string, string> };

/** Registered subcommands by English and zh-CN name, each with its options by both names too. */
const SUBCOMMANDS = new Map<string, Registered>();
for (const option of (root?.options ?? []) as APIApplicationCommandOption[]) {
  if (option.type !== ApplicationCommandOptionType.Subcommand) continue;
  const sub = option as APIApplicationCommandSubcommandOption;
  const options = new Map<string, string>();
  for (const o of sub.options ?? []) {
    options.set(o.name, o.name);
    const zh = o.name_localizations?.['zh-CN'];
    if (zh) options.set(zh, o.name);
  }
  const registered = { name: sub.name, options };
  SUBCOMMANDS.set(sub.name, registered);
  const zh = sub.name_localizations?.['zh-CN'];
  if (zh) SUBCOMMANDS.set(zh, registered);
}

/** `name:` or `name:value`, as typed in Discord's command bar (a value holds no `:` or `/`: not a URL or an id list). */
const OPTION = /^([\p{L}\p{N}_'-]+):([^:/]*)$/u;

/**
 * A code span read as a Discord command: `/contactway temp user:zhangsan`, `close config_id: customer:`,
 * `user:`. Anything else (`ACCESS_DISCORD_ROLES`, `allowed_mentions: { parse: [] }`) is not one.
 */
function asCommand(span: string): { slash: boolean; sub?: string; options: string[] } | undefined {
  let tokens = span.trim().split(/\s+/);
  const slash = SLASH.has(tokens[0] ?? '');
  if (slash) tokens = tokens.slice(1);
  const first = tokens[0];
  const sub = first !== undefined && !OPTION.test(first) ? first : undefined;
  if (sub !== undefined) tokens = tokens.slice(1);
  if (!tokens.every((t) => OPTION.test(t))) return slash ? { slash, sub, options: [] } : undefined;
  const options = tokens.map((t) => OPTION.exec(t)?.[1] ?? t);
  if (!slash && options.length === 0) return undefined;
  return { slash, ...(sub === undefined ? {} : { sub }), options };
}

/**
 * What a Discord guide names that is not registered. In a table row whose first cell names a subcommand,
 * bare options (`state:`) belong to that subcommand; elsewhere a bare option must exist on some subcommand.
 */
function unregisteredIn(markdown: string): string[] {
  const problems: string[] = [];
  for (const line of prose(markdown).split('\n')) {
    const row = line.startsWith('|') ? /^\|\s*`([^`]+)`/.exec(line)?.[1] : undefined;
    const context = row === undefined ? undefined : SUBCOMMANDS.get(row);
    for (const span of codeSpans(line)) {
      const command = asCommand(span);
      if (!command) continue;
      const sub = command.sub ?? (command.slash ? undefined : context?.name);
      const registered = sub === undefined ? undefined : SUBCOMMANDS.get(sub);
      if (sub !== undefined && !registered) {
        problems.push(`\`${span}\`: no subcommand ${sub}`);
        continue;
      }
      for (const option of command.options) {
        const known = registered
          ? registered.options.has(option)
          : [...SUBCOMMANDS.values()].some((s) => s.options.has(option));
        if (!known)
          problems.push(`\`${span}\`: no option ${option}${registered ? ` on ${registered.name}` : ''}`);
      }
    }
  }
  return problems;
}

/** `/contactway <command>` spans in a guide for Slack or the console must name a command of commands/. */
function unknownCommandsIn(markdown: string): string[] {
  const names = new Set(COMMANDS.map((c) => c.name));
  return codeSpans(markdown)
    .map((span) => span.trim().split(/\s+/))
    .filter(([slash, name]) => slash === '/contactway' && name !== undefined && !names.has(name))
    .map((tokens) => `\`${tokens.join(' ')}\``);
}

describe('docs: the Discord guide names only registered subcommands and options', () => {
  const guide = read('adapters/discord/README.md');

  it('GIVEN the registered /contactway THEN every subcommand and option the Discord guide names exists', () => {
    expect(unregisteredIn(guide)).toEqual([]);
  });

  it('GIVEN every registered subcommand THEN the Discord guide names it', () => {
    const spans = codeSpans(guide);
    const missing = [...new Set([...SUBCOMMANDS.values()].map((s) => s.name))].filter(
      (name) => !spans.some((span) => span === name || span.startsWith(`${name} `)),
    );
    expect(missing).toEqual([]);
  });

  it("GIVEN the guide's form table THEN each row's slash options are the registered ones and its form the modal Discord gets", () => {
    const rows = tableAfter(guide, '## Forms and slash options');
    const withForm = COMMANDS.filter((c) => c.form).map((c) => c.name);
    expect(rows.map(([cell]) => codeSpans(cell ?? '')[0]).filter((n) => n !== undefined)).toEqual(
      expect.arrayContaining(withForm),
    );
    for (const [who = '', options = '', form = ''] of rows) {
      const [name = '', ...without] = codeSpans(who).map((span) => OPTION.exec(span)?.[1] ?? span);
      const command = findCommand(name);
      const registered = SUBCOMMANDS.get(name);
      expect(command && registered, name).toBeTruthy();
      if (!command || !registered) continue;
      const named = codeSpans(options).map((span) => OPTION.exec(span)?.[1] ?? span);
      const expected = [...new Set(registered.options.values())].filter((o) => !without.includes(o));
      expect([...named].sort(), who).toEqual(expected.sort());
      const args = Object.fromEntries(
        command.args.filter((a) => !without.includes(a.name)).map((a) => [a.name, 'zhangsan']),
      );
      const opened = formFor({ command, args }, 'en');
      expect(opened, name).toBeDefined();
      if (!opened) continue;
      const labels = [...form.matchAll(/\*\*([^*]+)\*\*/g)].map((m) => m[1]);
      expect(labels, who).toEqual(modalFieldsOf(opened).map((f) => f.label));
    }
  });

  it('GIVEN a guide naming options that are not registered THEN each is reported', () => {
    expect(unregisteredIn('`close user: external_user:`, `temp welcome:`, `/联系我 临时码 成员:`')).toEqual([
      '`close user: external_user:`: no option user on close',
      '`close user: external_user:`: no option external_user on close',
      '`temp welcome:`: no option welcome on temp',
    ]);
    expect(unregisteredIn('| `new` | `user:` |\n`nope:`, `/contactway purge`, `sync config_id:`')).toEqual([
      '`user:`: no option user on new',
      '`nope:`: no option nope',
      '`/contactway purge`: no subcommand purge',
      '`sync config_id:`: no option config_id on sync',
    ]);
  });
});

describe('docs: the README and the other guides name only commands that exist', () => {
  it("GIVEN the README's command table THEN it lists exactly the commands of commands/", () => {
    const listed = tableAfter(read('README.md'), '## Commands').map(
      ([cell]) => /^`([^`\s]+)/.exec(cell ?? '')?.[1] ?? cell,
    );
    expect(listed.length).toBeGreaterThan(0);
    expect([...listed].sort()).toEqual(COMMANDS.map((c) => c.name).sort());
  });

  for (const path of [
    'README.md',
    'adapters/slack/README.md',
    'adapters/console/README.md',
    'docs/callbacks.md',
  ]) {
    it(`GIVEN ${path} THEN every /contactway command it shows exists`, () => {
      expect(unknownCommandsIn(read(path))).toEqual([]);
    });
  }

  it('GIVEN the README THEN a newcomer reads it in one sitting and finds the two commands', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(300);
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});

describe('docs: links between the guides resolve', () => {
  for (const path of guideFiles()) {
    it(`GIVEN ${path} THEN every relative link names a file that exists, and a heading when it has an anchor`, () => {
      expect(brokenLinks(path)).toEqual([]);
    });
  }

  it('GIVEN the README THEN it links every guide', () => {
    const linked = new Set(links(read('README.md')).map((l) => l.file));
    expect(guideFiles().filter((path) => path !== 'README.md' && !linked.has(path))).toEqual([]);
  });

  it('GIVEN headings with punctuation THEN anchors are made as GitHub makes them', () => {
    expect(slug('Stopping (SIGTERM, SIGINT)')).toBe('stopping-sigterm-sigint');
    expect(slug('After the QR: WeCom callbacks')).toBe('after-the-qr-wecom-callbacks');
    expect(slug("Configure it in WeCom's admin console")).toBe('configure-it-in-wecoms-admin-console');
  });
});
