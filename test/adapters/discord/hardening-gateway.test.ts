import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeDiscord,
  type RecordedRequest,
  startFakeDiscord,
} from '../../fixtures/discord/fake-discord.js';
import { ALICE, APPLICATION_ID, BOB, chatInput } from '../../fixtures/discord/interactions.js';
import { type MainProcess, startMainProcess } from '../../fixtures/discord/main-process.js';

/**
 * Issue 10, item 17: discord.js builds interactions inside its gateway dispatch, and a packet it cannot read
 * threw out of the WebSocket message loop: an unhandled rejection, exit code 1. The real entry point runs
 * as a child process so that "the bot survives" means the process, not just a test's event loop.
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

/** Waits for what the bot sent, failing at once if the process ended meanwhile. */
const sent = (match: (r: RecordedRequest) => boolean) =>
  Promise.race([fake.waitFor(match, 10_000), (main as MainProcess).exited]);
const callback = (token: string) => sent((r) => r.path.endsWith(`/${token}/callback`));
const edit = (token: string) =>
  sent((r) => r.method === 'PATCH' && r.path.endsWith(`/${token}/messages/@original`));

/** A `list` that must be answered: proves the bot is alive and still reading the gateway. */
async function expectServed(user = BOB): Promise<void> {
  const good = chatInput('list', {}, { user });
  fake.dispatchInteraction(good);
  expect((await callback(good.token)).body).toEqual({ type: 5, data: { flags: 64 } });
  expect((await edit(good.token)).body.embeds[0].title).toBeTruthy();
  expect(main?.child.exitCode).toBeNull();
}

describe('item 17: one malformed gateway packet never ends the bot', () => {
  it('GIVEN an INTERACTION_CREATE without entitlements THEN the bot survives and even answers it; the next one too', async () => {
    const { entitlements: _, ...bad } = chatInput('list', {}, { user: ALICE }) as Record<string, unknown>;
    fake.dispatchInteraction(bad);
    expect((await callback(bad.token as string)).body).toEqual({ type: 5, data: { flags: 64 } });
    await expectServed();
  });

  it('GIVEN an interaction without user or member THEN that one fails with a bilingual ephemeral answer, and the next is served', async () => {
    const { member: _, ...bad } = chatInput('list', {}, { user: ALICE }) as Record<string, unknown>;
    fake.dispatchInteraction(bad);
    const answer = await callback(bad.token as string);
    expect(answer.body).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
    expect(answer.body.data.content).not.toMatch(/\n\s+at |TypeError/);
    await expectServed();
  });

  it('GIVEN an interaction with no id or token at all THEN it is dropped and the bot carries on', async () => {
    fake.dispatchInteraction({ type: 2, data: null });
    await expectServed(ALICE);
    expect(main?.output()).toContain('discord gateway packet could not be handled');
  });
});
