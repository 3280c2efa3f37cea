import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnGroup } from '../../fixtures/child-process.js';
import { asOpened } from '../../fixtures/console-lines.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'contactway-console-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The console as `npm start` runs it, a child process on stdin/stdout. Field errors and the fields asked
 * again are the chat contract's (test/chat-contract.ts).
 */

/** Runs `npm start`'s entry point as a person would, with no credentials, feeding it lines on stdin. */
function runConsole(
  lines: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawnGroup(join(ROOT, 'node_modules/.bin/tsx'), ['src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        STORE_URL: `sqlite://${join(dir, 'contactway.sqlite')}`,
        QR_DIR: join(dir, 'qr'),
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

describe('console adapter, end to end on the sandbox', () => {
  let configId = '';

  it('GIVEN no credentials WHEN a person types temp zhangsan and presses Enter once THEN a QR and its config_id', async () => {
    const { stdout, stderr, code } = await runConsole([...asOpened('temp zhangsan'), 'exit']);
    expect(code).toBe(0);
    expect(stdout).toContain('SANDBOX');
    expect(stdout).toContain('Temporary QR for zhangsan');
    configId = /config_id\s+([0-9a-f]{32})/.exec(stdout)?.[1] ?? '';
    expect(configId).not.toBe('');
    // The terminal QR is drawn with block characters, and the PNG is saved where the reply says.
    expect(stdout).toMatch(/[▄▀█]{5,}/);
    const png = join(dir, 'qr', `qr-${configId}.png`);
    expect(stdout).toContain(png);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect(stderr).not.toMatch(/"level":50/);
  });

  it('GIVEN a restart THEN list still shows it; end of input stops cleanly', async () => {
    expect(existsSync(join(dir, 'contactway.sqlite'))).toBe(true);
    const { stdout, code } = await runConsole(['/contactway list']);
    expect(code).toBe(0);
    expect(stdout).toContain(configId);
  });

  it('GIVEN bad values typed field by field THEN each is refused at once by its label and only it is asked again', async () => {
    const { stdout, code } = await runConsole([
      'temp lisi',
      'f',
      '15d',
      '2d',
      '',
      'x'.repeat(31),
      '',
      '',
      'maybe',
      'y',
      '', // conclusions
      '', // image
      '', // closing_link
      '', // closing_miniprogram
      '', // welcome
      '', // welcome_links
      '', // welcome_miniprograms
      '', // welcome_image
      '', // unionid
      '', // remove_images
      'exit',
    ]);
    expect(code).toBe(0);
    const validFor = '  QR valid for [7d] — ';
    // Refused right after it is typed, by the label shown, and that field asked again before the next one.
    expect(stdout).toContain(
      `> 15d\n  ✗ QR valid for: must be at most 14 days (1209600 seconds)\n${validFor}`,
    );
    expect(stdout).toContain(`  ✗ Remark: must be at most 30 characters\n  Remark — `);
    expect(stdout).toContain(
      '> maybe\n  ✗ Add without confirmation: must be yes or no\n  Add without confirmation (y/n) [yes]',
    );
    // Asked again alone: the session field after the good duration, once.
    expect(stdout.split('  Session lasts [24h]').length - 1).toBe(1);
    expect(stdout).not.toMatch(/expires_in|skip_verify/);
    expect(stdout).toContain('Temporary QR for lisi');
  });

  it('GIVEN a closing link card and a welcome link typed at the prompts THEN the QR reply describes both (issue 21)', async () => {
    const { stdout, code } = await runConsole([
      'temp lisi',
      'f',
      ...Array(6).fill(''), // expires_in … conclusions keep their defaults
      '', // image
      'Hours | https://clinic.example/hours', // closing_link
      '', // closing_miniprogram
      'Hi', // welcome
      'Prices | https://clinic.example/prices', // welcome_links
      '', // welcome_miniprograms
      '', // welcome_image
      '', // unionid
      '', // remove_images
      'exit',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('Temporary QR for lisi');
    expect(stdout).toMatch(/Closing message\s+link “Hours” \(https:\/\/clinic\.example\/hours\)/);
    expect(stdout).toMatch(/Welcome message\s+text “Hi”; link “Prices”/);
  });

  it('GIVEN a scan that fails and LOG_FORMAT=pretty THEN stderr has one human line: no JSON, no stack', async () => {
    const { stdout, stderr, code } = await runConsole(['scan 0123456789abcdef0123456789abcdef', 'exit'], {
      LOG_FORMAT: 'pretty',
    });
    expect(code).toBe(0);
    expect(stdout).toContain('✗ ');
    expect(stderr).toMatch(/^warning: WECOM SANDBOX: WECOM_CORP_ID is not set/m);
    expect(stderr).toMatch(/^warning: sandbox scan failed: .+ \(sandbox\.[a-z_]+\)$/m);
    expect(stderr).not.toContain('{"');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('GIVEN a pipe and no LOG_FORMAT THEN the logs stay JSON for whatever collects them', async () => {
    const { stderr, code } = await runConsole(['scan 0123456789abcdef0123456789abcdef', 'exit']);
    expect(code).toBe(0);
    const lines = stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ app: 'contactway' });
  });

  it('GIVEN an unknown command and a WeCom refusal THEN clear messages, no stack trace', async () => {
    const { stdout, code } = await runConsole([
      'frob',
      'temp nobody',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      'temp zhaoliu',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('unknown command "frob"');
    expect(stdout).not.toMatch(/\n\s+at \S+ \(/);
    // nobody is not in the sandbox directory (60111); zhaoliu has not activated WeCom (41054).
    expect(stdout.match(/✗ /g)?.length).toBeGreaterThanOrEqual(3);
  });
});
