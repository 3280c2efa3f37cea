import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONSOLE_FLOW, runConsoleAdapter } from '../../../adapters/console/index.js';
import type { Core } from '../../../src/app.js';
import type { Locale } from '../../../src/base/i18n.js';
import type { ChatActor } from '../../../src/chat/port.js';
import { asOpened } from '../../fixtures/console-lines.js';
import { type ConsoleSession, startConsoleSession } from '../../fixtures/console-session.js';
import { directoryLoaded } from '../../fixtures/directory-loaded.js';

/**
 * Pre-flight and completion through the real console adapter on the real core and the sandbox: a member the
 * directory knows WeCom would refuse is answered at once, with what an admin must do, before any form.
 */

let session: ConsoleSession;
beforeAll(async () => {
  session = await startConsoleSession();
  // The first fill starts with the core and is never awaited by it: wait for it here.
  await directoryLoaded(session.core);
});
afterAll(() => session?.close());

const adds = (core: Core) => core.sandbox?.stats().calls.add_contact_way ?? 0;

describe('pre-flight through the console', () => {
  it('GIVEN temp sunqi (not enabled for customer contact) THEN refused with the admin hint, nothing asked, nothing sent', async () => {
    const before = adds(session.core);
    const out = await session.run(['temp sunqi']);
    expect(out).toContain(
      '✗ This member cannot have a contact way yet\n  sunqi is not enabled for customer contact',
    );
    expect(out).toContain('客户联系 → 权限配置');
    // No form: its title and its first field's prompt never appear.
    expect(out).not.toContain('Temporary QR');
    expect(out).not.toContain('  > ');
    expect(adds(session.core)).toBe(before);
  });

  it('GIVEN temp zhaoliu (not activated) THEN refused with how to activate', async () => {
    const out = await session.run(['temp zhaoliu']);
    expect(out).toContain('zhaoliu has not activated WeCom yet');
    expect(out).not.toContain('  > ');
  });

  it('GIVEN an eligible member or one the directory does not know THEN the form opens as before', async () => {
    expect(await session.run(['temp lisi'])).toContain('Temporary QR');
    const unknown = await session.run(asOpened('temp nobody'));
    expect(unknown).toContain('Temporary QR');
    // WeCom's own errcode explains after the form.
    expect(unknown).toContain('does not exist');
  });

  it('GIVEN a Chinese-speaking requester THEN the refusal is in Chinese', async () => {
    const out = await runTerminal(session.core, 'zh', [['temp sunqi\n', '未开通客户联系']], false);
    expect(out).toContain('sunqi 未开通客户联系');
    expect(out).not.toContain('  > ');
  });
});

describe('pre-flight and CREATE_FOR=mapped', () => {
  let mapped: ConsoleSession;
  beforeAll(async () => {
    mapped = await startConsoleSession({ CREATE_FOR: 'mapped', USER_MAP: 'console:local:tester=zhangsan' });
    await directoryLoaded(mapped.core);
  });
  afterAll(() => mapped?.close());

  it('GIVEN a mapped requester asking for another member THEN the CREATE_FOR refusal, not that member’s status', async () => {
    const out = await mapped.run(asOpened('temp sunqi'));
    expect(out).not.toContain('An admin must add them');
    expect(out).toContain('only create contact ways for yourself');
  });

  it('GIVEN the mapped requester asks for member suggestions THEN only their own member', async () => {
    const flow = mapped.core.chatPort(CONSOLE_FLOW).flow;
    const actor: ChatActor = { platform: 'console', workspaceId: 'local', userId: 'tester', roles: [] };
    const limits = { max: 100, chars: 75 };
    expect(await flow.suggest({ actor, locale: 'en', field: 'user', typed: '' }, limits)).toEqual([
      { value: 'zhangsan', label: '张三 (zhangsan)' },
    ]);
    expect(await flow.suggest({ actor, locale: 'en', field: 'user', typed: 'li' }, limits)).toEqual([]);
  });
});

describe('member suggestions (what Slack external_select and Discord autocomplete call)', () => {
  it('GIVEN typed text THEN eligible members as `name (userid)`, Chinese matched, within the limits', async () => {
    const flow = session.core.chatPort(CONSOLE_FLOW).flow;
    const actor: ChatActor = { platform: 'console', workspaceId: 'local', userId: 'tester', roles: [] };
    const ask = (typed: string, max = 100) =>
      flow.suggest({ actor, locale: 'en', field: 'user', typed }, { max, chars: 75 });
    expect(await ask('张')).toEqual([{ value: 'zhangsan', label: '张三 (zhangsan)' }]);
    expect((await ask('')).map((s) => s.value).sort()).toEqual(['lisi', 'wangwu', 'zhangsan']);
    expect(await ask('', 2)).toHaveLength(2);
    expect(await ask('孙')).toEqual([]);
  });
});

describe('tab completion on a terminal', () => {
  it('GIVEN Tab after a command prefix, a member prefix and a config_id prefix THEN each is completed', async () => {
    const created = await session.run(asOpened('temp wangwu'));
    const configId = /config_id\s+(\S+)/.exec(created)?.[1] ?? '';
    expect(configId).not.toBe('');
    const out = await runTerminal(
      session.core,
      'en',
      [
        ['tem\t', 'temp '],
        ['wa\t', 'ngwu'],
        // Enter submits the completed line: `temp wangwu` opens its form.
        ['\r', 'Temporary QR'],
        ['\u0003', ''],
      ],
      true,
    );
    const shown = await runTerminal(
      session.core,
      'en',
      [
        [`show ${configId.slice(0, 4)}\t`, configId.slice(4)],
        ['\r', '✓'],
      ],
      true,
    );
    expect(shown).toContain(`config_id      ${configId}`);
    expect(out).toContain('Temporary QR');
  });

  it('GIVEN Tab twice after `temp ` THEN eligible members are listed, sunqi (ineligible) is not', async () => {
    let listed = '';
    await runTerminal(
      session.core,
      'en',
      [
        ['temp \t\t', 'zhangsan'],
        ['\u0003', ''],
      ],
      true,
      (shown) => {
        listed ||= shown;
      },
    );
    expect(listed).toContain('lisi');
    expect(listed).not.toContain('sunqi');
  });
});

/**
 * The real adapter on a terminal-like input (isTTY, raw mode) or a pipe: each step types its keys and waits
 * until the screen shows its text; then input ends. Resolves with every byte written.
 */
async function runTerminal(
  core: Core,
  locale: Locale,
  steps: [keys: string, shows: string][],
  tty: boolean,
  onStep?: (shown: string) => void,
): Promise<string> {
  const input = Object.assign(new PassThrough(), tty ? { isTTY: true, setRawMode: () => undefined } : {});
  const output = Object.assign(new PassThrough(), { columns: 200, isTTY: tty });
  let out = '';
  output.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const done = runConsoleAdapter({
    input,
    output,
    port: core.chatPort(CONSOLE_FLOW),
    requester: { platform: 'console', workspaceId: 'local', userId: 'tester', roles: [] },
    locale,
    // No banner: it names the sandbox's members, which the completion must show on its own.
    sandbox: false,
    qrDir: join(mkdtempSync(join(tmpdir(), 'cw-dir-')), 'qr'),
  });
  for (const [keys, shows] of steps) {
    const from = out.length;
    input.write(keys);
    // Tab completes asynchronously (a directory or store lookup): wait for the screen, not for a clock.
    await vi.waitFor(() => expect(out.slice(from)).toContain(shows), { timeout: 5_000 });
    onStep?.(out.slice(from));
  }
  input.end();
  await done;
  return out;
}
