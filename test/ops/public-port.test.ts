import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/base/logger.js';
import { loadConfig } from '../../src/config.js';
import { isDirectLoopback, isLoopbackAddress, startOpsServer } from '../../src/ops/index.js';
import { type SlackHarness, startSlackHarness } from '../fixtures/slack/harness.js';
import { startCoreFromEnv } from '../fixtures/start-core.js';

/**
 * Without OPS_PORT, the ops endpoints share PORT with /slack/events and /wecom/callback, which the whole
 * internet reaches. Through Bolt's real server (Slack HTTP mode): /healthz stays open, /readyz tells outsiders
 * its status and nothing more, /metrics answers only this host or METRICS_TOKEN. Only the socket's peer
 * address counts; a forwarding header never grants, and its presence means a proxy relayed an outsider.
 */

/** An address of this host that is not loopback: connecting to it makes us a non-local peer. */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
if (!outside) console.warn('Non-loopback peer test skipped: this host has no non-internal IPv4 address.');

const TOKEN = 'metrics-token-0123456789abcdef';

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });
const at = (h: SlackHarness, host: string, path: string) => `http://${host}:${h.adapter.port}${path}`;

describe('PORT without OPS_PORT or METRICS_TOKEN (Slack HTTP mode)', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN a request straight from this host THEN /metrics and /readyz answer in full', async () => {
    const metrics = await get(`${h.baseUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE contactway_commands_total counter');
    const ready = await get(`${h.baseUrl}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { store: { ok: true } } });
  });

  it.skipIf(!outside)(
    'GIVEN a peer that is not loopback THEN /metrics is 403, /readyz only its status, /healthz ok',
    async () => {
      const metrics = await get(at(h, outside!, '/metrics'));
      expect(metrics.status).toBe(403);
      expect(await metrics.text()).not.toContain('contactway_');
      const ready = await get(at(h, outside!, '/readyz'));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready' });
      expect(await (await get(at(h, outside!, '/healthz'))).text()).toBe('ok');
    },
  );

  it('GIVEN a proxy on this host relaying an outsider (forwarding headers) THEN /metrics is 403, even when the header claims 127.0.0.1', async () => {
    for (const headers of [
      { 'x-forwarded-for': '203.0.113.7' } as Record<string, string>,
      { 'x-forwarded-for': '127.0.0.1' },
      { forwarded: 'for=127.0.0.1' },
      { 'x-real-ip': '127.0.0.1' },
    ]) {
      expect((await get(`${h.baseUrl}/metrics`, headers)).status, JSON.stringify(headers)).toBe(403);
      expect(await (await get(`${h.baseUrl}/readyz`, headers)).json()).toEqual({ status: 'ready' });
    }
  });

  it('GIVEN the core draining THEN an outsider still learns 503 draining (all a load balancer needs)', async () => {
    const probe = await startSlackHarness();
    try {
      probe.core.ops.requests.drain();
      const ready = await get(`${probe.baseUrl}/readyz`, { 'x-forwarded-for': '203.0.113.7' });
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'draining' });
    } finally {
      await probe.close();
    }
  });
});

describe('PORT with METRICS_TOKEN (Slack HTTP mode)', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN no token or a wrong one THEN /metrics is 401 with a Bearer challenge, from this host too', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer wrong-token-0123456789abcdef' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
    ]) {
      const response = await get(`${h.baseUrl}/metrics`, headers);
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect(await (await get(`${h.baseUrl}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('GIVEN the token THEN /metrics is 200 and /readyz in full, through a proxy or from another peer alike', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await get(`${h.baseUrl}/metrics`, auth)).status).toBe(200);
    expect((await get(`${h.baseUrl}/metrics`, { ...auth, 'x-forwarded-for': '203.0.113.7' })).status).toBe(
      200,
    );
    if (outside) expect((await get(at(h, outside, '/metrics'), auth)).status).toBe(200);
    expect(await (await get(`${h.baseUrl}/readyz`, auth)).json()).toMatchObject({
      status: 'ready',
      checks: { wecom: { ok: true } },
    });
  });
});

describe('OPS_PORT (the internal handler, as main.ts serves it there)', () => {
  const serveOps = async (env: Record<string, string>) => {
    const { core } = await startCoreFromEnv({ STORE_URL: 'memory:', OPS_PORT: '0', ...env }, silentLogger());
    const server = await startOpsServer({ port: 0, handler: core.ops.handler, logger: silentLogger() });
    return {
      url: (path: string) => `http://127.0.0.1:${server.port}${path}`,
      close: async () => {
        await server.close();
        await core.close();
      },
    };
  };

  it('GIVEN no METRICS_TOKEN THEN unchanged: /metrics open to a relayed request too', async () => {
    const ops = await serveOps({});
    try {
      expect((await get(ops.url('/metrics'), { 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    } finally {
      await ops.close();
    }
  });

  it('GIVEN METRICS_TOKEN THEN it is required there as well', async () => {
    const ops = await serveOps({ METRICS_TOKEN: TOKEN });
    try {
      expect((await get(ops.url('/metrics'))).status).toBe(401);
      expect((await get(ops.url('/metrics'), { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    } finally {
      await ops.close();
    }
  });
});

describe('METRICS_TOKEN in the configuration', () => {
  it('GIVEN a short or spaced token THEN the bot refuses to start, naming the variable and not the value', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ METRICS_TOKEN: 'has a space in the middle of it' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).not.toThrow(/short/);
    expect(loadConfig({ METRICS_TOKEN: TOKEN }).METRICS_TOKEN).toBe(TOKEN);
    expect(loadConfig({ METRICS_TOKEN: '' }).METRICS_TOKEN).toBeUndefined();
  });
});

describe('isLoopbackAddress / isDirectLoopback', () => {
  it('GIVEN peer addresses as Node reports them THEN only 127.0.0.0/8 and ::1 (plain or IPv4-mapped) are loopback', () => {
    for (const address of ['127.0.0.1', '127.4.5.6', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of [
      '::ffff:10.0.0.1',
      '10.0.0.1',
      '192.168.1.10',
      '128.0.0.1',
      '::ffff:128.0.0.1',
      '::',
      'fd00::1',
      'fe80::1%eth0',
      'localhost',
      '',
      undefined,
    ])
      expect(isLoopbackAddress(address), String(address)).toBe(false);
  });

  it('GIVEN a loopback peer THEN it is direct only without any forwarding header', () => {
    const req = (remoteAddress: string, headers: Record<string, string> = {}) =>
      ({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;
    expect(isDirectLoopback(req('::ffff:127.0.0.1'))).toBe(true);
    expect(isDirectLoopback(req('::ffff:10.0.0.1'))).toBe(false);
    expect(isDirectLoopback(req('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }))).toBe(false);
    expect(isDirectLoopback(req('10.0.0.1', { 'x-forwarded-for': '127.0.0.1' }))).toBe(false);
  });
});
