import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../adapters/index.js';
import { ConfigError } from '../../src/base/errors.js';
import { readBotSettings } from '../../src/compose.js';
import { spawnGroup, stopGroup } from '../fixtures/child-process.js';

/**
 * WORKERS refused at the door (`tsx src/main.ts`): the process exits 1 before it opens a store or forks, with
 * one line naming WORKERS and why. No store is reached, so these need no Redis.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const dir = mkdtempSync(join(tmpdir(), 'contactway-workers-refused-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Real WeCom settings (never reached): the sandbox refusal is not the one under test unless they are left out. */
const WECOM = { WECOM_CORP_ID: 'ww0123456789abcdef', WECOM_CORP_SECRET: 'not-a-real-secret' };
const REDIS = { STORE_URL: 'redis://127.0.0.1:1' };
const SLACK = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'a'.repeat(32) };

async function refused(env: Record<string, string>): Promise<{ code: number | null; lines: string[] }> {
  const child = spawnGroup(TSX, [join(ROOT, 'src', 'main.ts')], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString('utf8');
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  // Anything of its group left (none expected) goes too.
  await stopGroup(child, { signal: 'SIGKILL' });
  return { code, lines: output.split('\n').filter((l) => l.trim()) };
}

describe('WORKERS refused at startup', () => {
  it.each([
    [
      'zero',
      { WORKERS: 'zero', ...REDIS, ...WECOM },
      /WORKERS must be a number of processes from 1 to 64, or auto/,
    ],
    [
      '2 on sqlite',
      { WORKERS: '2', STORE_URL: `sqlite://${join(dir, 'x.sqlite')}`, ...WECOM },
      /WORKERS must be 1 with a sqlite STORE_URL: its file and in-process locks cannot coordinate processes/,
    ],
    [
      '2 with the console',
      { WORKERS: '2', ...REDIS, ...WECOM },
      /WORKERS must be 1 with the console adapter/,
    ],
  ])(
    'GIVEN WORKERS=%s THEN the process exits 1 with one line naming WORKERS',
    async (_, env, why) => {
      const { code, lines } = await refused(env);
      expect(code, lines.join('\n')).toBe(1);
      expect(lines, lines.join('\n')).toHaveLength(1);
      expect(lines[0]).toMatch(/^contactway: Invalid configuration: WORKERS /);
      expect(lines[0]).toMatch(why);
    },
    30_000,
  );
});

/** The same reading main.ts does (the composer's), without a process per case. */
function settingsError(env: Record<string, string>): string {
  try {
    readBotSettings(env, ADAPTERS);
  } catch (error) {
    if (error instanceof ConfigError) return error.human.en;
    throw error;
  }
  return 'accepted';
}

describe('WORKERS settings', () => {
  it.each([
    [
      '0',
      { WORKERS: '0', ...REDIS, ...WECOM },
      /^Invalid configuration: WORKERS must be a number of processes/,
    ],
    ['65', { WORKERS: '65', ...REDIS, ...WECOM }, /WORKERS must be a number of processes from 1 to 64/],
    [
      '2 on memory:',
      { WORKERS: '2', STORE_URL: 'memory:', ...WECOM },
      /WORKERS must be 1 with a memory STORE_URL/,
    ],
    ['2 on the sandbox', { WORKERS: '2', ...REDIS }, /WORKERS must be 1 on the embedded WeCom sandbox/],
    [
      '2 with Discord',
      {
        WORKERS: '2',
        ...REDIS,
        ...WECOM,
        DISCORD_TOKEN: 'x.y.z',
        DISCORD_APPLICATION_ID: '123456789012345678',
      },
      /^Invalid configuration: WORKERS must be 1 with discord: the bot may hold one connection/,
    ],
    ['2 on sqlite, in Chinese too', { WORKERS: '2', ...WECOM }, /WORKERS must be 1 with a sqlite STORE_URL/],
  ])('GIVEN WORKERS=%s THEN it is refused, naming WORKERS', (_, env, why) => {
    expect(settingsError(env)).toMatch(why);
  });

  it('GIVEN the refusal THEN its Chinese line names WORKERS too', () => {
    try {
      readBotSettings({ WORKERS: '2', ...WECOM }, ADAPTERS);
    } catch (error) {
      expect((error as ConfigError).human.zh).toMatch(/WORKERS 使用 sqlite 的 STORE_URL 时须为 1/);
      return;
    }
    throw new Error('accepted');
  });

  it.each([
    ['1 on sqlite', { WORKERS: '1', ...WECOM }, 1],
    ['2 on Redis with Slack', { WORKERS: '2', ...REDIS, ...WECOM, ...SLACK }, 2],
    ['2 on PostgreSQL with Slack', { WORKERS: '2', STORE_URL: 'postgres://u@h/db', ...WECOM, ...SLACK }, 2],
    ['auto on Redis with Slack', { WORKERS: 'auto', ...REDIS, ...WECOM, ...SLACK }, availableParallelism()],
    ['unset', { ...WECOM }, 1],
  ])('GIVEN WORKERS=%s THEN it is accepted', (_, env, workers) => {
    expect(readBotSettings(env, ADAPTERS).config.WORKERS).toBe(workers);
  });
});
