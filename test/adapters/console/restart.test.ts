import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asOpened, asTyped } from '../../fixtures/console-lines.js';
import { type ConsoleSession, startConsoleSession } from '../../fixtures/console-session.js';

/**
 * Issue 19 item 3, through the console on the real core and its embedded sandbox: the bot is stopped and started
 * again on the same sqlite data folder. Before, the sandbox forgot everything: `show` and `scan` failed on the
 * ways `list` showed, the first call after the restart met 40014 with the token the store had cached, and
 * `sync` found nothing. Now the sandbox keeps its state next to the store (sandbox.json).
 */
const dir = mkdtempSync(join(tmpdir(), 'cw-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = { STORE_URL: `sqlite://${join(dir, 'contactway.sqlite')}`, ADMINS: 'console:local:tester' };
const configIdIn = (out: string): string => /config_id\s+([0-9a-f]{32})/.exec(out)?.[1] ?? '';

describe('console on the sandbox: a restart keeps the ways', () => {
  let session: ConsoleSession | undefined;
  afterAll(() => session?.close());

  it('GIVEN a temp and a permanent way made before a restart THEN show, scan, sync and a new creation work after it, with no token error', async () => {
    session = await startConsoleSession(env);
    const temp = configIdIn(await session.run(asOpened('temp zhangsan')));
    const permanent = configIdIn(await session.run(asTyped('new', { user: 'zhangsan' })));
    expect(temp).not.toBe('');
    expect(permanent).not.toBe('');
    await session.close();

    session = await startConsoleSession(env);
    const sandbox = session.core.sandbox!;
    const out = await session.run([
      'list',
      `show ${temp}`,
      `scan ${temp}`,
      `scan ${temp}`,
      'sync',
      ...asOpened('temp lisi'),
      'exit',
    ]);
    expect(out).toContain(temp);
    expect(out).toContain(permanent);
    expect(out).not.toContain('No such sandbox contact way');
    // The first scan adds a customer; the second is refused as WeCom would: the temp QR is used up.
    expect(out).toMatch(new RegExp(`scanned ${temp}`));
    expect(out).toMatch(
      /This temporary QR code \([0-9a-f]{32}\) is no longer valid\. It was already used by \S+ \(wm/,
    );
    // Both ways were still known to "WeCom": nothing to import.
    expect(out).toContain('Imported 0; 1 already known.');
    expect(configIdIn(out.slice(out.lastIndexOf('temp lisi')))).toMatch(/^[0-9a-f]{32}$/);
    // The token the store cached before the restart still works: no gettoken, no 40014 retry.
    expect(sandbox.stats().gettoken).toBe(0);
    expect(session.logs.lines.join('\n')).not.toMatch(/40014/);
  }, 60_000);
});
