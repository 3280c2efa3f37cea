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
function runConsole(lines: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawnGroup(join(ROOT, 'node_modules/.bin/tsx'), ['src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        STORE_URL: `sqlite://${join(dir, 'contactway.sqlite')}`,
        QR_DIR: join(dir, 'qr'),
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

  it('GIVEN no credentials WHEN a person types temp zhangsan and presses Enter through the form THEN a QR and its config_id', async () => {
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
