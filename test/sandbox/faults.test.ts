import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { spawnGroup, stopGroup } from '../fixtures/child-process.js';

type Json = Record<string, unknown> & { errcode: number; errmsg: string };

async function gettoken(sb: Sandbox): Promise<Response> {
  return fetch(`${sb.url}/cgi-bin/gettoken?corpid=${sb.corpId}&corpsecret=${sb.corpSecret}`);
}

async function tokenOf(sb: Sandbox): Promise<string> {
  return ((await (await gettoken(sb)).json()) as Json).access_token as string;
}

function post(sb: Sandbox, token: string, endpoint: string, body: unknown, signal?: AbortSignal) {
  return fetch(`${sb.url}/cgi-bin/externalcontact/${endpoint}?access_token=${token}`, {
    method: 'POST',
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

async function list(sb: Sandbox, token: string): Promise<Json> {
  return (await (await post(sb, token, 'list_contact_way', {})).json()) as Json;
}

function control(sb: Sandbox, path: string, body?: unknown, method = 'POST') {
  return fetch(`${sb.url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

describe('sandbox: fault injection in-process', () => {
  let sb: Sandbox;
  let token: string;
  beforeAll(async () => {
    sb = await startSandbox();
    token = await tokenOf(sb);
  });
  afterAll(() => sb.close());
  afterEach(() => {
    sb.clearFaults();
    sb.setLatency(0);
  });

  it('GIVEN errcode -1 twice THEN two calls answer it and the third is normal', async () => {
    sb.inject({ errcode: -1, times: 2 });
    const first = await list(sb, token);
    expect(first.errcode).toBe(-1);
    expect(first.errmsg).toMatch(/^system busy, hint: .*e=-1$/);
    expect((await list(sb, token)).errcode).toBe(-1);
    expect((await list(sb, token)).errcode).toBe(0);
  });

  it('GIVEN a fault for one endpoint THEN other calls pass and it waits for its endpoint', async () => {
    sb.inject({ errcode: 45009, errmsg: 'api freq out of limit', endpoint: 'add_contact_way' });
    expect((await list(sb, token)).errcode).toBe(0);
    expect((await gettoken(sb)).status).toBe(200);
    const res = (await (
      await post(sb, token, 'add_contact_way', { type: 1, scene: 2, user: ['zhangsan'] })
    ).json()) as Json;
    expect(res).toEqual({ errcode: 45009, errmsg: 'api freq out of limit' });
  });

  it('GIVEN a gettoken fault THEN only gettoken fails', async () => {
    sb.inject({ errcode: 40001, endpoint: 'gettoken' });
    expect((await list(sb, token)).errcode).toBe(0);
    expect(((await (await gettoken(sb)).json()) as Json).errcode).toBe(40001);
    expect(((await (await gettoken(sb)).json()) as Json).errcode).toBe(0);
  });

  it('GIVEN an HTTP 503 fault THEN the answer is 503 with a non-JSON body', async () => {
    sb.inject({ status: 503 });
    const res = await post(sb, token, 'list_contact_way', {});
    expect(res.status).toBe(503);
    await expect(res.json()).rejects.toThrow();
    expect((await list(sb, token)).errcode).toBe(0);
  });

  it('GIVEN status and errcode THEN that status with a WeCom JSON body', async () => {
    sb.inject({ status: 500, errcode: -1 });
    const res = await post(sb, token, 'list_contact_way', {});
    expect(res.status).toBe(500);
    expect(((await res.json()) as Json).errcode).toBe(-1);
  });

  it('GIVEN a garbage fault THEN HTTP 200 labelled JSON whose body does not parse', async () => {
    sb.inject({ garbage: true });
    const res = await post(sb, token, 'list_contact_way', {});
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    await expect(res.json()).rejects.toThrow();
  });

  it('GIVEN latency THEN calls take at least that long', async () => {
    sb.setLatency(150);
    const started = performance.now();
    expect((await list(sb, token)).errcode).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('GIVEN clearFaults THEN queued faults are dropped', async () => {
    sb.inject({ errcode: -1, times: 5 });
    sb.clearFaults();
    expect((await list(sb, token)).errcode).toBe(0);
  });

  it('GIVEN a malformed fault THEN inject throws instead of never matching', () => {
    expect(() => sb.inject({ endpoint: 'add_contactway', errcode: -1 })).toThrow();
    expect(() => sb.inject({})).toThrow();
  });

  it('GIVEN expireTokens() THEN 42001; expireTokens(40014) THEN 40014; a new token works', async () => {
    sb.expireTokens();
    expect((await list(sb, token)).errcode).toBe(42001);
    token = await tokenOf(sb);
    sb.expireTokens(40014);
    expect((await list(sb, token)).errcode).toBe(40014);
    token = await tokenOf(sb);
    expect((await list(sb, token)).errcode).toBe(0);
  });
});

describe('sandbox: hang, stats and latency option', () => {
  it('GIVEN a hang fault THEN the client times out and close() releases the connection', async () => {
    const sb = await startSandbox();
    const token = await tokenOf(sb);
    sb.inject({ hang: true });
    await expect(post(sb, token, 'list_contact_way', {}, AbortSignal.timeout(200))).rejects.toThrow(
      /timeout|aborted/i,
    );
    sb.inject({ hang: true });
    const pending = post(sb, token, 'list_contact_way', {});
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    await sb.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });

  it('GIVEN latencyMs as an option and a call in flight THEN close() does not wait for it', async () => {
    const sb = await startSandbox({ latencyMs: 5000 });
    const pending = gettoken(sb).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    await sb.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('GIVEN some calls THEN stats() and GET /sandbox/stats count gettoken and each endpoint', async () => {
    const sb = await startSandbox();
    try {
      const token = await tokenOf(sb);
      await list(sb, token);
      await list(sb, token);
      sb.inject({ errcode: -1 });
      await post(sb, token, 'get_contact_way', { config_id: 'x' });
      const expected = {
        gettoken: 1,
        calls: {
          add_contact_way: 0,
          get_contact_way: 1,
          list_contact_way: 2,
          update_contact_way: 0,
          del_contact_way: 0,
          close_temp_chat: 0,
        },
      };
      expect(sb.stats()).toEqual(expected);
      expect(await (await fetch(`${sb.url}/sandbox/stats`)).json()).toEqual(expected);
    } finally {
      await sb.close();
    }
  });
});

describe('sandbox: controls over HTTP', () => {
  let sb: Sandbox;
  let token: string;
  beforeAll(async () => {
    sb = await startSandbox();
    token = await tokenOf(sb);
  });
  afterAll(() => sb.close());

  it('GIVEN POST /sandbox/faults THEN the next matching call is faulted; DELETE clears the queue', async () => {
    expect(
      (await control(sb, '/sandbox/faults', { errcode: 6000, times: 1, endpoint: 'list_contact_way' }))
        .status,
    ).toBe(200);
    expect((await list(sb, token)).errcode).toBe(6000);
    expect((await list(sb, token)).errcode).toBe(0);
    await control(sb, '/sandbox/faults', { errcode: -1, times: 3 });
    expect((await control(sb, '/sandbox/faults', undefined, 'DELETE')).status).toBe(200);
    expect((await list(sb, token)).errcode).toBe(0);
  });

  it('GIVEN a bad fault body THEN 400 naming the problem', async () => {
    const res = await control(sb, '/sandbox/faults', { endpoint: 'nope', errcode: 1 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('endpoint');
    expect((await fetch(`${sb.url}/sandbox/faults`, { method: 'POST', body: 'not json{' })).status).toBe(400);
  });

  it('GIVEN POST /sandbox/faults with status, garbage THEN served as in-process', async () => {
    await control(sb, '/sandbox/faults', { status: 502 });
    expect((await post(sb, token, 'list_contact_way', {})).status).toBe(502);
    await control(sb, '/sandbox/faults', { garbage: true });
    await expect((await post(sb, token, 'list_contact_way', {})).json()).rejects.toThrow();
  });

  it('GIVEN POST /sandbox/latency THEN calls slow down until reset', async () => {
    await control(sb, '/sandbox/latency', { ms: 120 });
    const started = performance.now();
    await list(sb, token);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    await control(sb, '/sandbox/latency', { ms: 0 });
  });

  it('GIVEN POST /sandbox/expire-tokens THEN the old token answers the chosen code', async () => {
    await control(sb, '/sandbox/expire-tokens', { code: 40014 });
    expect((await list(sb, token)).errcode).toBe(40014);
    token = await tokenOf(sb);
    await control(sb, '/sandbox/expire-tokens', {});
    expect((await list(sb, token)).errcode).toBe(42001);
    token = await tokenOf(sb);
  });

  it('GIVEN POST /sandbox/scan THEN the temp session exists; a second scan is 409', async () => {
    const add = (await (
      await post(sb, token, 'add_contact_way', { type: 1, scene: 2, user: ['lisi'], is_temp: true })
    ).json()) as Json;
    const scan = { config_id: add.config_id, external_userid: 'wmHTTP' };
    expect((await control(sb, '/sandbox/scan', scan)).status).toBe(200);
    expect((await control(sb, '/sandbox/scan', scan)).status).toBe(409);
    const way = (await (await fetch(`${sb.url}/sandbox/ways/${add.config_id}`)).json()) as {
      usedAtMs?: number;
    };
    expect(way.usedAtMs).toBeTypeOf('number');
    const close = await post(sb, token, 'close_temp_chat', { userid: 'lisi', external_userid: 'wmHTTP' });
    expect(((await close.json()) as Json).errcode).toBe(0);
  });
});

describe('sandbox: npm run sandbox', () => {
  it('GIVEN the CLI on SANDBOX_PORT=0 THEN it prints url, corp id, secret and a curl example, and stops on SIGTERM', async () => {
    const child = spawnGroup(process.execPath, ['--import', 'tsx', 'src/sandbox/cli.ts'], {
      env: { ...process.env, SANDBOX_PORT: '0', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      const deadline = Date.now() + 15_000;
      while (!out.includes('curl') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const url = /url:\s+(http:\/\/\S+)/.exec(out)?.[1];
      expect(url).toBeDefined();
      expect(out).toContain('ww_sandbox_corp');
      expect(out).toContain('sandbox-secret');
      const res = await fetch(`${url}/cgi-bin/gettoken?corpid=ww_sandbox_corp&corpsecret=sandbox-secret`);
      expect(((await res.json()) as Json).errcode).toBe(0);
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      await stopGroup(child, { signal: 'SIGKILL' });
    }
  });
});
