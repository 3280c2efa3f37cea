import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/types.js';
import { type MainProcess, startMain } from '../fixtures/main-process.js';
import { type FakeSlack, startFakeSlack } from '../fixtures/slack/fake-slack.js';
import { ALICE, BOT_TOKEN, SIGNING_SECRET } from '../fixtures/slack/harness.js';
import {
  type OpenedView,
  payloadBody,
  postToApp,
  slashCommandBody,
  stateFromView,
  viewSubmissionPayload,
} from '../fixtures/slack/requests.js';

/**
 * WORKERS=2 through the real entry point (`tsx src/main.ts`, Slack in HTTP mode against a fake Slack, WeCom a
 * sandbox in this process) on each store that coordinates processes: both workers answer commands on the one
 * PORT, a killed worker is replaced by one that serves too, and SIGTERM drains them all and exits 0.
 */

const backends = [
  { name: 'Redis', url: process.env.REDIS_URL, hint: 'REDIS_URL=redis://127.0.0.1:6379' },
  {
    name: 'PostgreSQL',
    url: process.env.POSTGRES_URL,
    hint: 'POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test',
  },
];
for (const b of backends) {
  if (!b.url) console.warn(`WORKERS tests on ${b.name} skipped: set ${b.hint} to run them.`);
}

/** Each WeCom call takes this long while the submission runs: it outlives the signal. */
const WECOM_LATENCY_MS = 1_500;

let fake: FakeSlack;
let sandbox: Sandbox;
let dir: string;
let running: MainProcess | undefined;
let sequence = 0;
/** Help commands sent to the fleet under test (each test starts a fleet of its own). */
let helps = 0;

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN });
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'contactway-workers-'));
});
afterEach(() => running?.kill());
afterAll(async () => {
  await fake?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Line = Record<string, unknown>;
const linesWith = (main: MainProcess, msg: string): Line[] => main.lines().filter((l) => l.msg === msg);

async function until<T>(find: () => T | undefined, what: () => string, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A slash command from Alice, acknowledged; its trigger id. */
async function command(eventsUrl: string, text: string): Promise<string> {
  const id = `workers-${++sequence}`;
  const body = slashCommandBody({
    user: ALICE,
    text,
    responseUrl: fake.responseUrl(id),
    triggerId: `${id}.trigger`,
  });
  const sent = await postToApp(eventsUrl, body, { secret: SIGNING_SECRET });
  expect(sent.status).toBe(200);
  return id;
}

/** `help` from Alice, answered on her response_url (by whichever worker took the connection). */
async function help(eventsUrl: string): Promise<void> {
  const id = await command(eventsUrl, 'help');
  helps++;
  await fake.waitFor(() => fake.responsesTo(id)[0]);
}

/**
 * Commands, eight at a time (so fetch opens several connections, which the cluster hands out in turn), until
 * the log shows `pids` each finishing one.
 */
async function servedBy(main: MainProcess, eventsUrl: string, pids: number[]): Promise<void> {
  const finishedBy = () => new Set(linesWith(main, 'command finished').map((l) => Number(l.pid)));
  for (let batch = 0; batch < 20; batch++) {
    if (pids.every((pid) => finishedBy().has(pid))) return;
    await Promise.all(Array.from({ length: 8 }, () => help(eventsUrl)));
  }
  expect([...finishedBy()]).toEqual(expect.arrayContaining(pids));
}

/** Polls /metrics until `line` (a regular expression's source with one number captured) reads `value`. */
async function metricReads(url: string, line: string, value: number): Promise<void> {
  const deadline = performance.now() + 30_000;
  let text = '';
  for (;;) {
    text = await (await fetch(url)).text();
    if (Number(new RegExp(`^${line}$`, 'm').exec(text)?.[1]) === value) return;
    if (performance.now() > deadline) throw new Error(`no ${line} = ${value} in /metrics:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const helpsInMetrics = (url: string, count: number) =>
  metricReads(url, 'contactway_commands_total\\{command="help",outcome="ok"\\} (\\d+)', count);
const inFlightInMetrics = (url: string, count: number) =>
  metricReads(url, 'contactway_requests_in_flight (\\d+)', count);

describe.each(backends.filter((b) => b.url))('WORKERS=2 on $name', ({ url }) => {
  it('GIVEN two workers THEN both serve Slack on the one PORT, /metrics counts both, a killed one is replaced, and SIGTERM drains the submission in flight and exits 0', async () => {
    helps = 0;
    const main = await startMain(
      dir,
      {
        WORKERS: '2',
        STORE_URL: url as string,
        STORE_NAMESPACE: `workers-${randomBytes(4).toString('hex')}`,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        WECOM_CORP_ID: sandbox.corpId,
        WECOM_CORP_SECRET: sandbox.corpSecret,
        WECOM_API_BASE: sandbox.url,
        JOURNAL_PATH: join(dir, 'journal.jsonl'),
      },
      // Two bots start at once, each through tsx, on a machine other tests load too.
      90_000,
    );
    running = main;
    await main.waitForLog('cluster: all workers running', 60_000);
    const workers = linesWith(main, 'cluster: worker running');
    const pids = workers.map((l) => Number(l.pid));
    expect(new Set(pids).size).toBe(2);
    // One port: PORT=0 is chosen once by the primary and shared by both.
    const ports = new Set(linesWith(main, 'Slack adapter listening').map((l) => l.port));
    expect(ports.size).toBe(1);
    const eventsUrl = `http://127.0.0.1:${[...ports][0]}/slack/events`;
    await servedBy(main, eventsUrl, pids);

    // /metrics is the fleet's: every help command counted, whichever worker ran it and whichever answers.
    const base = `http://127.0.0.1:${[...ports][0]}`;
    await helpsInMetrics(`${base}/metrics`, helps);

    // A worker killed outright is replaced after a second, and the new one takes connections too; killed
    // again at once, its next replacement waits twice as long (a crashing worker is not restarted in a loop).
    const [victim, survivor] = pids as [number, number];
    const replaced = async (dead: number, known: number[]) => {
      const before = linesWith(main, 'cluster: worker died; starting another').length;
      process.kill(dead, 'SIGKILL');
      const died = await until(
        () => linesWith(main, 'cluster: worker died; starting another')[before],
        () => `the death of ${dead} in:\n${main.output()}`,
      );
      const next = await until(
        () =>
          linesWith(main, 'cluster: worker running')
            .map((l) => Number(l.pid))
            .find((pid) => !known.includes(pid)),
        () => `a replacement worker in:\n${main.output()}`,
      );
      return { died, next };
    };
    const first = await replaced(victim, pids);
    expect(first.died).toMatchObject({ pid: victim, signal: 'SIGKILL', restartInMs: 1_000 });
    const second = await replaced(first.next, [...pids, first.next]);
    expect(second.died).toMatchObject({ pid: first.next, worker: first.died.worker, restartInMs: 2_000 });
    const replacement = second.next;
    await servedBy(main, eventsUrl, [survivor, replacement]);

    // A submission in flight when SIGTERM comes (WeCom made slow) is finished by its worker before it exits.
    const open = await command(eventsUrl, 'temp zhangsan');
    const view = (
      await fake.waitFor(() =>
        fake.callsTo('views.open').find((c) => c.args.trigger_id === `${open}.trigger`),
      )
    ).result?.view as OpenedView;
    await inFlightInMetrics(`${base}/metrics`, 0);
    const uploadsBefore = fake.dmUploadsTo(ALICE.userId).length;
    sandbox.setLatency(WECOM_LATENCY_MS);
    const submitted = await postToApp(
      eventsUrl,
      payloadBody(viewSubmissionPayload(ALICE, view, stateFromView(view))),
      { secret: SIGNING_SECRET },
    );
    expect(submitted.status).toBe(200);
    await inFlightInMetrics(`${base}/metrics`, 1);
    const stopped = main.stop();
    await main.waitForLog('cluster: stopping workers', 30_000);
    expect(await stopped).toBe(0);
    sandbox.setLatency(0);
    const [upload, ...more] = fake.dmUploadsTo(ALICE.userId).slice(uploadsBefore);
    expect(more).toHaveLength(0);
    expect(JSON.stringify(upload?.args.blocks)).toMatch(/config_id/);
    expect(main.output()).not.toContain('stopping with requests still in flight');
    expect(linesWith(main, 'cluster: stopping workers')).toHaveLength(1);
    // Each live worker drained and stopped by itself: none was killed.
    expect(
      linesWith(main, 'stopped')
        .map((l) => Number(l.pid))
        .sort(),
    ).toEqual([survivor, replacement].sort());
    expect(main.output()).not.toContain('did not stop; killed');
  }, 180_000);
});
