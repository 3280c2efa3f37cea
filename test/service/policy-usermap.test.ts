import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { loadConfig } from '../../src/config.js';
import { parseUserMap } from '../../src/service/policy.js';
import { spawnGroup } from '../fixtures/child-process.js';
import { PLATFORMS } from '../fixtures/start-core.js';

/**
 * USER_MAP (and POLICY_FILE's userMap) parsed strictly (issue 10, item 12): an entry that is not
 * `platform:workspace:user=userid` with a valid WeCom userid, or a chat identity given twice, stops the bot at
 * startup with one line naming USER_MAP, as any other bad variable does.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'contactway-usermap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseUserMap', () => {
  it('GIVEN well-formed entries THEN each identity maps to its userid, spaces and empty entries ignored', () => {
    expect(
      parseUserMap(' slack:T1:U1=zhangsan , discord:G1:42=li.si@corp,, console:local:alice=wang_wu '),
    ).toEqual({
      'slack:T1:U1': 'zhangsan',
      'discord:G1:42': 'li.si@corp',
      'console:local:alice': 'wang_wu',
    });
    expect(parseUserMap(undefined)).toEqual({});
    expect(parseUserMap('')).toEqual({});
  });

  it.each([
    ['slack:T1:U1', /USER_MAP.*entry 1.*"="/],
    ['slack:T1:U1=zhangsan,slack:T1:U2', /USER_MAP.*entry 2.*"="/],
    ['slack:T1:U1=bad/id!', /USER_MAP.*entry 1.*userid/],
    ['slack:T1:U1=', /USER_MAP.*entry 1.*userid/],
    ['slack:T1:U1=a=b', /USER_MAP.*entry 1.*userid/],
    ['slack:T1=zhangsan', /USER_MAP.*entry 1.*platform:workspace:user/],
    ['teams:T1:U1=zhangsan', /USER_MAP.*entry 1.*platform:workspace:user/],
    ['slack:T1:U1:extra=zhangsan', /USER_MAP.*entry 1.*platform:workspace:user/],
    ['=zhangsan', /USER_MAP.*entry 1.*platform:workspace:user/],
    ['slack:T1:U1=zhangsan,slack:T1:U1=lisi', /USER_MAP.*entry 2.*same chat identity as entry 1/],
  ])('GIVEN %s THEN a ConfigError naming USER_MAP and the entry', (value, message) => {
    const error = configError(() => parseUserMap(value, PLATFORMS));
    expect(error.human.en).toMatch(message);
    expect(error.human.zh).toContain('USER_MAP');
    // The message is one line, and names the entry rather than echoing it.
    expect(error.human.en).not.toContain('\n');
  });

  it('GIVEN a bad USER_MAP THEN loadConfig stops with a ConfigError naming it', () => {
    expect(configError(() => loadConfig({ USER_MAP: 'slack:T1:U1' })).human.en).toMatch(/^USER_MAP/);
  });

  it("GIVEN POLICY_FILE's userMap with a bad identity or userid THEN the same strictness, naming userMap", () => {
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ userMap: { 'slack:T1': 'zhangsan' } }));
    expect(configError(() => loadConfig({ POLICY_FILE: file })).human.en).toMatch(/userMap/);
    writeFileSync(file, JSON.stringify({ userMap: { 'slack:T1:U1': 'bad/id!' } }));
    expect(configError(() => loadConfig({ POLICY_FILE: file })).human.en).toMatch(/userMap/);
    writeFileSync(file, JSON.stringify({ userMap: { 'slack:T1:U1': 'zhangsan' } }));
    expect(loadConfig({ POLICY_FILE: file }).policy.userMap).toEqual({ 'slack:T1:U1': 'zhangsan' });
  });
});

describe('npm start with a bad USER_MAP', () => {
  it('GIVEN USER_MAP=slack:T1:U1 (no "=") THEN the bot exits 1 with one line naming USER_MAP', async () => {
    const { code, stderr, stdout } = await new Promise<{
      code: number | null;
      stderr: string;
      stdout: string;
    }>((resolve, reject) => {
      const child = spawnGroup(join(ROOT, 'node_modules/.bin/tsx'), ['src/main.ts'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          STORE_URL: `sqlite://${join(dir, 'store.sqlite')}`,
          QR_DIR: join(dir, 'qr'),
          JOURNAL_PATH: join(dir, 'journal.jsonl'),
          CREATE_FOR: 'mapped',
          USER_MAP: 'slack:T1:U1',
        },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        err += d;
      });
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ code: exitCode, stderr: err, stdout: out }));
      child.stdin.end();
    });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^contactway: USER_MAP/);
    expect(stdout).not.toContain('contactway>');
  });
});
