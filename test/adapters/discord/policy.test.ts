import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordHarness, startDiscordHarness } from '../../fixtures/discord/harness.js';
import { ALICE, chatInput } from '../../fixtures/discord/interactions.js';

/** The adapter hands the policy what Discord says about the requester: guild and roles. */

const ALLOWED_ROLE = '1800000000000000001';
let h: DiscordHarness;

beforeAll(async () => {
  h = await startDiscordHarness({ ACCESS_DISCORD_ROLES: ALLOWED_ROLE });
});
afterAll(async () => {
  await h?.close();
});

/** What the requester is shown: a served command edits its deferral; a refusal is the first answer. */
async function listAs(user: typeof ALICE, roles: string[]) {
  const token = h.send(chatInput('list', {}, { user, roles }));
  const first = await h.callback(token);
  expect(first.body.data.flags).toBe(64);
  // biome-ignore lint/suspicious/noExplicitAny: a recorded wire body.
  return (first.body.type === 5 ? (await h.edit(token)).body : first.body.data) as any;
}

describe('discord adapter: access policy by role', () => {
  it('GIVEN ACCESS_DISCORD_ROLES THEN a member with that role is served', async () => {
    const body = await listAs(ALICE, ['1800000000000000009', ALLOWED_ROLE]);
    expect(body.embeds[0].title).toBe('You have no contact ways yet.');
  });
  // A member without it is refused: the chat contract (chat-contract-discord.test.ts) proves it.
});
