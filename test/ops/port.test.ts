import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slackMainSuite } from '../fixtures/main-slack-process.js';
import { ALICE, SIGNING_SECRET } from '../fixtures/slack/harness.js';
import { postToApp, slashCommandBody } from '../fixtures/slack/requests.js';

/**
 * OPS_PORT through the real entry point (`tsx src/main.ts`, Slack in HTTP mode against the fake Slack):
 * with it, the port Slack (and so anyone) reaches answers /slack/events and /healthz only, and /readyz and
 * /metrics answer on OPS_HOST:OPS_PORT (127.0.0.1 by default); without it, everything stays on PORT, where
 * /metrics answers this host only (see hardening-ops-public-port.test.ts).
 */

const suite = slackMainSuite('ops-port');
const startMain = (env: Record<string, string> = {}) =>
  suite.start({ STORE_URL: `sqlite://${join(suite.dir(), 'x.sqlite')}`, ...env });

const statusOf = async (url: string) => (await fetch(url)).status;

describe('npm start with OPS_PORT', () => {
  it('GIVEN OPS_PORT THEN /metrics and /readyz answer 404 on PORT and 200 on OPS_PORT (127.0.0.1); PORT keeps /slack/events and /healthz', async () => {
    const app = await startMain({ OPS_PORT: '0' });
    const ops = app.lines.find((l) => l.msg === 'ops server listening');
    expect(ops).toMatchObject({ host: '127.0.0.1', port: expect.any(Number) });
    const opsUrl = `http://127.0.0.1:${ops!.port}`;

    expect(await statusOf(`${app.publicUrl}/metrics`)).toBe(404);
    expect(await statusOf(`${app.publicUrl}/readyz`)).toBe(404);
    expect(await (await fetch(`${app.publicUrl}/healthz`)).text()).toBe('ok');
    const body = slashCommandBody({
      user: ALICE,
      text: 'help',
      responseUrl: suite.fake().responseUrl('ops-port-help'),
      triggerId: 'ops-port.trigger',
    });
    expect((await postToApp(`${app.publicUrl}/slack/events`, body, { secret: SIGNING_SECRET })).status).toBe(
      200,
    );
    await suite.fake().waitFor(() => suite.fake().responsesTo('ops-port-help')[0], 10_000);

    // OPS_PORT is internal: without METRICS_TOKEN it stays open to whoever reaches it, proxied or not.
    const metrics = await fetch(`${opsUrl}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^contactway_commands_total\{command="help",outcome="ok"\} 1$/m);
    expect(await statusOf(`${opsUrl}/readyz`)).toBe(200);
    expect(await statusOf(`${opsUrl}/healthz`)).toBe(200);
    // Slack's port is not the ops server's: /slack/events is not served there.
    expect(await statusOf(`${opsUrl}/slack/events`)).toBe(404);

    expect(await app.stop()).toBe(0);
  });

  it('GIVEN no OPS_PORT THEN everything stays on PORT (one port for Slack and the probes), /metrics for this host only', async () => {
    const app = await startMain({});
    expect(app.lines.some((l) => l.msg === 'ops server listening')).toBe(false);
    expect(await statusOf(`${app.publicUrl}/metrics`)).toBe(200);
    const relayed = { headers: { 'x-forwarded-for': '203.0.113.7' } };
    expect((await fetch(`${app.publicUrl}/metrics`, relayed)).status).toBe(403);
    expect(await (await fetch(`${app.publicUrl}/readyz`, relayed)).json()).toEqual({ status: 'ready' });
    expect(await statusOf(`${app.publicUrl}/readyz`)).toBe(200);
    expect(await statusOf(`${app.publicUrl}/healthz`)).toBe(200);
    expect(await app.stop()).toBe(0);
  });

  it('GIVEN OPS_HOST without OPS_PORT THEN the bot refuses to start, naming OPS_HOST', async () => {
    await expect(startMain({ OPS_HOST: '0.0.0.0' })).rejects.toThrow(/exited with 1[\s\S]*OPS_HOST/);
  });
});
