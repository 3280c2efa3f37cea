import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayed } from '../../fixtures/discord/fake-discord.js';
import { type DiscordHarness, startDiscordHarness } from '../../fixtures/discord/harness.js';
import {
  ALICE,
  chatInput,
  discordRequester,
  modalSubmit,
  type SentModal,
} from '../../fixtures/discord/interactions.js';

/** `/contactway edit` over the gateway to the real adapter and core (memory store, WeCom sandbox). */

let h: DiscordHarness;
beforeAll(async () => {
  h = await startDiscordHarness();
});
afterAll(async () => {
  await h?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: recorded wire bodies are read freely in assertions.
type Json = any;

async function open(command: string, options: Record<string, string>): Promise<SentModal> {
  const callback = await h.callback(h.send(chatInput(command, options, { user: ALICE })));
  return callback.body.data as SentModal;
}

async function submit(modal: SentModal, changes: Record<string, string> = {}): Promise<string> {
  const token = h.send(modalSubmit(modal, { user: ALICE }, changes));
  await h.callback(token);
  const reply = await h.edit(token, 8_000);
  const embed = reply.body.embeds?.[0] ?? {};
  return displayed(
    [embed.title, ...(embed.fields ?? []).map((f: Json) => `${f.name}: ${f.value}`)].join('\n'),
  );
}

describe('discord: edit', () => {
  it('GIVEN a closing message longer than the modal’s input THEN it opens empty (kept), never clipped, and saving as opened changes nothing', async () => {
    const created = await submit(await open('temp', { user: 'zhangsan' }), { remark: 'long closing' });
    const configId = /config_id: ([0-9a-f]{32})/.exec(created)?.[1] ?? '';
    // 2000 ASCII characters: within WeCom's 4000 bytes, longer than the form's 1300-character box.
    const long = 'Thank you for visiting. '.repeat(84).slice(0, 2000);
    await h.core.service.update(discordRequester(ALICE), configId, {
      conclusions: { text: { content: long } },
    });
    const modal = await open('edit', { config_id: configId });
    const input = modal.components.find((label: Json) => label.component.custom_id === 'conclusions');
    if (input) expect(input.component.value).toBeUndefined();
    expect(await submit(modal)).toContain('Nothing changed');
    const way = await h.core.service.way(discordRequester(ALICE), configId);
    expect(way.request.conclusions?.text?.content).toBe(long);
  });

  it('GIVEN edit <config_id> THEN the modal’s inputs carry the way’s current values; one change sends WeCom only that field', async () => {
    const created = await submit(await open('temp', { user: 'zhangsan' }), {
      remark: 'spring fair',
      welcome: 'Hello!',
    });
    const configId = /config_id: ([0-9a-f]{32})/.exec(created)?.[1] ?? '';
    expect(configId).not.toBe('');

    const modal = await open('edit', { config_id: configId });
    const values = Object.fromEntries(
      modal.components.map((label: Json) => [label.component.custom_id, label.component.value]),
    );
    expect(values).toEqual({
      remark: 'spring fair',
      expires_in: '7d',
      chat_expires_in: '24h',
      conclusions: undefined,
      welcome: 'Hello!',
    });

    const updates = () => h.core.sandbox?.received('update_contact_way') ?? [];
    const before = updates().length;
    expect(await submit(modal)).toContain('Nothing changed');
    expect(updates().length).toBe(before);
    expect(await submit(modal, { chat_expires_in: '2d' })).toContain(`Updated ${configId}`);
    expect(updates().slice(before)).toEqual([{ config_id: configId, chat_expires_in: 172_800 }]);
  });
});
