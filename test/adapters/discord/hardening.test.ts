import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerTag } from '../../../src/chat/action-token.js';
import { displayed, type RecordedRequest } from '../../fixtures/discord/fake-discord.js';
import { type DiscordHarness, startDiscordHarness } from '../../fixtures/discord/harness.js';
import {
  ALICE,
  autocomplete,
  BOB,
  buttonClick,
  buttonIdsOf,
  chatInput,
  discordRequester,
  type FakeUser,
  modalSubmit,
  type SentModal,
  type Where,
} from '../../fixtures/discord/interactions.js';
import { storeWay } from '../../fixtures/stored-way.js';

/**
 * Issue 10, the Discord items, through the real discord.js adapter and a fake Discord: form context bound
 * to its requester (3), autocomplete behind the access policy (4), no mentions and no masked links in
 * anything the bot sends (11). Item 17 (a malformed gateway packet) is in discord-hardening-gateway.test.ts.
 * Someone else's modal and buttons refused, one's own working, are the chat contract's (test/chat-contract.ts).
 */

const ROLE = '1800000000000000001';
const OTHER_GUILD = '1000000000000000002';
let h: DiscordHarness;

beforeAll(async () => {
  h = await startDiscordHarness({ ACCESS_DISCORD_ROLES: ROLE });
});
afterAll(async () => {
  await h?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: recorded wire bodies are read freely in assertions.
type Json = any;

/** A member who holds the allowed role, in the test guild unless told otherwise. */
const as = (user: FakeUser, extra: Partial<Where> = {}): Where => ({ user, roles: [ROLE], ...extra });
const requester = (user: FakeUser) => discordRequester(user);
const created = () => h.core.sandbox?.stats().calls.add_contact_way ?? 0;

const buttonIds = (edit: RecordedRequest) => buttonIdsOf(edit.body);

async function openModal(sub: string, options: Record<string, string>, where: Where): Promise<SentModal> {
  const callback = await h.callback(h.send(chatInput(sub, options, where)));
  expect(callback.body.type).toBe(9);
  return callback.body.data as SentModal;
}

/** Submits a modal; returns the first response (a deferral, or a refusal) and the edit, if any comes. */
async function submit(modal: SentModal, where: Where, changes: Record<string, string> = {}) {
  const token = h.send(modalSubmit(modal, where, changes));
  const first = await h.callback(token);
  const edit = first.body.type === 5 ? await h.edit(token, 8_000) : undefined;
  return { token, first, edit };
}

async function createTemp(
  where: Where,
  changes: Record<string, string> = {},
  options: Record<string, string> = {},
) {
  const modal = await openModal('temp', { user: 'zhangsan', ...options }, where);
  const { token, edit } = await submit(modal, where, changes);
  if (!edit) throw new Error('no reply to the submission');
  const field = edit.body.embeds[0].fields.find((f: Json) => displayed(f.name) === 'config_id');
  // [Show, Delete], each carrying the flow's token.
  return { token, edit, configId: displayed(field.value) as string, buttons: buttonIds(edit) };
}

/**
 * A refusal: an ephemeral answer in the requester's language saying the form or button is someone else's,
 * given at once (a button) or as the edit of an ephemeral deferral (a modal submit, whose state the flow
 * reads first). Returns everything the requester was shown.
 */
async function expectRefused(token: string, language: 'en' | 'zh' = 'en'): Promise<string> {
  const answer = await h.callback(token);
  expect([4, 5]).toContain(answer.body.type);
  expect(answer.body.data.flags).toBe(64);
  const shown = answer.body.type === 5 ? (await h.edit(token)).body : answer.body.data;
  const text = JSON.stringify(shown);
  expect(text).toMatch(language === 'en' ? /someone else/ : /其他人/);
  expect(text).not.toMatch(/\n\s+at /);
  expect(shown.files ?? []).toEqual([]);
  return JSON.stringify(h.sentFor(token).map((r) => r.body));
}

describe('item 3: form context is bound to its requester', () => {
  it('GIVEN the refusal in zh-CN THEN it is in Chinese', async () => {
    const modal = await openModal('temp', { user: 'zhangsan' }, as(ALICE));
    const token = h.send(modalSubmit(modal, { ...as(BOB), locale: 'zh-CN' }));
    await expectRefused(token, 'zh');
  });

  it('GIVEN alice submits her own modal from another guild THEN it is refused too (the requester is guild + user)', async () => {
    const modal = await openModal('temp', { user: 'zhangsan' }, as(ALICE));
    const before = created();
    const token = h.send(modalSubmit(modal, as(ALICE, { guildId: OTHER_GUILD })));
    await expectRefused(token);
    expect(created()).toBe(before);
  });

  it('GIVEN a context kept server-side (@id) THEN another user submitting it is refused', async () => {
    const configId = 'y'.repeat(90);
    // One of alice's ways (edit reads its record before the form opens); the id is too long to carry inline.
    await storeWay(h.core.keyv, requester(ALICE), configId);
    const modal = await openModal('edit', { config_id: configId }, as(ALICE));
    expect(modal.custom_id).toMatch(/^cw:form:@/);
    const calls = h.core.sandbox?.stats().calls.update_contact_way ?? 0;
    const shown = await expectRefused(h.send(modalSubmit(modal, as(BOB), { remark: 'hijack' })));
    expect(shown).not.toContain('hijack');
    expect(h.core.sandbox?.stats().calls.update_contact_way ?? 0).toBe(calls);
  });

  it("GIVEN bob clicks alice's reopen button THEN he is refused in words, not shown her typed values", async () => {
    const modal = await openModal('temp', { user: 'zhangsan' }, as(ALICE));
    const { edit } = await submit(modal, as(ALICE), { expires_in: 'soon', remark: 'private' });
    const [reopen] = buttonIds(edit as RecordedRequest);
    expect(reopen).toMatch(/^cw:reopen:/);
    const shown = await expectRefused(h.send(buttonClick(reopen as string, {}, as(BOB))));
    expect(shown).not.toContain('private');
  });

  it("GIVEN bob rewrites alice's inline Delete token with his own tag and no question THEN it acts as bob: not found, nothing deleted", async () => {
    const alices = await createTemp(as(ALICE));
    const token = JSON.parse((alices.buttons[1] as string).slice('cw:a:'.length));
    expect(token).toMatchObject({ k: 'delete', c: alices.configId, a: 1 });
    const forged = `cw:a:${JSON.stringify({ k: 'delete', c: alices.configId, o: ownerTag(requester(BOB)) })}`;
    const click = h.send(buttonClick(forged, {}, as(BOB)));
    expect((await h.callback(click)).body.type).toBe(5);
    expect(JSON.stringify((await h.edit(click)).body)).toMatch(/not found/i);
    expect((await h.core.service.list(requester(ALICE))).map((r) => r.configId)).toContain(alices.configId);
  });
});

describe('item 4: autocomplete applies the access policy', () => {
  it('GIVEN alice lost the allowed role THEN autocomplete suggests nothing: no config_id, member or remark', async () => {
    const mine = await createTemp(as(ALICE), { remark: 'secret fair' });
    const allowed = h.send(autocomplete('show', { name: 'config_id', value: '' }, as(ALICE)));
    expect((await h.callback(allowed)).body.data.choices.map((c: Json) => c.value)).toContain(mine.configId);

    for (const typed of ['', mine.configId.slice(0, 6), 'secret']) {
      const token = h.send(
        autocomplete('show', { name: 'config_id', value: typed }, { user: ALICE, roles: [] }),
      );
      const answer = await h.callback(token);
      expect(answer.body).toEqual({ type: 8, data: { choices: [] } });
    }
  });
});

describe('item 11: no mentions, no masked links', () => {
  const remark = '@everyone <@&123>';
  const state = '[x](https://evil)';

  it('GIVEN a remark with @everyone and a role mention and a state with a masked link THEN the reply shows them escaped', async () => {
    // `state` is a slash option (the modal holds five fields), the remark a modal field.
    const { edit } = await createTemp(as(ALICE), { remark }, { state });
    const values: string[] = edit.body.embeds[0].fields.map((f: Json) => f.value);
    expect(values).toContain('\\@everyone \\<@&123>');
    // The state sent to WeCom is the typed tag plus a unique suffix (`~k3f9a1`): the tag stays escaped in it.
    expect(
      values.some((v) => /^\\\[x\]\(https:\/\/evil\)~[0-9a-z]{6}$/.test(v)),
      values.join(' | '),
    ).toBe(true);
    expect(edit.body.allowed_mentions).toEqual(expect.objectContaining({ parse: [] }));
  });

  it('GIVEN list THEN the remark is escaped there too', async () => {
    const token = h.send(chatInput('list', {}, as(ALICE)));
    const edit = await h.edit(token);
    const description: string = edit.body.embeds[0].description;
    expect(description).toContain('\\@everyone \\<@&123>');
    expect(description).not.toMatch(/(^|[^\\])@everyone/);
  });

  it('GIVEN a crafted button whose config_id is markdown and mentions THEN nothing of it is echoed', async () => {
    const tag = ownerTag(requester(ALICE));
    for (const crafted of [
      `cw:a:${JSON.stringify({ k: 'show', c: '@everyone [x](https://evil)', o: tag })}`,
      'cw:a:<@&123>',
      'cw:delete-no:abcdefghij:<@&123>',
    ]) {
      const click = h.send(buttonClick(crafted, {}, as(ALICE)));
      const answer = await h.callback(click);
      expect(answer.body.data.flags).toBe(64);
      const text = JSON.stringify([answer.body.data, (await h.edit(click)).body]);
      expect(text).toMatch(/has expired/);
      expect(text).not.toContain('[x](https://evil)');
      expect(text).not.toContain('<@&123>');
      expect(text).not.toMatch(/(^|[^\\])@everyone/);
    }
  });

  it('GIVEN a notification DM THEN its text is escaped, its buttons echo nothing of it, and it allows no mentions', async () => {
    const sent = await h.core.notifications.notify(
      requester(ALICE),
      () => ({
        status: 'info',
        title: `${remark} added you`,
        facts: [{ label: 'state', value: state }],
        actions: [{ kind: 'show', label: 'Show', configId: 'c9d58545e2c9a4d65584884392fcc125' }],
      }),
      { locale: 'en', timeZone: 'UTC' },
    );
    expect(sent).toBe(true);
    const dm = await h.fake.waitFor((r) => r.method === 'POST' && r.path.startsWith('/channels/'));
    expect(dm.path).toBe(`/channels/${h.fake.dmChannelOf(ALICE.id)}/messages`);
    expect(dm.body.embeds[0].title).toBe('\\@everyone \\<@&123> added you');
    expect(dm.body.embeds[0].fields[0].value).toBe('\\[x](https://evil)');
    const buttons = JSON.stringify(dm.body.components);
    expect(buttons).not.toContain('https://evil');
    expect(buttons).not.toMatch(/(^|[^\\])@everyone/);
    expect(dm.body.allowed_mentions).toEqual(expect.objectContaining({ parse: [] }));
  });

  it('GIVEN everything this file made the bot send THEN every message allows no mentions at all', () => {
    const messages = h.fake.requests.filter(isMessage);
    expect(messages.length).toBeGreaterThan(10);
    for (const m of messages) {
      const allowed = m.path.endsWith('/callback') ? m.body.data.allowed_mentions : m.body.allowed_mentions;
      expect({ path: m.path, allowed }).toEqual({
        path: m.path,
        allowed: expect.objectContaining({ parse: [] }),
      });
    }
  });
});

/**
 * A request that posts or edits a message: a message callback (4 reply, 7 update), a webhook edit or
 * follow-up, a message in a channel (a DM).
 */
function isMessage(r: RecordedRequest): boolean {
  if (r.path.startsWith('/interactions/')) return r.body?.type === 4 || r.body?.type === 7;
  if (r.path.startsWith('/channels/')) return r.method === 'POST';
  return r.path.startsWith('/webhooks/') && (r.method === 'PATCH' || r.method === 'POST');
}
