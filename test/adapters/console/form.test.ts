import { afterEach, describe, expect, it } from 'vitest';
import { displayWidth } from '../../../adapters/console/width.js';
import { asTyped } from '../../fixtures/console-lines.js';
import { type ConsoleSession, startConsoleSession } from '../../fixtures/console-session.js';

let session: ConsoleSession | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

/** What a terminal shows of a transcript: escape sequences (readline's redraws) left out. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is removed
const shown = (text: string) => text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');

describe('console form at a terminal', () => {
  it('GIVEN Ctrl-C while a form is asked THEN it is cancelled, nothing is created and the prompt takes the next command', async () => {
    session = await startConsoleSession();
    const out = shown(await session.run(['temp zhangsan', 'f', '3d\x03list', 'exit'], { tty: true }));
    expect(out).toContain('Cancelled: nothing was sent.');
    // Still at the prompt: the next line is a command, and the form never reached the service.
    expect(out).toContain('You have no contact ways yet.');
    expect(
      await session.core.service.list({ platform: 'console', workspaceId: 'local', userId: 'tester' }),
    ).toEqual([]);
  });

  it('GIVEN Ctrl-C at the prompt THEN the console stops, like exit', async () => {
    session = await startConsoleSession();
    const out = shown(await session.run(['\x03temp zhangsan', ''], { tty: true }));
    expect(out).not.toContain('Temporary QR for zhangsan');
    expect(
      await session.core.service.list({ platform: 'console', workspaceId: 'local', userId: 'tester' }),
    ).toEqual([]);
  });

  it('GIVEN the yes/no field THEN y and 是 are yes, n and 否 are no, and the prompt shows yes, not true', async () => {
    session = await startConsoleSession();
    const out = await session.run(
      ['y', '是', 'n', '否'].flatMap((answer) => asTyped('temp wangwu', { skip_verify: answer })),
    );
    expect(out).not.toContain('must be yes or no');
    expect(out).toContain('Add without confirmation (y/n) [yes]');
    const ways = await session.core.service.list({
      platform: 'console',
      workspaceId: 'local',
      userId: 'tester',
    });
    const verdicts = ways
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((w) => w.request.skip_verify);
    expect(verdicts).toEqual([true, true, false, false]);
  });

  it('GIVEN a Chinese console THEN the columns of a reply and of a form line up by display width', async () => {
    session = await startConsoleSession();
    const out = shown(await session.run(['temp zhangsan', '', 'exit'], { locale: 'zh' }));
    // The column where a value starts, for the indented line (a form's or a reply's) that ends with it.
    const column = (value: string) => {
      const line = out.split('\n').find((l) => l.startsWith('  ') && l.endsWith(`  ${value}`)) ?? '';
      expect(line).not.toBe('');
      return displayWidth(line.slice(0, line.length - value.length));
    };
    const configId = /config_id\s+([0-9a-f]{32})/.exec(out)?.[1] ?? '';
    // The form's values (二维码有效期 vs 会话时长), then the reply's facts (config_id vs 成员).
    expect(column('7d')).toBe(column('24h'));
    expect(column(configId)).toBe(column('zhangsan'));
  });
});
