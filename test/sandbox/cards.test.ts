import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

/**
 * The sandbox plays WeCom's rules for cards (wecom-provider-modes.md §5.1, §5.3): conclusions with a link or a
 * mini-program (90207 for an appid that is no appid, 90206 for one the corp has not associated), echoed by
 * get_contact_way; send_welcome_msg with at most nine attachments, each body its msgtype's, recorded.
 */

type Json = Record<string, unknown> & { errcode: number; errmsg: string };
let sb: Sandbox;
let token: string;

async function call(endpoint: string, body: unknown): Promise<Json> {
  const res = await fetch(`${sb.url}/cgi-bin/externalcontact/${endpoint}?access_token=${token}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return (await res.json()) as Json;
}

const TEMP = { type: 1, scene: 2, user: ['zhangsan'], is_temp: true };
const MINI = {
  title: '预约',
  pic_media_id: 'MEDIA_ID',
  appid: 'wx8bd80126147dfAAA',
  page: '/path/index.html',
};
const LINK = { title: 'T', url: 'https://example.com' };

beforeAll(async () => {
  sb = await startSandbox();
  const q = new URLSearchParams({ corpid: sb.corpId, corpsecret: sb.corpSecret });
  token = ((await (await fetch(`${sb.url}/cgi-bin/gettoken?${q}`)).json()) as Json).access_token as string;
});
afterAll(() => sb.close());

describe('sandbox: conclusions cards', () => {
  it('GIVEN a link and a mini-program THEN created, and get_contact_way echoes them', async () => {
    const added = await call('add_contact_way', { ...TEMP, conclusions: { link: LINK, miniprogram: MINI } });
    expect(added.errcode).toBe(0);
    const got = await call('get_contact_way', { config_id: added.config_id });
    expect((got.contact_way as { conclusions: unknown }).conclusions).toEqual({
      link: LINK,
      miniprogram: MINI,
    });
  });

  it.each([
    ['an appid that is no appid', { ...MINI, appid: 'wx1' }, 90207],
    ['an appid the corp has not associated', { ...MINI, appid: 'wx8bd8012614700000' }, 90206],
    ['a title over 64 bytes', { ...MINI, title: '字'.repeat(22) }, 40058],
  ])('GIVEN a mini-program with %s THEN %s', async (_, miniprogram, errcode) => {
    expect((await call('add_contact_way', { ...TEMP, conclusions: { miniprogram } })).errcode).toBe(errcode);
  });

  it('GIVEN a link to javascript: THEN 40058', async () => {
    const link = { ...LINK, url: 'javascript:alert(1)' };
    expect((await call('add_contact_way', { ...TEMP, conclusions: { link } })).errcode).toBe(40058);
  });
});

describe('sandbox: send_welcome_msg attachments', () => {
  it('GIVEN attachments THEN at most 9, each body its msgtype, and what was sent is recorded', async () => {
    const added = await call('add_contact_way', TEMP);
    const scan = await sb.scan(added.config_id as string);
    const code = scan.welcomeCode;
    const ten = Array.from({ length: 10 }, () => ({ msgtype: 'link', link: LINK }));
    // WeCom's own codes: 41064 for more than nine, 41065 for a body under another msgtype's key.
    expect((await call('send_welcome_msg', { welcome_code: code, attachments: ten })).errcode).toBe(41064);
    const mismatched = [{ msgtype: 'link', miniprogram: MINI }];
    expect((await call('send_welcome_msg', { welcome_code: code, attachments: mismatched })).errcode).toBe(
      41065,
    );
    expect((await call('send_welcome_msg', { welcome_code: code })).errcode).toBe(40058);
    const bad = [{ msgtype: 'miniprogram', miniprogram: { ...MINI, appid: 'nope' } }];
    expect((await call('send_welcome_msg', { welcome_code: code, attachments: bad })).errcode).toBe(90207);
    const good = [
      { msgtype: 'link', link: LINK },
      { msgtype: 'miniprogram', miniprogram: MINI },
    ];
    expect((await call('send_welcome_msg', { welcome_code: code, attachments: good })).errcode).toBe(0);
    expect(sb.customer(scan.externalUserId)?.welcome?.attachments).toEqual(good);
  });
});
