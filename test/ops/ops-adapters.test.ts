import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackAdapter } from '../../adapters/slack/index.js';
import { createLogger } from '../../src/base/logger.js';
import type { Bot } from '../../src/compose.js';
import { type DiscordHarness, startDiscordHarness } from '../fixtures/discord/harness.js';
import { chatInput, ALICE as DISCORD_ALICE } from '../fixtures/discord/interactions.js';
import { type FakeSlack, startFakeSlack } from '../fixtures/slack/fake-slack.js';
import {
  ALICE,
  BOT_TOKEN,
  SIGNING_SECRET,
  type SlackHarness,
  startSlackHarness,
} from '../fixtures/slack/harness.js';
import { postToApp, slashCommandBody, stateFromView } from '../fixtures/slack/requests.js';
import { adapterOf, startBot } from '../fixtures/start-core.js';

describe('Slack HTTP mode: the ops endpoints share Bolt’s port with /slack/events', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN the adapter listening THEN /healthz, /readyz and /metrics answer on its port', async () => {
    expect(await (await fetch(`${h.baseUrl}/healthz`)).text()).toBe('ok');
    const ready = await fetch(`${h.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });

    const list = await h.command(ALICE, 'list');
    expect(list.status).toBe(200);
    await h.fake.waitFor(() => h.fake.responsesTo(list.responseId)[0]);
    const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^contactway_commands_total\{command="list",outcome="ok"\} 1$/m);
  });

  it('GIVEN the instance draining THEN a new slash command is answered "restarting" (ephemeral) and opens no form; a submission keeps its modal open with the note', async () => {
    const temp = await h.command(ALICE, 'temp zhangsan');
    const view = await h.openedView(temp.triggerId);
    h.core.ops.requests.drain();

    const refused = await h.command(ALICE, 'temp lisi');
    expect(refused.status).toBe(200);
    expect(JSON.parse(refused.text)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('restarting'),
    });
    expect(h.fake.callsTo('views.open').some((c) => c.args.trigger_id === refused.triggerId)).toBe(false);

    const submitted = await h.submit(ALICE, view, stateFromView(view));
    const ack = JSON.parse(submitted.text) as { response_action: string; errors: Record<string, string> };
    expect(ack.response_action).toBe('errors');
    expect(Object.values(ack.errors)[0]).toContain('restarting');
    expect(h.fake.callsTo('files.completeUploadExternal')).toHaveLength(0);
  });
});

describe('request ids: one per Slack request, on every log line of its flow', () => {
  let fake: FakeSlack;
  let bot: Bot;
  let adapter: SlackAdapter;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    fake = await startFakeSlack({ token: BOT_TOKEN });
    const destination = { write: (line: string) => void lines.push(JSON.parse(line)) };
    bot = await startBot(
      {
        STORE_URL: 'memory:',
        PORT: '0',
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
      },
      createLogger({ level: 'debug', destination }),
    );
    adapter = adapterOf<SlackAdapter>(bot, 'slack');
  });
  afterAll(async () => {
    await bot?.stop();
    await fake?.close();
  });

  it('GIVEN two commands THEN each command line has its own requestId, shared with the adapter’s lines for it', async () => {
    const eventsUrl = `http://127.0.0.1:${adapter.port}/slack/events`;
    for (const n of [1, 2]) {
      const body = slashCommandBody({
        user: ALICE,
        text: 'list',
        responseUrl: fake.responseUrl(`rid-${n}`),
        triggerId: `rid-${n}.trigger`,
      });
      expect((await postToApp(eventsUrl, body, { secret: SIGNING_SECRET })).status).toBe(200);
      await fake.waitFor(() => fake.responsesTo(`rid-${n}`)[0]);
    }
    // The reply reaches Slack before the adapter logs its delivery and the flow logs that it finished: wait for
    // the lines, not for the reply.
    const flowOf = (id: unknown) => lines.filter((l) => l.requestId === id).map((l) => l.msg);
    const finished = await fake.waitFor(() => {
      const done = lines.filter((l) => l.msg === 'command finished');
      const complete = done.every((l) => flowOf(l.requestId).includes('Slack reply delivered'));
      return done.length >= 2 && complete ? done : undefined;
    });
    expect(finished).toHaveLength(2);
    const ids = finished.map((l) => l.requestId);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).not.toBe(ids[0]);
    for (const id of ids) {
      expect(flowOf(id)).toContain('Slack reply delivered');
      expect(flowOf(id)).toContain('command finished');
    }
    // Startup lines belong to no request.
    expect(lines.find((l) => l.msg === 'Slack adapter listening')?.requestId).toBeUndefined();
  });
});

describe('Discord while draining', () => {
  let h: DiscordHarness;
  beforeAll(async () => {
    h = await startDiscordHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN the instance draining THEN a new interaction gets an ephemeral "restarting" and nothing runs', async () => {
    h.core.ops.requests.drain();
    const token = h.send(chatInput('list', {}, { user: DISCORD_ALICE }));
    const answer = await h.callback(token);
    expect(answer.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(answer.body.data.content).toContain('restarting');
    const metrics = await h.core.ops.metrics.render();
    expect(metrics.text).not.toContain('contactway_commands_total{');
  });
});
