import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayed } from '../../fixtures/discord/fake-discord.js';
import { type DiscordHarness, startDiscordHarness } from '../../fixtures/discord/harness.js';
import { ALICE, chatInput, modalSubmit, type SentModal } from '../../fixtures/discord/interactions.js';

/**
 * Issue 21 through Discord's door: the cards and unionid are slash options (the modal holds five fields), so
 * `/contactway temp user:… closing_link:… welcome_links:… welcome_miniprograms:… unionid:…` opens the modal and
 * its submission reaches WeCom (the sandbox) as the seed's fields; a bad card option is named in the reply.
 */

const BOOKING = { appid: 'wx8bd80126147dfAAA', page: 'pages/book/index', title: '预约', pic_media_id: 'M1' };
let h: DiscordHarness;

beforeAll(async () => {
  h = await startDiscordHarness({ MINIPROGRAMS: JSON.stringify({ booking: BOOKING }) });
});
afterAll(async () => {
  await h?.close();
});

async function temp(options: Record<string, string>) {
  const opened = h.send(chatInput('temp', { user: 'zhangsan', ...options }, { user: ALICE }));
  const modal = (await h.callback(opened)).body.data as SentModal;
  const token = h.send(modalSubmit(modal, { user: ALICE }, {}));
  await h.callback(token);
  return h.edit(token, 8_000);
}

const adds = () => h.core.sandbox!.received('add_contact_way');

describe('Discord: cards as slash options', () => {
  it('GIVEN a closing mini-program, two welcome links and a unionid as options THEN add_contact_way carries them and the reply describes them', async () => {
    const edit = await temp({
      closing_miniprogram: 'booking',
      welcome_links: 'A | https://a.example || B | https://b.example | desc',
      unionid: 'oxTWIuGaIt6gTKsQRLau2M0AAAA',
    });
    const add = adds().at(-1)!;
    expect(add.conclusions).toEqual({ miniprogram: BOOKING });
    expect(add.unionid).toBe('oxTWIuGaIt6gTKsQRLau2M0AAAA');
    const text = displayed(JSON.stringify(edit.body.embeds));
    expect(text).toContain('mini-program “booking” (预约)');
    expect(text).toContain('link “B”');
  });

  it('GIVEN a closing link whose title is over 128 bytes THEN the reply names the field and the limit, and nothing is created', async () => {
    const before = adds().length;
    const edit = await temp({ closing_link: `${'标'.repeat(43)} | https://e.com` });
    expect(displayed(JSON.stringify(edit.body))).toContain('at most 128 bytes');
    expect(adds().length).toBe(before);
  });
});
