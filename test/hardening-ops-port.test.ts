import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from './fixtures/slack/fake-slack.js';
import { ALICE, BOT_TOKEN, SIGNING_SECRET } from './fixtures/slack/harness.js';
import { postToApp, slashCommandBody } from './fixtures/slack/requests.js';

/**
 * OPS_PORT through the real entry point (`tsx src/main.ts`, Slack in HTTP mode against the fake Slack):
 * with it, the port Slack (and so anyone) reaches answers /slack/events and /healthz only, and /readyz and
 * /metrics answer on OPS_HOST:OPS_PORT (127.0.0.1 by default); without it, everything stays on PORT.
 */

const ROOT = join(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

let fake: FakeSlack;
let dir: string;
let child: ChildProcess | undefined;

interface Started {
  /** Every JSON log line written until "contactway is running". */
  lines: Record<string, unknown>[];
  publicUrl: string;
  stop(): Promise<number | null>;
}

function startMain(extraEnv: Record<string, string>): Promise<Started> {
  const proc = spawn(TSX, [join(ROOT, 'src', 'main.ts')], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: '0',
      STORE_URL: `sqlite://${join(dir, 'x.sqlite')}`,
      JOURNAL_PATH: join(dir, 'journal.jsonl'),
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`main did not start in time:\n${output}`)), 20_000);
    proc.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (!output.includes('contactway is running')) return;
      clearTimeout(timer);
      const lines = output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const port = lines.find((l) => l.msg === 'Slack adapter listening')?.port;
      resolve({
        lines,
        publicUrl: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise((done) => {
            proc.once('exit', (code) => done(code));
            proc.kill('SIGTERM');
          }),
      });
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`main exited with ${code}:\n${output}`));
    });
  });
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
