import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeDiscord,
  type RecordedRequest,
  startFakeDiscord,
} from '../../fixtures/discord/fake-discord.js';
import {
  ALICE,
  APPLICATION_ID,
  BOB,
  chatInput,
  modalSubmit,
  type SentModal,
} from '../../fixtures/discord/interactions.js';
import { type MainProcess, startMainProcess } from '../../fixtures/discord/main-process.js';

/**
 * The "Done when", literally: the real entry point (`npm start` = tsx src/main.ts) as a child
 * process with DISCORD_TOKEN, DISCORD_APPLICATION_ID and DISCORD_API_URL pointing at a local fake Discord.
 */

let fake: FakeDiscord;
let main: MainProcess | undefined;

beforeAll(async () => {
  fake = await startFakeDiscord({ applicationId: APPLICATION_ID });
  main = await startMainProcess(fake);
}, 40_000);

afterAll(async () => {
  await main?.stop();
  await fake?.close();
});

const output = () => main?.output() ?? '';
const waitForLog = (text: string) => (main as MainProcess).waitForLog(text);

const callback = (token: string) => fake.waitFor((r) => r.path.endsWith(`/${token}/callback`), 10_000);
const edit = (token: string) =>
  fake.waitFor((r) => r.method === 'PATCH' && r.path.endsWith(`/${token}/messages/@original`), 10_000);
// biome-ignore lint/suspicious/noExplicitAny: recorded wire bodies are read freely in assertions.
const embedText = (r: RecordedRequest) => JSON.stringify((r.body as any).embeds);

describe('npm start with Discord pointed at a fake', () => {
  let configId: string;

  it('GIVEN Discord only THEN the ops server serves /healthz, /readyz and /metrics (this host only) on PORT', async () => {
    await waitForLog('ops server listening');
    const line =
      output()
        .split('\n')
        .find((l) => l.includes('ops server listening')) ?? '{}';
    const base = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`;
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain(
      '# TYPE contactway_commands_total counter',
    );
    // PORT is public: a request a proxy relayed from outside does not get the metrics.
    expect((await fetch(`${base}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(
      403,
    );
  });

  it('GIVEN DISCORD_* set THEN main logs in over the gateway and registers /contactway globally', async () => {
    const put = await fake.waitFor((r) => r.method === 'PUT');
    expect(put.path).toBe(`/applications/${APPLICATION_ID}/commands`);
    expect(put.authorization).toBe('Bot main-bot-token');
    expect(put.body[0].name).toBe('contactway');
    expect(fake.identifies[0]).toMatchObject({ token: 'main-bot-token', intents: 1 });
  });

  it('GIVEN temp user:zhangsan THEN a modal; submitted as opened THEN the QR comes back attached', async () => {
    const open = fake.dispatchInteraction.bind(fake);
    const command = chatInput('temp', { user: 'zhangsan' }, { user: ALICE });
    open(command);
    const modal = await callback(command.token);
    expect(modal.body.type).toBe(9);

    const submit = modalSubmit(modal.body.data as SentModal, { user: ALICE });
    open(submit);
    expect((await callback(submit.token)).body).toEqual({ type: 5, data: { flags: 64 } });
    const reply = await edit(submit.token);
    expect(reply.files.map((f) => f.name)).toEqual(['qr.png']);
    expect(reply.files[0]?.bytes.subarray(1, 4).toString()).toBe('PNG');
    configId = reply.body.embeds[0].fields[0].value;
    expect(configId).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('GIVEN that requester runs list THEN it shows the config_id; another requester does not see it', async () => {
    const mine = chatInput('list', {}, { user: ALICE });
    fake.dispatchInteraction(mine);
    expect(embedText(await edit(mine.token))).toContain(configId);

    const theirs = chatInput('list', {}, { user: BOB });
    fake.dispatchInteraction(theirs);
    expect(embedText(await edit(theirs.token))).not.toContain(configId);
  });
});
