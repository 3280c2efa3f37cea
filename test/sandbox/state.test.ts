import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/base/logger.js';
import { loadConfig } from '../../src/config.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

/**
 * Issue 19 items 2 and 3 at the sandbox's own doors (its HTTP API, its controls, its landing page): state kept
 * across restarts in the file given, and a used temp QR that says so instead of looking alive or unknown.
 */
const dir = mkdtempSync(join(tmpdir(), 'cw-sandbox-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, unknown> & { errcode: number };
// A restarted sandbox listens on the same port: a kept-alive socket to the one before would be dead.
const fresh = { connection: 'close' };
const TEMP = { type: 1, scene: 2, user: ['zhangsan'], is_temp: true };

async function tokenOf(sb: Sandbox): Promise<string> {
  const q = new URLSearchParams({ corpid: sb.corpId, corpsecret: sb.corpSecret });
  const res = await fetch(`${sb.url}/cgi-bin/gettoken?${q}`, { headers: fresh });
  return ((await res.json()) as Json).access_token as string;
}

async function call(sb: Sandbox, token: string, endpoint: string, body: unknown): Promise<Json> {
  const res = await fetch(`${sb.url}/cgi-bin/externalcontact/${endpoint}?access_token=${token}`, {
    method: 'POST',
    headers: fresh,
    body: JSON.stringify(body),
  });
  return (await res.json()) as Json;
}

async function scanOverHttp(sb: Sandbox, configId: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${sb.url}/sandbox/scan`, {
    method: 'POST',
    headers: { ...fresh, 'content-type': 'application/json' },
    body: JSON.stringify({ config_id: configId }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

function captured() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

const running: Sandbox[] = [];
const start = async (statePath?: string, now?: () => number) => {
  const log = captured();
  const sb = await startSandbox({
    logger: log.logger,
    ...(statePath ? { statePath } : {}),
    ...(now ? { now } : {}),
  });
  running.push(sb);
  return { sb, lines: log.lines };
};
afterEach(async () => {
  await Promise.all(running.splice(0).map((sb) => sb.close()));
});

describe('sandbox state across restarts', () => {
  it('GIVEN ways, a customer and a token before a restart THEN all answer after it, on the same URL', async () => {
    const path = join(dir, 'restart', 'sandbox.json');
    const first = (await start(path)).sb;
    const token = await tokenOf(first);
    const permanent = await call(first, token, 'add_contact_way', { type: 1, scene: 2, user: ['lisi'] });
    const temp = await call(first, token, 'add_contact_way', TEMP);
    const scanned = await first.scan(temp.config_id as string);
    await first.close();

    const { sb: second } = await start(path);
    // The port is reused, so qr_code URLs the bot handed out before still open.
    expect(second.url).toBe(first.url);
    // The token issued before the restart still works: no 40014.
    const got = await call(second, token, 'get_contact_way', { config_id: permanent.config_id });
    expect(got.errcode).toBe(0);
    expect((await call(second, token, 'list_contact_way', {})).contact_way).toEqual([
      { config_id: permanent.config_id },
    ]);
    expect((await call(second, token, 'get_contact_way', { config_id: temp.config_id })).errcode).toBe(0);
    expect(second.customer(scanned.externalUserId)?.name).toBe(scanned.name);
    // The temp QR stays used: refused with who used it, not as unknown.
    const again = await scanOverHttp(second, temp.config_id as string);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('sandbox.scan_used');
    expect(again.body.error).toContain(`already used by ${scanned.name} (${scanned.externalUserId}) at `);
    expect(second.stats().gettoken).toBe(0);
  });

  it('GIVEN the state file THEN it is owner-only and holds no usable token', async () => {
    const path = join(dir, 'modes', 'sandbox.json');
    const { sb } = await start(path);
    const token = await tokenOf(sb);
    await sb.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).not.toContain(token);
    expect(readdirSync(join(dir, 'modes'))).toEqual(['sandbox.json']);
  });

  it('GIVEN a corrupt or other-version state file THEN the sandbox starts empty with a warning and sets it aside', async () => {
    const path = join(dir, 'corrupt', 'sandbox.json');
    const seed = await start(path);
    await seed.sb.close();
    for (const content of ['{not json', JSON.stringify({ version: 99 })]) {
      writeFileSync(path, content);
      const { sb, lines } = await start(path);
      const token = await tokenOf(sb);
      expect((await call(sb, token, 'list_contact_way', {})).contact_way).toEqual([]);
      expect(lines.join('')).toMatch(/state file is corrupt or of another version; starting empty/);
      await sb.close();
      // The next run reads what this one wrote.
      expect(JSON.parse(readFileSync(path, 'utf8')).version).toBe(1);
    }
    expect(readdirSync(join(dir, 'corrupt')).filter((f) => f.includes('.unused-'))).toHaveLength(2);
  });

  it('GIVEN no statePath THEN nothing is written', async () => {
    const cwd = process.cwd();
    const { sb } = await start();
    await call(sb, await tokenOf(sb), 'add_contact_way', TEMP);
    await sb.close();
    expect(readdirSync(cwd).filter((f) => f.includes('sandbox'))).toEqual([]);
  });
});

describe('a used or expired temp QR', () => {
  it('GIVEN a scanned temp QR THEN its page says it is no longer valid and a second scan is refused as used', async () => {
    const { sb } = await start();
    const token = await tokenOf(sb);
    const temp = await call(sb, token, 'add_contact_way', TEMP);
    const id = temp.config_id as string;
    const first = await scanOverHttp(sb, id);
    expect(first.status).toBe(200);
    const page = await fetch(`${sb.url}/sandbox/c/${id}`);
    expect(page.status).toBe(410);
    const html = await page.text();
    expect(html).toContain('This QR code is no longer valid / 此二维码已失效');
    expect(html).toContain(`It was already used by ${first.body.name} (${first.body.external_userid}) at `);
    expect(html).not.toContain('Simulate a scan');
    const second = await scanOverHttp(sb, id);
    expect(second.status).toBe(409);
    expect(second.body.error).toMatch(
      /is no longer valid\. It was already used by .+ at \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
    );
    expect(second.body.error_zh).toContain('已失效');
    expect(second.body.error).not.toContain('No such');
    // WeCom's get_contact_way has no "used" field: the way answers as before (only writes are refused on expiry).
    expect((await call(sb, token, 'get_contact_way', { config_id: id })).errcode).toBe(0);
  });

  it('GIVEN an expired temp QR THEN a scan is refused as expired', async () => {
    let nowMs = Date.UTC(2026, 0, 1);
    const { sb } = await start(undefined, () => nowMs);
    const temp = await call(sb, await tokenOf(sb), 'add_contact_way', { ...TEMP, expires_in: 60 });
    nowMs += 60_000;
    const refused = await scanOverHttp(sb, temp.config_id as string);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('sandbox.scan_expired');
    expect(refused.body.error).toMatch(/It expired at 2026-01-01 00:01 UTC\./);
  });
});

describe('SANDBOX_STATE_PATH', () => {
  const pathFor = (env: Record<string, string>) => loadConfig({ ...env }).sandboxStatePath;
  it('GIVEN a sqlite store THEN sandbox.json next to it; memory:, Redis, PostgreSQL or off THEN none; a path THEN that', () => {
    expect(pathFor({})).toBe(join('data', 'sandbox.json'));
    expect(pathFor({ STORE_URL: 'sqlite:///srv/cw/store.sqlite' })).toBe('/srv/cw/sandbox.json');
    expect(pathFor({ STORE_URL: 'sqlite://:memory:' })).toBeUndefined();
    expect(pathFor({ STORE_URL: 'memory:' })).toBeUndefined();
    expect(pathFor({ STORE_URL: 'redis://127.0.0.1:6379' })).toBeUndefined();
    expect(pathFor({ STORE_URL: 'postgres://u@h/db' })).toBeUndefined();
    expect(pathFor({ SANDBOX_STATE_PATH: 'off' })).toBeUndefined();
    expect(pathFor({ STORE_URL: 'memory:', SANDBOX_STATE_PATH: '/tmp/x.json' })).toBe('/tmp/x.json');
  });
});
