import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { startPushReceiver } from '../fixtures/wecom-push-receiver.js';
import { installViaPage, type Json, service, suiteToken, wecom } from './provider-helpers.js';

const SUITE = {
  token: 'suiteToken2',
  encodingAesKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut',
};
const APP_CALLBACK = { token: 'appToken', encodingAesKey: 'QWERTYUIOPASDFGHJKLZXCVBNM0123456789qwertyu' };

describe('sandbox provider, third-party: corp tokens and provider-scoped ids', () => {
  let sb: Sandbox;
  let receiver: Awaited<ReturnType<typeof startPushReceiver>>;
  let suite: string;
  let corpToken: string;
  let permanentCode: string;
  let openCorp: string;
  const open = (userid: string) => sb.provider!.openUserId('wwclinic', userid);

  beforeAll(async () => {
    receiver = await startPushReceiver(SUITE);
    sb = await startSandbox({
      provider: {
        suite: { suiteId: 'ww_ids_suite', ...SUITE },
        suiteUrl: receiver.url,
        ticketIntervalMs: 0,
        corps: [
          { corpId: 'wwclinic', corpName: 'Clinic' },
          { corpId: 'wwnarrow', corpName: 'Narrow', visible: { users: ['zhangsan'] } },
        ],
      },
    });
    suite = await suiteToken(sb);
    const { authCode } = await installViaPage(sb, suite, 'wwclinic');
    const exchanged = await service(
      sb,
      'v2/get_permanent_code',
      { suite_access_token: suite },
      { auth_code: authCode },
    );
    permanentCode = exchanged.permanent_code as string;
    openCorp = (exchanged.auth_corp_info as Json).corpid as string;
    const token = await service(
      sb,
      'get_corp_token',
      { suite_access_token: suite },
      {
        auth_corpid: openCorp,
        permanent_code: permanentCode,
      },
    );
    expect(Object.keys(token).sort()).toEqual(['access_token', 'expires_in']);
    corpToken = token.access_token as string;
  });
  afterAll(async () => {
    await sb.close();
    await receiver.close();
  });

  it('GIVEN the corp token THEN the directory answers encrypted userids, stable and per corp', async () => {
    const list = await wecom(sb, 'user/list_id', corpToken, {});
    const ids = (list.dept_user as Json[]).map((d) => d.userid);
    expect(ids).toContain(open('zhangsan'));
    expect(ids.every((id) => typeof id === 'string' && /^wo[A-Za-z0-9]{30}$/.test(id))).toBe(true);
    expect(ids).not.toContain('zhangsan');
    expect(open('zhangsan')).not.toBe(sb.provider!.openUserId('wwnarrow', 'zhangsan'));
    const follow = await wecom(sb, 'externalcontact/get_follow_user_list', corpToken);
    expect(follow.follow_user).toContain(open('lisi'));
    const user = await wecom(sb, 'user/get', corpToken, undefined, { userid: open('lisi') });
    expect(user).toMatchObject({ errcode: 0, userid: open('lisi'), name: '李四' });
    const info = await service(
      sb,
      'v2/get_auth_info',
      { suite_access_token: suite },
      {
        auth_corpid: openCorp,
        permanent_code: permanentCode,
      },
    );
    expect(info).toMatchObject({ errcode: 0, auth_corp_info: { corpid: openCorp } });
  });

  it('GIVEN encrypted ids THEN add_contact_way works and get answers them; plaintext ids THEN 60111', async () => {
    const added = await wecom(sb, 'externalcontact/add_contact_way', corpToken, {
      type: 1,
      scene: 2,
      user: [open('zhangsan')],
      is_temp: true,
      state: 'visit42',
    });
    expect(added.errcode).toBe(0);
    const got = await wecom(sb, 'externalcontact/get_contact_way', corpToken, { config_id: added.config_id });
    expect((got.contact_way as Json).user).toEqual([open('zhangsan')]);
    const plain = await wecom(sb, 'externalcontact/add_contact_way', corpToken, {
      type: 1,
      scene: 2,
      user: ['zhangsan'],
    });
    expect(plain.errcode).toBe(60111);
    expect((await wecom(sb, 'user/get', corpToken, undefined, { userid: 'lisi' })).errcode).toBe(60111);
    // The self-built corp's token reaches none of this corp's ways.
    const own = (await (
      await fetch(`${sb.url}/cgi-bin/gettoken?corpid=${sb.corpId}&corpsecret=${sb.corpSecret}`)
    ).json()) as Json;
    const foreign = await wecom(sb, 'externalcontact/get_contact_way', own.access_token as string, {
      config_id: added.config_id,
    });
    expect(foreign.errcode).toBe(41044);
  });

  it('GIVEN a scan THEN change_external_contact comes on the command URL with AuthCorpId and encrypted ids', async () => {
    const added = await wecom(sb, 'externalcontact/add_contact_way', corpToken, {
      type: 1,
      scene: 2,
      user: [open('lisi')],
      state: 'poster7',
    });
    const scan = await sb.provider!.scan(added.config_id as string);
    expect(scan.delivered).toEqual({ status: 200, body: 'success' });
    const event = await receiver.waitFor((p) => p.fields.InfoType === 'change_external_contact');
    expect(event.receiveId).toBe('ww_ids_suite');
    expect(event.fields).toMatchObject({
      SuiteId: 'ww_ids_suite',
      AuthCorpId: openCorp,
      ChangeType: 'add_external_contact',
      UserID: open('lisi'),
      ExternalUserID: scan.externalUserId,
      State: 'poster7',
      WelcomeCode: scan.welcomeCode,
    });
    const customer = await wecom(sb, 'externalcontact/get', corpToken, undefined, {
      external_userid: scan.externalUserId,
    });
    expect(customer).toMatchObject({
      errcode: 0,
      external_contact: { external_userid: scan.externalUserId },
      follow_user: [expect.objectContaining({ userid: open('lisi'), state: 'poster7' })],
    });
    const batch = await wecom(sb, 'externalcontact/batch/get_by_user', corpToken, {
      userid_list: [open('lisi')],
    });
    expect((batch.external_contact_list as Json[]).length).toBe(1);
    expect(sb.customer(scan.externalUserId)).toMatchObject({ userid: open('lisi'), state: 'poster7' });
    const wrong = await wecom(sb, 'externalcontact/get', corpToken, undefined, {
      external_userid: 'wmplaintext',
    });
    expect(wrong.errcode).toBe(40096);
  });

  it('GIVEN a member outside the visible range THEN 60011, and the directory leaves them out', async () => {
    const { authCode } = await installViaPage(sb, suite, 'wwnarrow');
    const ex = await service(
      sb,
      'get_permanent_code',
      { suite_access_token: suite },
      { auth_code: authCode },
    );
    expect(ex.access_token).toEqual(expect.any(String)); // v1 carries a corp token
    const token = ex.access_token as string;
    const narrow = (u: string) => sb.provider!.openUserId('wwnarrow', u);
    const refused = await wecom(sb, 'externalcontact/add_contact_way', token, {
      type: 1,
      scene: 2,
      user: [narrow('lisi')],
    });
    expect(refused.errcode).toBe(60011);
    const ok = await wecom(sb, 'externalcontact/add_contact_way', token, {
      type: 1,
      scene: 2,
      user: [narrow('zhangsan')],
    });
    expect(ok.errcode).toBe(0);
    const follow = await wecom(sb, 'externalcontact/get_follow_user_list', token);
    expect(follow.follow_user).toEqual([narrow('zhangsan')]);
  });

  it('GIVEN cancel_auth THEN it is pushed with AuthCorpId and get_corp_token answers 40084', async () => {
    const res = await fetch(`${sb.url}/sandbox/provider/auth-event`, {
      method: 'POST',
      body: JSON.stringify({ corp_id: 'wwclinic', info_type: 'cancel_auth' }),
    });
    expect(res.status).toBe(200);
    const event = await receiver.waitFor((p) => p.fields.InfoType === 'cancel_auth');
    expect(event.fields.AuthCorpId).toBe(openCorp);
    const token = await service(
      sb,
      'get_corp_token',
      { suite_access_token: suite },
      {
        auth_corpid: openCorp,
        permanent_code: permanentCode,
      },
    );
    expect(token.errcode).toBe(40084);
  });
});

describe('sandbox provider, 代开发: gettoken with the permanent code', () => {
  let sb: Sandbox;
  let receiver: Awaited<ReturnType<typeof startPushReceiver>>;
  let app: Awaited<ReturnType<typeof startPushReceiver>>;
  beforeAll(async () => {
    receiver = await startPushReceiver(SUITE);
    app = await startPushReceiver(APP_CALLBACK);
    sb = await startSandbox({
      provider: {
        suite: { suiteId: 'dk_sandbox_tpl', ...SUITE },
        suiteUrl: receiver.url,
        ticketIntervalMs: 0,
      },
    });
    sb.connectCallbacks({ url: app.url, ...APP_CALLBACK });
  });
  afterAll(async () => {
    await sb.close();
    await receiver.close();
    await app.close();
  });

  it('GIVEN a market install THEN create_auth, a customized permanent code, gettoken works, get_corp_token 40084', async () => {
    const suite = await suiteToken(sb);
    const { authCode } = await sb.provider!.install('wwclinic', { state: 'qr1' });
    const pushed = await receiver.waitFor((p) => p.fields.InfoType === 'create_auth');
    expect(pushed.fields).toMatchObject({ AuthCode: authCode, State: 'qr1', SuiteId: 'dk_sandbox_tpl' });
    const ex = await service(
      sb,
      'get_permanent_code',
      { suite_access_token: suite },
      { auth_code: authCode },
    );
    expect(ex.access_token).toBeUndefined();
    expect(ex).toMatchObject({
      auth_info: { agent: [expect.objectContaining({ is_customized_app: true })] },
    });
    const corpid = (ex.auth_corp_info as Json).corpid as string;
    const q = (secret: string) => new URLSearchParams({ corpid, corpsecret: secret });
    const wrong = (await (await fetch(`${sb.url}/cgi-bin/gettoken?${q('nope')}`)).json()) as Json;
    expect(wrong.errcode).toBe(40001);
    const got = (await (
      await fetch(`${sb.url}/cgi-bin/gettoken?${q(ex.permanent_code as string)}`)
    ).json()) as Json;
    expect(got).toMatchObject({ errcode: 0, expires_in: 7200 });
    const viaSuite = await service(
      sb,
      'get_corp_token',
      { suite_access_token: suite },
      {
        auth_corpid: corpid,
        permanent_code: ex.permanent_code,
      },
    );
    expect(viaSuite.errcode).toBe(40084);

    const userid = sb.provider!.openUserId('wwclinic', 'wangwu');
    const added = await wecom(sb, 'externalcontact/add_contact_way', got.access_token as string, {
      type: 1,
      scene: 2,
      user: [userid],
    });
    expect(added.errcode).toBe(0);
    const scan = await sb.scan(added.config_id as string);
    // The 代开发 app's own callback URL, self-built format, encrypted for the corp id the app sees.
    const event = await app.waitFor((p) => p.fields.ChangeType === 'add_external_contact');
    expect(event.receiveId).toBe(corpid);
    expect(event.fields).toMatchObject({
      ToUserName: corpid,
      UserID: userid,
      ExternalUserID: scan.externalUserId,
    });

    // 重新获取secret: the pushed AuthCode buys a new secret, and the old one stops working.
    await sb.provider!.pushAuthEvent('wwclinic', 'reset_permanent_code');
    const reset = await receiver.waitFor((p) => p.fields.InfoType === 'reset_permanent_code');
    const renewed = await service(
      sb,
      'v2/get_permanent_code',
      { suite_access_token: suite },
      { auth_code: reset.fields.AuthCode },
    );
    expect(renewed.permanent_code).not.toBe(ex.permanent_code);
    const old = (await (
      await fetch(`${sb.url}/cgi-bin/gettoken?${q(ex.permanent_code as string)}`)
    ).json()) as Json;
    expect(old.errcode).toBe(40001);
    const fresh = (await (
      await fetch(`${sb.url}/cgi-bin/gettoken?${q(renewed.permanent_code as string)}`)
    ).json()) as Json;
    expect(fresh.errcode).toBe(0);
  });
});
