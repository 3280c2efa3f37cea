import Keyv from 'keyv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WecomError } from '../../src/base/errors.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { createDirectoryApi } from '../../src/wecom/directory-api.js';
import { corpSecretTokenSource } from '../../src/wecom/index.js';

/** The sandbox's address-book reads over real HTTP: raw wire shapes, then through our directory API. */

type Json = Record<string, unknown>;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.clearFaults());

async function token(): Promise<string> {
  const answer = (await (
    await fetch(`${sandbox.url}/cgi-bin/gettoken?corpid=${sandbox.corpId}&corpsecret=${sandbox.corpSecret}`)
  ).json()) as Json;
  return answer.access_token as string;
}

const api = () =>
  createDirectoryApi({
    baseUrl: sandbox.url,
    tokens: corpSecretTokenSource({ corpId: sandbox.corpId, corpSecret: sandbox.corpSecret }),
    cache: new Keyv(),
    sleep: async () => {},
  });

describe('sandbox directory endpoints over HTTP', () => {
  it('GIVEN get_follow_user_list THEN members enabled for customer contact, sunqi not among them', async () => {
    const res = await fetch(
      `${sandbox.url}/cgi-bin/externalcontact/get_follow_user_list?access_token=${await token()}`,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ errcode: 0, errmsg: 'ok' });
    expect(body.follow_user).toEqual(['zhangsan', 'lisi', 'wangwu', 'zhaoliu']);
  });

  it('GIVEN user/get THEN name and status (4 for zhaoliu, not activated); unknown userid is 60111', async () => {
    const t = await token();
    const get = async (userid: string) =>
      (await (
        await fetch(`${sandbox.url}/cgi-bin/user/get?access_token=${t}&userid=${userid}`)
      ).json()) as Json;
    expect(await get('sunqi')).toMatchObject({ errcode: 0, userid: 'sunqi', name: '孙七', status: 1 });
    expect(await get('zhaoliu')).toMatchObject({ errcode: 0, status: 4 });
    expect((await get('nobody')).errcode).toBe(60111);
  });

  it('GIVEN user/list_id with limit 2 THEN pages by next_cursor through every member; a bad cursor is 40058', async () => {
    const t = await token();
    const page = async (body: Json) =>
      (await (
        await fetch(`${sandbox.url}/cgi-bin/user/list_id?access_token=${t}`, {
          method: 'POST',
          body: JSON.stringify(body),
        })
      ).json()) as Json;
    const ids: string[] = [];
    let cursor = '';
    do {
      const answer = await page({ cursor, limit: 2 });
      expect(answer.errcode).toBe(0);
      for (const entry of answer.dept_user as { userid: string }[]) ids.push(entry.userid);
      cursor = answer.next_cursor as string;
    } while (cursor);
    expect(new Set(ids)).toEqual(new Set(['zhangsan', 'lisi', 'wangwu', 'zhaoliu', 'sunqi']));
    expect((await page({ cursor: 'nonsense' })).errcode).toBe(40058);
  });

  it('GIVEN no or a wrong access_token THEN WeCom’s token errcodes', async () => {
    const body = (await (await fetch(`${sandbox.url}/cgi-bin/user/get?userid=lisi`)).json()) as Json;
    expect(body.errcode).toBe(41001);
  });

  it('GIVEN add_contact_way for sunqi THEN 84074 (no customer-contact permission)', async () => {
    const res = await fetch(
      `${sandbox.url}/cgi-bin/externalcontact/add_contact_way?access_token=${await token()}`,
      {
        method: 'POST',
        body: JSON.stringify({ type: 1, scene: 2, user: ['sunqi'] }),
      },
    );
    expect(((await res.json()) as Json).errcode).toBe(84074);
  });

  it('GIVEN our directory API THEN the same answers, validated; a fault on user_list_id is a WecomError', async () => {
    const directory = api();
    expect(await directory.followUsers()).toContain('lisi');
    expect(await directory.member('wangwu')).toEqual({ userid: 'wangwu', name: '王五', status: 1 });
    const ids: string[] = [];
    for await (const id of directory.allUserIds()) ids.push(id);
    expect(ids).toContain('sunqi');
    sandbox.inject({ endpoint: 'user_list_id', errcode: 48002 });
    await expect(
      (async () => {
        for await (const _ of directory.allUserIds());
      })(),
    ).rejects.toMatchObject({ errcode: 48002 });
    await expect(directory.member('nobody')).rejects.toBeInstanceOf(WecomError);
  });
});
