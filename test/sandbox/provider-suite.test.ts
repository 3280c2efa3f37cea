import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { startPushReceiver } from '../fixtures/wecom-push-receiver.js';
import { installViaPage, type Json, service, suiteToken } from './provider-helpers.js';

const T0 = Date.UTC(2026, 0, 1);
let nowMs = T0;
const clock = () => nowMs;
const MIN = 60_000;
const SUITE = {
  suiteId: 'ww_test_suite',
  suiteSecret: 'suite-secret-1',
  token: 'suiteToken1',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

describe('sandbox provider: suite_ticket and get_suite_token', () => {
  let sb: Sandbox;
  let receiver: Awaited<ReturnType<typeof startPushReceiver>>;
  beforeAll(async () => {
    receiver = await startPushReceiver(SUITE);
    sb = await startSandbox({
      now: clock,
      provider: { suite: SUITE, suiteUrl: receiver.url, ticketIntervalMs: 0 },
    });
  });
  afterAll(async () => {
    await sb.close();
    await receiver.close();
  });
  afterEach(() => {
    nowMs = T0;
  });

  const tokenBody = (ticket: string, secret = SUITE.suiteSecret) => ({
    suite_id: SUITE.suiteId,
    suite_secret: secret,
    suite_ticket: ticket,
  });

  it('GIVEN a push THEN it is signed and encrypted for the suite id, in the InfoType format, answered success', async () => {
    const pushed = await sb.provider!.pushTicket();
    expect(pushed.delivered).toEqual({ status: 200, body: 'success' });
    const got = await receiver.waitFor((p) => p.fields.SuiteTicket === pushed.ticket);
    expect(got.toUserName).toBe(SUITE.suiteId);
    expect(got.receiveId).toBe(SUITE.suiteId);
    expect(got.fields).toEqual({
      SuiteId: SUITE.suiteId,
      InfoType: 'suite_ticket',
      TimeStamp: String(pushed.timestamp),
      SuiteTicket: pushed.ticket,
    });
    expect(got.xml).toMatch(/^<xml><SuiteId><!\[CDATA\[ww_test_suite\]\]><\/SuiteId><InfoType>/);
  });

  it('GIVEN the URL check THEN echostr is encrypted for the provider corp id and the answer compared', async () => {
    const res = await fetch(`${sb.url}/sandbox/provider/verify-url`, { method: 'POST', body: '{}' });
    expect(((await res.json()) as Json).verified).toMatchObject({ ok: true, status: 200 });
    expect(receiver.echoes.at(-1)?.receiveId).toBe(sb.provider!.providerCorpId);
  });

  it('GIVEN the HTTP controls THEN a ticket is pushed now, and on a schedule until the interval is 0', async () => {
    const now = (await (
      await fetch(`${sb.url}/sandbox/provider/ticket`, { method: 'POST', body: '{}' })
    ).json()) as Json;
    expect(now).toMatchObject({ ok: true, delivered: { status: 200, body: 'success' } });
    await receiver.waitFor((p) => p.fields.SuiteTicket === now.ticket);
    const before = receiver.received.length;
    const set = (ms: number) =>
      fetch(`${sb.url}/sandbox/provider/ticket-interval`, { method: 'POST', body: JSON.stringify({ ms }) });
    expect((await set(30)).status).toBe(200);
    await receiver.waitFor(() => receiver.received.length >= before + 2);
    expect((await set(0)).status).toBe(200);
    expect((await set(-1)).status).toBe(400);
    expect((await set(2 ** 31)).status).toBe(400);
  });

  it('GIVEN a pushed ticket THEN get_suite_token answers without errcode; the same token for a newer ticket', async () => {
    const first = await service(
      sb,
      'get_suite_token',
      {},
      tokenBody((await sb.provider!.pushTicket()).ticket),
    );
    expect(Object.keys(first).sort()).toEqual(['expires_in', 'suite_access_token']);
    expect(first.expires_in).toBe(7200);
    nowMs += 10 * MIN;
    const second = await service(
      sb,
      'get_suite_token',
      {},
      tokenBody((await sb.provider!.pushTicket()).ticket),
    );
    expect(second.suite_access_token).toBe(first.suite_access_token);
    expect(second.expires_in).toBe(7200 - 600);
  });

  it('GIVEN an unknown ticket, or one older than 30 minutes THEN 40085; a wrong secret 40080', async () => {
    expect((await service(sb, 'get_suite_token', {}, tokenBody('never-pushed'))).errcode).toBe(40085);
    const { ticket } = await sb.provider!.pushTicket();
    expect((await service(sb, 'get_suite_token', {}, tokenBody(ticket, 'nope'))).errcode).toBe(40080);
    nowMs += 30 * MIN;
    const stale = await service(sb, 'get_suite_token', {}, tokenBody(ticket));
    expect(stale.errcode).toBe(40085);
    expect(stale.errmsg).toMatch(/more info at .*e=40085$/);
  });

  it('GIVEN a suite token past its life THEN 42009; an unknown one 40082; expired by control THEN 42009', async () => {
    const token = await suiteToken(sb);
    const pre = await service(sb, 'get_pre_auth_code', { suite_access_token: token });
    expect(pre).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 1200 });
    expect((await service(sb, 'get_pre_auth_code', { suite_access_token: 'forged' })).errcode).toBe(40082);
    sb.provider!.expireSuiteTokens();
    expect((await service(sb, 'get_pre_auth_code', { suite_access_token: token })).errcode).toBe(42009);
    const fresh = await suiteToken(sb);
    expect(fresh).not.toBe(token);
    nowMs += 7200 * 1000;
    expect((await service(sb, 'get_pre_auth_code', { suite_access_token: fresh })).errcode).toBe(42009);
  });

  it('GIVEN a fault queued for a provider endpoint THEN that call answers it, once, and is counted', async () => {
    const res = await fetch(`${sb.url}/sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ endpoint: 'get_suite_token', errcode: 42009 }),
    });
    expect(res.status).toBe(200);
    const { ticket } = await sb.provider!.pushTicket();
    expect((await service(sb, 'get_suite_token', {}, tokenBody(ticket))).errcode).toBe(42009);
    expect((await service(sb, 'get_suite_token', {}, tokenBody(ticket))).suite_access_token).toEqual(
      expect.any(String),
    );
    expect(sb.stats().calls.get_suite_token).toBeGreaterThanOrEqual(2);
  });

  it('GIVEN pre_auth_code → install page → click THEN a redirect with auth_code, create_auth, one exchange, then 40078', async () => {
    const token = await suiteToken(sb);
    const pre = await service(sb, 'get_pre_auth_code', { suite_access_token: token });
    const session = await service(
      sb,
      'set_session_info',
      { suite_access_token: token },
      {
        pre_auth_code: pre.pre_auth_code,
        session_info: { appid: [], auth_type: 1 },
      },
    );
    expect(session).toEqual({ errcode: 0, errmsg: 'ok' });
    const q = new URLSearchParams({
      suite_id: SUITE.suiteId,
      pre_auth_code: pre.pre_auth_code as string,
      redirect_uri: 'https://bot.example/wecom/install',
      state: 'st4te',
    });
    const page = await fetch(`${sb.url}/3rdapp/install?${q}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Sandbox Clinic');
    expect(html).toContain('name="corp_id" value="wwclinic"');

    const { authCode, location } = await installViaPage(
      sb,
      token,
      'wwclinic',
      'st4te',
      pre.pre_auth_code as string,
    );
    expect(location.origin + location.pathname).toBe('https://bot.example/wecom/install');
    expect(location.searchParams.get('state')).toBe('st4te');
    expect(location.searchParams.get('expires_in')).toBe('600');
    const pushed = await receiver.waitFor((p) => p.fields.AuthCode === authCode);
    expect(pushed.fields).toMatchObject({ InfoType: 'create_auth', SuiteId: SUITE.suiteId, State: 'st4te' });

    const once = await service(
      sb,
      'v2/get_permanent_code',
      { suite_access_token: token },
      { auth_code: authCode },
    );
    expect(once).toMatchObject({
      errcode: 0,
      auth_corp_info: { corp_name: expect.stringContaining('Clinic') },
    });
    expect(once.permanent_code).toEqual(expect.any(String));
    expect(once.access_token).toBeUndefined();
    expect((once.auth_corp_info as Json).corpid).toBe(sb.provider!.openCorpId('wwclinic'));
    expect((once.auth_corp_info as Json).corpid).toMatch(/^wp/);
    const again = await service(
      sb,
      'v2/get_permanent_code',
      { suite_access_token: token },
      { auth_code: authCode },
    );
    expect(again.errcode).toBe(40078);
    const v1 = await service(
      sb,
      'get_permanent_code',
      { suite_access_token: token },
      { auth_code: authCode },
    );
    expect(v1.errcode).toBe(40078);
    expect(sb.provider!.installs()).toEqual([
      expect.objectContaining({ corpId: 'wwclinic', status: 'active', authType: 1, state: 'st4te' }),
    ]);
  });

  it('GIVEN an auth_code older than 10 minutes THEN 40078; a bad pre_auth_code THEN the page refuses', async () => {
    const token = await suiteToken(sb);
    const { authCode } = await installViaPage(sb, token, 'wwhospital');
    nowMs += 10 * MIN;
    const late = await service(
      sb,
      'get_permanent_code',
      { suite_access_token: token },
      { auth_code: authCode },
    );
    expect(late.errcode).toBe(40078);
    const q = new URLSearchParams({
      suite_id: SUITE.suiteId,
      pre_auth_code: 'forged',
      redirect_uri: 'https://x.example/',
    });
    const page = await fetch(`${sb.url}/3rdapp/install?${q}`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('40077');
  });
});
