import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMainProcess } from './fixtures/main-slack-process.js';
import { type FakeSlack, startFakeSlack } from './fixtures/slack/fake-slack.js';
import { ALICE, BOT_TOKEN, SIGNING_SECRET } from './fixtures/slack/harness.js';
import { postToApp, slashCommandBody } from './fixtures/slack/requests.js';

/**
 * OPS_PORT through the real entry point (`tsx src/main.ts`, Slack in HTTP mode against the fake Slack):
 * with it, the port Slack (and so anyone) reaches answers /slack/events and /healthz only, and /readyz and
 * /metrics answer on OPS_HOST:OPS_PORT (127.0.0.1 by default); without it, everything stays on PORT.
 */

const ROOT = join(import.meta.dirname, '..');
const _TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

let fake: FakeSlack;
let dir: string;
let child: ChildProcess | undefined;

async function startMain(extraEnv: Record<string, string>) {
  const started = await startMainProcess(dir, {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    STORE_URL: `sqlite://${join(dir, 'x.sqlite')}`,
    JOURNAL_PATH: join(dir, 'journal.jsonl'),
    ...extraEnv,
  });
  child = started.child;
  return started;
}

const statusOf = async (url: string) => (await fetch(url)).status;

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'contactway-ops-port-'));
});

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

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
      responseUrl: fake.responseUrl('ops-port-help'),
      triggerId: 'ops-port.trigger',
    });
    expect((await postToApp(`${app.publicUrl}/slack/events`, body, { secret: SIGNING_SECRET })).status).toBe(
      200,
    );
    await fake.waitFor(() => fake.responsesTo('ops-port-help')[0], 10_000);

    const metrics = await fetch(`${opsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^contactway_commands_total\{command="help",outcome="ok"\} 1$/m);
    expect(await statusOf(`${opsUrl}/readyz`)).toBe(200);
    expect(await statusOf(`${opsUrl}/healthz`)).toBe(200);
    // Slack's port is not the ops server's: /slack/events is not served there.
    expect(await statusOf(`${opsUrl}/slack/events`)).toBe(404);

    expect(await app.stop()).toBe(0);
  });

  it('GIVEN no OPS_PORT THEN everything stays on PORT, as before (one port for Slack and the probes)', async () => {
    const app = await startMain({});
    expect(app.lines.some((l) => l.msg === 'ops server listening')).toBe(false);
    expect(await statusOf(`${app.publicUrl}/metrics`)).toBe(200);
    expect(await statusOf(`${app.publicUrl}/readyz`)).toBe(200);
    expect(await statusOf(`${app.publicUrl}/healthz`)).toBe(200);
    expect(await app.stop()).toBe(0);
  });

  it('GIVEN OPS_HOST without OPS_PORT THEN the bot refuses to start, naming OPS_HOST', async () => {
    await expect(startMain({ OPS_HOST: '0.0.0.0' })).rejects.toThrow(/exited with 1[\s\S]*OPS_HOST/);
  });
});
