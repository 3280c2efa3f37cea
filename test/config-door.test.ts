import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

/**
 * The first minute of a new install: `cp .env.example .env`, then start. The entry point reads `.env` from
 * the folder it is started in, so each run gets its own folder (the store and QR files land there too).
 */
const ROOT = join(import.meta.dirname, '..');
const EXAMPLE = readFileSync(join(ROOT, '.env.example'), 'utf8');
const folders: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  // tsx runs node as a child: the whole group goes.
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
  }
});
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Starts the real entry point in a fresh folder holding `dotEnv` as its .env, typing `help` and `exit`. */
function startWith(dotEnv: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'contactway-dotenv-'));
  folders.push(cwd);
  writeFileSync(join(cwd, '.env'), dotEnv);
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'src/main.ts')], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd },
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin?.end('help\nexit\n');
  });
}

/** The one line main.ts writes when a setting is refused, or anything logged at error level or worse. */
const REFUSED = /^contactway: |"level":(50|60)/m;

describe('cp .env.example .env && start', () => {
  it('GIVEN the .env.example as shipped, copied as .env THEN the console starts on the sandbox and answers', async () => {
    const { code, stdout, stderr } = await startWith(EXAMPLE);
    expect(stderr).not.toMatch(REFUSED);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('contactway console. Type a command');
    expect(stdout).toContain('contactway> ');
    expect(stdout).toContain('/contactway temp <user>');
  }, 60_000);

  it('GIVEN DEFAULT_LOCALE=zh-CN (as Slack and Discord spell it) THEN the console speaks Chinese', async () => {
    const { code, stdout, stderr } = await startWith(
      EXAMPLE.replace(/^DEFAULT_LOCALE=.*$/m, 'DEFAULT_LOCALE=zh-CN'),
    );
    expect(stderr).not.toMatch(REFUSED);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('contactway 终端');
    expect(stdout).toContain('为成员创建临时会话二维码');
  }, 60_000);

  it('GIVEN DEFAULT_LOCALE=fr THEN it stops with one line naming DEFAULT_LOCALE and what it accepts', async () => {
    const { code, stdout, stderr } = await startWith(
      EXAMPLE.replace(/^DEFAULT_LOCALE=.*$/m, 'DEFAULT_LOCALE=fr'),
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'contactway: Invalid configuration: DEFAULT_LOCALE must be English or Chinese: en, zh or a tag like en-US, zh-CN, zh-Hans\n',
    );
  }, 60_000);

  it('GIVEN DEFAULT_TIMEZONE=Mars/Olympus THEN it stops with one line naming DEFAULT_TIMEZONE and what it accepts', async () => {
    const { code, stdout, stderr } = await startWith(
      EXAMPLE.replace(/^DEFAULT_TIMEZONE=.*$/m, 'DEFAULT_TIMEZONE=Mars/Olympus'),
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'contactway: Invalid configuration: DEFAULT_TIMEZONE must be an IANA time zone name like Asia/Shanghai, America/New_York or UTC\n',
    );
  }, 60_000);
});
