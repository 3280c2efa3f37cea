import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGroup, stopGroup } from '../../fixtures/child-process.js';
import { type FakeSlack, startFakeSlack } from '../../fixtures/slack/fake-slack.js';
import { ALICE, BOB, BOT_TOKEN, SIGNING_SECRET } from '../../fixtures/slack/harness.js';
import {
  type OpenedView,
  payloadBody,
  postToApp,
  type SlackUser,
  slashCommandBody,
  stateFromView,
  viewSubmissionPayload,
} from '../../fixtures/slack/requests.js';

/**
 * The "Done when", literally: the real entry point (`npm start` = tsx src/main.ts) as a child
 * process, Slack pointed at a local fake, a sqlite store in a temp folder, and a restart in between.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

let fake: FakeSlack;
let dir: string;
let child: ChildProcess | undefined;
let sequence = 0;

interface Running {
  eventsUrl: string;
  stop(): Promise<number | null>;
}

/** Starts `tsx src/main.ts` and resolves once the Slack adapter logs the port it listens on (PORT=0). */
function startMain(): Promise<Running> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
    STORE_URL: `sqlite://${join(dir, 'x.sqlite')}`,
    LOG_LEVEL: 'info',
  };
  // cwd is the temp folder so a developer's .env in the repository cannot change what is tested.
  const proc = spawnGroup(TSX, [join(ROOT, 'src', 'main.ts')], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`main did not start in time:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const line of output.split('\n')) {
        if (!line.includes('Slack adapter listening')) continue;
        const port = (JSON.parse(line) as { port?: number }).port;
        clearTimeout(timer);
        proc.stdout?.off('data', onData);
        resolve({
          eventsUrl: `http://127.0.0.1:${port}/slack/events`,
          stop: () => stopGroup(proc),
        });
        return;
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`main exited with ${code}:\n${output}`));
    });
  });
}

async function command(app: Running, user: SlackUser, text: string) {
  const n = ++sequence;
  const responseId = `main-${n}`;
  const triggerId = `main-${n}.trigger`;
  const body = slashCommandBody({ user, text, responseUrl: fake.responseUrl(responseId), triggerId });
  const sent = await postToApp(app.eventsUrl, body, { secret: SIGNING_SECRET });
  expect(sent.status).toBe(200);
  return { responseId, triggerId };
}

async function responseOf(responseId: string): Promise<string> {
  await fake.waitFor(() => fake.responsesTo(responseId)[0], 10_000);
  return JSON.stringify(fake.responsesTo(responseId).map((r) => r.body));
}

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'contactway-slack-main-'));
});

afterAll(async () => {
  if (child) await stopGroup(child, { signal: 'SIGKILL' });
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start with Slack variables', () => {
  it('GIVEN the real entry point THEN temp → modal → submit delivers the QR, and list shows the config_id to its requester only, also after a restart', async () => {
    let app = await startMain();
    const health = await fetch(app.eventsUrl.replace('/slack/events', '/healthz'));
    expect(await health.text()).toBe('ok');

    const temp = await command(app, ALICE, 'temp zhangsan');
    const open = await fake.waitFor(() =>
      fake.callsTo('views.open').find((c) => c.args.trigger_id === temp.triggerId),
    );
    const view = open.result?.view as OpenedView;
    const submitted = await postToApp(
      app.eventsUrl,
      payloadBody(viewSubmissionPayload(ALICE, view, stateFromView(view))),
      { secret: SIGNING_SECRET },
    );
    expect(submitted.status).toBe(200);
    // The QR, its facts and buttons reach her DM; then the modal shows the same result.
    const status = await fake.waitFor(() => fake.statusOf(view.id), 10_000);
    const [upload, ...more] = fake.dmUploadsTo(ALICE.userId);
    expect(more).toHaveLength(0);
    const created = JSON.stringify(upload?.args.blocks);
    const configId = /"\*config_id\*\\n([A-Za-z0-9_-]+)"/.exec(created)?.[1];
    expect(configId, created).toBeDefined();
    expect(JSON.stringify(status.args.view)).toContain(configId);

    const list = await command(app, ALICE, 'list');
    expect(await responseOf(list.responseId)).toContain(configId);
    const other = await command(app, BOB, 'list');
    expect(await responseOf(other.responseId)).not.toContain(configId);

    expect(await app.stop()).toBe(0);
    app = await startMain();
    const again = await command(app, ALICE, 'list');
    expect(await responseOf(again.responseId)).toContain(configId);
    expect(await app.stop()).toBe(0);
  }, 45_000);
});
