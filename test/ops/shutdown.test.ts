import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/types.js';
import { spawnGroup, stopGroup } from '../fixtures/child-process.js';
import { type FakeSlack, startFakeSlack } from '../fixtures/slack/fake-slack.js';
import { ALICE, BOB, BOT_TOKEN, SIGNING_SECRET } from '../fixtures/slack/harness.js';
import {
  type OpenedView,
  payloadBody,
  postToApp,
  type SlackUser,
  slashCommandBody,
  stateFromView,
  viewSubmissionPayload,
} from '../fixtures/slack/requests.js';

/**
 * SIGTERM on the real entry point (`tsx src/main.ts`, Slack in HTTP mode against a fake Slack, WeCom a
 * sandbox in this process made slow so a submission is still in flight when the signal comes): the
 * submission completes, a new command is refused, the process exits 0, and the record is in the store.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
/** Each WeCom call (gettoken, add_contact_way) takes this long: the submission outlives the signal. */
const WECOM_LATENCY_MS = 1_500;

let fake: FakeSlack;
let sandbox: Sandbox;
let dir: string;
const children: ChildProcess[] = [];
let sequence = 0;

interface Running {
  proc: ChildProcess;
  baseUrl: string;
  eventsUrl: string;
  output(): string;
  exited: Promise<number | null>;
}

function startMain(): Promise<Running> {
  const proc = spawnGroup(TSX, [join(ROOT, 'src', 'main.ts')], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      WECOM_CORP_ID: sandbox.corpId,
      WECOM_CORP_SECRET: sandbox.corpSecret,
      WECOM_API_BASE: sandbox.url,
      PORT: '0',
      STORE_URL: `sqlite://${join(dir, 'x.sqlite')}`,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let output = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  proc.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`main did not start in time:\n${output}`)), 15_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`main exited with ${code}:\n${output}`));
    });
    const poll = setInterval(() => {
      const line = output.split('\n').find((l) => l.includes('Slack adapter listening'));
      if (!line) return;
      clearInterval(poll);
      clearTimeout(timer);
      const baseUrl = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`;
      resolve({ proc, baseUrl, eventsUrl: `${baseUrl}/slack/events`, output: () => output, exited });
    }, 20);
  });
}

async function command(app: Running, user: SlackUser, text: string) {
  const n = ++sequence;
  const responseId = `shutdown-${n}`;
  const triggerId = `shutdown-${n}.trigger`;
  const body = slashCommandBody({ user, text, responseUrl: fake.responseUrl(responseId), triggerId });
  const sent = await postToApp(app.eventsUrl, body, { secret: SIGNING_SECRET });
  return { ...sent, responseId, triggerId };
}

async function waitFor(check: () => boolean, what: () => string, timeoutMs = 10_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > until) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitForMetric(app: Running, line: RegExp): Promise<void> {
  const until = performance.now() + 10_000;
  let last = '';
  while (!line.test(last)) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${line} in /metrics:\n${last}`);
    last = await (await fetch(`${app.baseUrl}/metrics`)).text();
    if (!line.test(last)) await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN });
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'contactway-shutdown-'));
});

afterAll(async () => {
  await Promise.all(children.map((child) => stopGroup(child, { signal: 'SIGKILL' })));
  await fake?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SIGTERM while a submission is in flight', () => {
  it('GIVEN a slow WeCom and a submitted temp form THEN SIGTERM lets it finish (QR delivered, record stored), refuses a new command, and exits 0', async () => {
    const app = await startMain();
    const temp = await command(app, ALICE, 'temp zhangsan');
    expect(temp.status).toBe(200);
    const open = await fake.waitFor(() =>
      fake.callsTo('views.open').find((c) => c.args.trigger_id === temp.triggerId),
    );
    const view = open.result?.view as OpenedView;
    // The command's own work (after its ack) may still be finishing on a loaded machine; let it, so the one in
    // flight below is the submission.
    await waitForMetric(app, /^contactway_requests_in_flight 0$/m);

    sandbox.setLatency(WECOM_LATENCY_MS);
    const submitted = await postToApp(
      app.eventsUrl,
      payloadBody(viewSubmissionPayload(ALICE, view, stateFromView(view))),
      { secret: SIGNING_SECRET },
    );
    expect(submitted.status).toBe(200);
    // Acked with the "creating…" view; the WeCom calls are still ahead of it.
    const inFlight = await (await fetch(`${app.baseUrl}/metrics`)).text();
    expect(inFlight).toMatch(/^contactway_requests_in_flight 1$/m);
    expect(inFlight).toContain('process_cpu_user_seconds_total');
    expect(fake.responsesTo(temp.responseId)).toHaveLength(0);

    app.proc.kill('SIGTERM');
    await waitFor(
      () => app.output().includes('stopping: draining'),
      () => app.output(),
    );
    const ready = await fetch(`${app.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'draining' });

    const late = await command(app, BOB, 'list');
    expect(late.status).toBe(200);
    expect(JSON.parse(late.text)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('restarting'),
    });

    expect(await app.exited).toBe(0);
    sandbox.setLatency(0);

    // The submission that was in flight finished before the exit: QR uploaded to the DM with its config_id, and
    // the modal updated to the same result.
    const [upload, ...more] = fake.dmUploadsTo(ALICE.userId);
    expect(more).toHaveLength(0);
    const created = JSON.stringify(upload?.args.blocks);
    const configId = /"\*config_id\*\\n([A-Za-z0-9_-]+)"/.exec(created)?.[1];
    expect(configId, created).toBeDefined();
    expect(JSON.stringify(fake.statusOf(view.id)?.args.view)).toContain(configId);
    expect(sandbox.contactWay(configId!)).toBeDefined();
    // The refused command never ran.
    expect(fake.responsesTo(late.responseId)).toHaveLength(0);
    const log = app.output();
    expect(log).toContain('"msg":"stopped"');
    expect(log).not.toContain('stopping with requests still in flight');

    // And the record is in the store: a new process lists it for its requester.
    const again = await startMain();
    const list = await command(again, ALICE, 'list');
    await fake.waitFor(() => fake.responsesTo(list.responseId)[0]);
    expect(JSON.stringify(fake.responsesTo(list.responseId))).toContain(configId);
    again.proc.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 45_000);
});
