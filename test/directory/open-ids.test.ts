import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/base/logger.js';
import { createOpenIdResolver, openIdsKey } from '../../src/directory/open-ids.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { createDirectoryApi } from '../../src/wecom/directory-api.js';
import type { TokenSource } from '../../src/wecom/token-source.js';
import { startPushReceiver } from '../fixtures/wecom-push-receiver.js';
import { installViaPage, type Json, service, suiteToken, wecom } from '../sandbox/provider-helpers.js';

/**
 * Typed members → a provider app's open userids: the sandbox's batch/userid_to_openuserid over HTTP (raw, and
 * through our directory API and resolver), for a third-party install of a corp whose range is narrow.
 */
const SUITE = { token: 'suiteTokenIds', encodingAesKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut' };

let sb: Sandbox;
let receiver: Awaited<ReturnType<typeof startPushReceiver>>;
const corpTokens = new Map<string, string>();

/** Installs `corpId` through the install page; its corp access token. */
async function installed(suite: string, corpId: string): Promise<string> {
  const { authCode } = await installViaPage(sb, suite, corpId, `s${corpId}`);
  const code = await service(
    sb,
    'v2/get_permanent_code',
    { suite_access_token: suite },
    { auth_code: authCode },
  );
  const token = await service(
    sb,
    'get_corp_token',
    { suite_access_token: suite },
    { auth_corpid: (code.auth_corp_info as Json).corpid, permanent_code: code.permanent_code },
  );
  return token.access_token as string;
}

/** A token source that hands out a token obtained above (the provider chain is tested elsewhere). */
const fixed = (token: string): TokenSource => ({
  cacheKey: `fixed:${token.slice(0, 6)}`,
  fetchToken: async () => ({ accessToken: token, expiresInS: 7200 }),
});

const apiOf = (corpId: string) =>
  createDirectoryApi({
    baseUrl: sb.url,
    tokens: fixed(corpTokens.get(corpId) as string),
    cache: new Keyv(),
    sleep: async () => {},
  });

beforeAll(async () => {
  receiver = await startPushReceiver(SUITE);
  sb = await startSandbox({
    provider: {
      suite: { suiteId: 'ww_open_ids_suite', ...SUITE },
      suiteUrl: receiver.url,
      ticketIntervalMs: 0,
      corps: [
        { corpId: 'wwclinic', corpName: 'Clinic' },
        { corpId: 'wwnarrow', corpName: 'Narrow', visible: { users: ['zhangsan'] } },
      ],
    },
  });
  const suite = await suiteToken(sb);
  corpTokens.set('wwclinic', await installed(suite, 'wwclinic'));
  corpTokens.set('wwnarrow', await installed(suite, 'wwnarrow'));
});
afterAll(async () => {
  await sb.close();
  await receiver.close();
});

const open = (corpId: string, userid: string) => sb.provider!.openUserId(corpId, userid);

describe('batch/userid_to_openuserid on the sandbox', () => {
  it('GIVEN a provider app token THEN visible members get their open ids; unknown and out-of-range ids are invalid', async () => {
    const clinic = await wecom(sb, 'batch/userid_to_openuserid', corpTokens.get('wwclinic') as string, {
      userid_list: ['zhangsan', 'lisi', 'nobody'],
    });
    expect(clinic).toMatchObject({
      errcode: 0,
      open_userid_list: [
        { userid: 'zhangsan', open_userid: open('wwclinic', 'zhangsan') },
        { userid: 'lisi', open_userid: open('wwclinic', 'lisi') },
      ],
      invalid_userid_list: ['nobody'],
    });
    const narrow = await wecom(sb, 'batch/userid_to_openuserid', corpTokens.get('wwnarrow') as string, {
      userid_list: ['zhangsan', 'lisi'],
    });
    expect(narrow.open_userid_list).toEqual([
      { userid: 'zhangsan', open_userid: open('wwnarrow', 'zhangsan') },
    ]);
    expect(narrow.invalid_userid_list).toEqual(['lisi']);
    // An open id is not a plaintext userid: invalid too.
    const again = await wecom(sb, 'batch/userid_to_openuserid', corpTokens.get('wwnarrow') as string, {
      userid_list: [open('wwnarrow', 'zhangsan')],
    });
    expect(again.invalid_userid_list).toEqual([open('wwnarrow', 'zhangsan')]);
  });

  it('GIVEN a self-built token THEN 48001; an empty list THEN 40058', async () => {
    const own = (await (
      await fetch(`${sb.url}/cgi-bin/gettoken?corpid=${sb.corpId}&corpsecret=${sb.corpSecret}`)
    ).json()) as Json;
    const refused = await wecom(sb, 'batch/userid_to_openuserid', own.access_token as string, {
      userid_list: ['zhangsan'],
    });
    expect(refused.errcode).toBe(48001);
    const empty = await wecom(sb, 'batch/userid_to_openuserid', corpTokens.get('wwclinic') as string, {
      userid_list: [],
    });
    expect(empty.errcode).toBe(40058);
  });
});

describe('the open-id resolver', () => {
  it('GIVEN typed plaintext userids THEN the corp’s open ids, asked once and kept in the store; unknown ids stay as typed', async () => {
    const store = new Keyv();
    const resolver = createOpenIdResolver({ api: apiOf('wwclinic'), store, logger: silentLogger() });
    const nobody = () => undefined;
    const before = sb.stats().calls.userid_to_openuserid ?? 0;
    const first = await resolver.resolve('wwclinic', ['zhangsan', 'lisi', 'nobody'], nobody);
    expect(first.map((r) => r.id)).toEqual([
      open('wwclinic', 'zhangsan'),
      open('wwclinic', 'lisi'),
      'nobody',
    ]);
    expect(sb.stats().calls.userid_to_openuserid).toBe(before + 1);
    // Already learned, or just refused: not asked again.
    const second = await resolver.resolve('wwclinic', ['zhangsan', 'nobody'], nobody);
    expect(second.map((r) => r.id)).toEqual([open('wwclinic', 'zhangsan'), 'nobody']);
    expect(sb.stats().calls.userid_to_openuserid).toBe(before + 1);
    expect(resolver.known('wwclinic', 'ZhangSan')).toBe(open('wwclinic', 'zhangsan'));
    // Another instance sharing the store knows it without asking WeCom.
    const other = createOpenIdResolver({ api: apiOf('wwclinic'), store, logger: silentLogger() });
    expect((await other.resolve('wwclinic', ['zhangsan'], nobody))[0]?.id).toBe(open('wwclinic', 'zhangsan'));
    expect(sb.stats().calls.userid_to_openuserid).toBe(before + 1);
    expect(await store.get(openIdsKey('wwclinic'))).toEqual({
      zhangsan: open('wwclinic', 'zhangsan'),
      lisi: open('wwclinic', 'lisi'),
    });
  });

  it('GIVEN a name or an open id the directory knows THEN its member, with the name, without asking WeCom', async () => {
    const resolver = createOpenIdResolver({
      api: apiOf('wwnarrow'),
      store: new Keyv(),
      logger: silentLogger(),
    });
    const member = { userid: open('wwnarrow', 'zhangsan'), name: 'zhang' };
    const lookup = (typed: string) => (typed === 'zhang' || typed === member.userid ? member : undefined);
    const before = sb.stats().calls.userid_to_openuserid ?? 0;
    expect(await resolver.resolve('wwnarrow', ['zhang', member.userid], lookup)).toEqual([
      { typed: 'zhang', id: member.userid, name: 'zhang' },
      { typed: member.userid, id: member.userid, name: 'zhang' },
    ]);
    expect(sb.stats().calls.userid_to_openuserid ?? 0).toBe(before);
    // A plaintext id converted is named from the directory too.
    expect(await resolver.resolve('wwnarrow', ['zhangsan'], lookup)).toEqual([
      { typed: 'zhangsan', id: member.userid, name: 'zhang' },
    ]);
  });
});
