import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { directoryLoaded } from '../../fixtures/directory-loaded.js';
import { type DiscordHarness, startDiscordHarness } from '../../fixtures/discord/harness.js';
import { ALICE, autocomplete, chatInput, GUILD_ID } from '../../fixtures/discord/interactions.js';

/**
 * Issue 14 on Discord, through the real discord.js adapter and the fake Discord: member autocomplete on
 * `user:` (temp, close, edit), pre-flight before any modal, and zh-CN names and descriptions on the
 * registered command, every subcommand and option.
 */

// biome-ignore lint/suspicious/noExplicitAny: recorded wire bodies are read freely in assertions.
type Json = any;

/** Discord's rule for command and option names (application-commands.mdx, "Application Command Naming"). */
const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

let h: DiscordHarness;

beforeAll(async () => {
  h = await startDiscordHarness();
  await directoryLoaded(h.core);
});
afterAll(() => h?.close());

async function suggested(subcommand: string, name: string, value: string) {
  const token = h.send(autocomplete(subcommand, { name, value }, { user: ALICE }));
  const answer = await h.callback(token);
  expect(answer.body.type).toBe(8);
  return answer.body.data.choices as { name: string; value: string }[];
}

describe('Discord member autocomplete', () => {
  // Which members are offered, narrowed by a userid, is the chat contract's (test/chat-contract.ts).
  it('GIVEN typing a Chinese name in temp user: THEN the eligible member, as name (userid)', async () => {
    expect(await suggested('temp', 'user', '张')).toEqual([{ name: '张三 (zhangsan)', value: 'zhangsan' }]);
  });

  it('GIVEN close user: THEN members are suggested the same way', async () => {
    expect((await suggested('close', 'user', 'li')).map((c) => c.value)).toEqual(['lisi']);
  });

  it('GIVEN edit user: (a members list) THEN the last item is completed and those chosen are not offered again', async () => {
    const choices = await suggested('edit', 'user', 'zhangsan,');
    expect(choices.map((c) => c.value).sort()).toEqual(['zhangsan,lisi', 'zhangsan,wangwu']);
    expect(choices.every((c) => c.value.length <= 100 && [...c.name].length <= 100)).toBe(true);
    expect(await suggested('edit', 'user', 'zhangsan,李')).toEqual([
      { name: 'zhangsan,李四 (lisi)', value: 'zhangsan,lisi' },
    ]);
  });
});

describe('Discord pre-flight', () => {
  it('GIVEN /contactway temp user:sunqi THEN the first response is the refusal with the fix, not a modal', async () => {
    const token = h.send(chatInput('temp', { user: 'sunqi' }, { user: ALICE }));
    const first = await h.callback(token);
    expect(first.body.type).toBe(4);
    expect(first.body.data.flags & 64).toBe(64);
    expect(JSON.stringify(first.body.data)).toContain('not enabled for customer contact');
    expect(h.sentFor(token).some((r: Json) => r.body?.type === 9)).toBe(false);
  });
});

describe('Discord registration in Chinese', () => {
  it('GIVEN registration THEN the command, every subcommand and every option carry zh-CN names and descriptions', () => {
    const put = h.fake.requests.find(
      (r) => r.method === 'PUT' && r.path.includes(`/guilds/${GUILD_ID}/commands`),
    );
    const [contactway] = (put?.body ?? []) as Json[];
    expect(contactway.name_localizations).toEqual({ 'zh-CN': '联系我' });
    expect(contactway.description_localizations['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
    const subs = contactway.options as Json[];
    expect(subs).toHaveLength(COMMANDS.length);
    const everything = [contactway, ...subs, ...subs.flatMap((s) => s.options ?? [])];
    for (const entry of everything) {
      const zh = entry.name_localizations?.['zh-CN'];
      expect(zh, entry.name).toMatch(NAME);
      expect(zh).toBe(zh.toLowerCase());
      expect(entry.description_localizations?.['zh-CN'], entry.name).toBeTruthy();
    }
    // Names within one subcommand stay distinct in Chinese too, as Discord requires.
    for (const sub of subs) {
      const names = (sub.options ?? []).map((o: Json) => o.name_localizations['zh-CN']);
      expect(new Set(names).size).toBe(names.length);
    }
    const byName = Object.fromEntries(subs.map((s) => [s.name, s]));
    expect(byName.temp.name_localizations['zh-CN']).toBe('临时码');
    for (const sub of ['temp', 'edit']) {
      expect(byName[sub].options.find((o: Json) => o.name === 'user')).toMatchObject({
        autocomplete: true,
        name_localizations: { 'zh-CN': '成员' },
      });
    }
    // close names the way, not the member, since the callbacks know whose session it is: its config_id
    // autocompletes from the requester's own ways.
    expect(byName.close.options.find((o: Json) => o.name === 'config_id')).toMatchObject({
      autocomplete: true,
    });
  });
});
