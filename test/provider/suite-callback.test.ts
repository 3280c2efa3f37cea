import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/base/errors.js';
import { eventKey } from '../../src/callbacks/keys.js';
import { type Bot, composeBot } from '../../src/compose.js';
import { suiteEventXml } from '../../src/provider/index.js';
import { captureLogs } from '../fixtures/logged-bot.js';
import {
  type FakeProvider,
  providerEnv,
  SUITE_ID,
  startFakeProvider,
  suiteEcho,
  suitePush,
} from '../fixtures/provider/fake-provider.js';

/**
 * The provider modes' command callback through the real door: the bot composed from the environment
 * (src/compose.ts) serves /wecom/suite on PORT; a fake of WeCom's provider platform answers the provider
 * endpoints in WeCom's wire format, and the test posts what WeCom posts (encrypted for the suite id).
 */
const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
const opened: { bot: Bot; fake: FakeProvider }[] = [];
afterEach(async () => {
  for (const { bot, fake } of opened.splice(0)) {
    await bot.stop();
    await fake.close();
  }
});

async function start(env: Record<string, string> = {}, mode: 'third-party' | 'customized' = 'third-party') {
  const fake = await startFakeProvider();
  const logs = captureLogs('debug');
  const bot = await composeBot(
    {
      STORE_URL: 'memory:',
      PORT: '0',
      STORE_ENCRYPTION_KEY: ENCRYPTION_KEY,
      ...providerEnv(fake, mode),
      ...env,
    },
    { adapters: [], logger: logs.logger, secrets: logs.secrets },
  );
  opened.push({ bot, fake });
  const provider = bot.core.provider;
  if (!provider) throw new Error('provider mode expected');
  const url = `http://127.0.0.1:${bot.servers.at(-1)?.port}`;
  return { bot, fake, logs, provider, url };
}

const now = () => Math.floor(Date.now() / 1000);
const ticketXml = (ticket: string, timestamp = now(), suiteId = SUITE_ID) =>
  suiteEventXml({ infoType: 'suite_ticket', suiteId, timestamp, ticket });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('/wecom/suite on PORT', () => {
  it('GIVEN WeCom’s URL check THEN the echostr encrypted for the provider corp id is answered in plain; one for another id, or a forged POST, is refused', async () => {
    const { url, provider, fake, logs } = await start();
    const echo = await suiteEcho(url, '8675309123');
    expect(echo.status).toBe(200);
    expect(await echo.text()).toBe('8675309123');
    // The suite id is the POST's ReceiveId, not the GET's (doc §1.9).
    const wrong = await suiteEcho(url, '8675309124', SUITE_ID);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toBe('callback.wrong_receive_id');
    expect(logs.lines.join('\n')).toContain('WECOM_PROVIDER_CORP_ID');

    const forged = await suitePush(url, ticketXml(fake.newTicket()), { token: 'NotTheSuiteToken' });
    expect(forged.status).toBe(401);
    expect(await provider.tickets.newest()).toBeUndefined();
    const announced = logs.records().find((l) => String(l.msg).includes('指令回调URL'));
    expect(String(announced?.msg)).toContain('https://contactway.example.com/wecom/suite');
  });

  it('GIVEN a cold start without a ticket THEN a clear waiting state and no WeCom call; the next push heals it', async () => {
    const { url, provider, fake } = await start();
    const error = await rejection(provider.suite.accessToken());
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).code).toBe('provider.waiting_for_ticket');
    expect((error as ProviderError).human.en).toMatch(/Waiting for WeCom’s suite_ticket/);
    expect((error as ProviderError).human.zh).toMatch(/suite_ticket/);
    expect(fake.count('get_suite_token')).toBe(0);

    const push = await suitePush(url, ticketXml(fake.newTicket()));
    expect(push.status).toBe(200);
    expect(await push.text()).toBe('success');
    expect(await provider.suite.accessToken()).toMatch(/^suite-tok-/);
    expect(fake.count('get_suite_token')).toBe(1);
  });

  it('GIVEN tickets out of order THEN the older TimeStamp is ignored; another suite’s ticket is not kept', async () => {
    const { url, provider, fake } = await start();
    const newer = fake.newTicket();
    const older = fake.newTicket();
    expect(await (await suitePush(url, ticketXml(newer, now()))).text()).toBe('success');
    expect(await (await suitePush(url, ticketXml(older, now() - 120))).text()).toBe('success');
    expect((await provider.tickets.newest())?.ticket).toBe(newer);
    // Several suites on one URL: a message of another suite, even encrypted for it, never replaces ours.
    const foreign = await suitePush(url, ticketXml('foreign', now() + 5, 'wwother'), { receiveId: SUITE_ID });
    expect(await foreign.text()).toBe('success');
    expect((await provider.tickets.newest())?.ticket).toBe(newer);
  });

  it('GIVEN WeCom refuses the stored ticket (40085) THEN waiting, no second call with it (no retry storm), until a newer push', async () => {
    const { url, provider, fake } = await start();
    await suitePush(url, ticketXml('a-ticket-wecom-never-issued'));
    for (let i = 0; i < 5; i++) {
      const error = await rejection(provider.suite.accessToken());
      expect((error as ProviderError).code).toBe('provider.waiting_for_ticket');
    }
    expect(fake.count('get_suite_token')).toBe(1);
    await suitePush(url, ticketXml(fake.newTicket(), now() + 1));
    expect(await provider.suite.accessToken()).toMatch(/^suite-tok-/);
    expect(fake.count('get_suite_token')).toBe(2);
  });

  it('GIVEN create_auth THEN answered success, the code exchanged once, the corp stored sealed; the bot’s client gets the corp token; cancel_auth ends it', async () => {
    const { url, bot, provider, fake, logs } = await start();
    await suitePush(url, ticketXml(fake.newTicket()));
    const install = fake.newInstall('wpCorpEncrypted01AbC');
    const created = suiteEventXml({
      infoType: 'create_auth',
      suiteId: SUITE_ID,
      timestamp: now(),
      authCode: install.authCode,
    });
    expect(await (await suitePush(url, created)).text()).toBe('success');
    // WeCom's retry of the same push: one exchange.
    expect(await (await suitePush(url, created)).text()).toBe('success');
    await provider.callback.idle();
    expect(fake.count('get_permanent_code')).toBe(1);
    const tenant = await provider.tenants.get('wpCorpEncrypted01AbC');
    expect(tenant).toMatchObject({ status: 'active', agentId: 1000042, mode: 'third-party' });
    // Sealed at rest: the raw store value does not hold the code.
    const raw = JSON.stringify(await bot.core.keyv.get('wecom:tenant:wpCorpEncrypted01AbC'));
    expect(raw).toContain('aes-256-gcm');
    expect(raw).not.toContain(install.permanentCode);

    await bot.core.wecom.listContactWay();
    expect(fake.count('get_corp_token')).toBe(1);
    expect(logs.lines.join('\n')).not.toContain(install.permanentCode);
    expect(logs.lines.join('\n')).toContain(tenant?.codeFingerprint);

    const cancel = suiteEventXml({
      infoType: 'cancel_auth',
      suiteId: SUITE_ID,
      timestamp: now(),
      authCorpId: 'wpCorpEncrypted01AbC',
    });
    expect(await (await suitePush(url, cancel)).text()).toBe('success');
    await provider.callback.idle();
    expect(await provider.tenants.get('wpCorpEncrypted01AbC')).toMatchObject({ status: 'cancelled' });
    const error = await rejection(
      provider
        .tokenSource('wpCorpEncrypted01AbC')
        .fetchToken({ call: () => Promise.reject(new Error('unused')) }),
    );
    expect((error as ProviderError).code).toBe('provider.tenant_lost');
  });

  it('GIVEN the suite token expires mid-request (42009) THEN it is fetched again once and the call retried once', async () => {
    const { url, bot, provider, fake } = await start();
    await suitePush(url, ticketXml(fake.newTicket()));
    const install = fake.newInstall('wpCorp42009');
    await provider.installer.exchange(install.authCode);
    await bot.core.wecom.listContactWay();
    expect(fake.count('get_suite_token')).toBe(1);
    expect(fake.count('get_corp_token')).toBe(1);
    // Both tokens die: list_contact_way says 42001, the corp token refetch meets 42009 on the suite token.
    fake.expireCorpTokens();
    fake.expireSuiteTokens();
    await bot.core.wecom.listContactWay();
    expect(fake.count('get_suite_token')).toBe(2);
    expect(fake.count('get_corp_token')).toBe(3);
    expect(fake.count('list_contact_way')).toBe(3);
  });

  it('GIVEN a corp whose permanent code WeCom refuses (40084) THEN it is marked lost and not called again', async () => {
    const { url, bot, provider, fake } = await start();
    await suitePush(url, ticketXml(fake.newTicket()));
    await provider.installer.exchange(fake.newInstall('wpCorpGone').authCode);
    fake.cancel('wpCorpGone');
    const error = await rejection(bot.core.wecom.listContactWay());
    expect((error as ProviderError).code).toBe('provider.tenant_lost');
    expect(await provider.tenants.get('wpCorpGone')).toMatchObject({ status: 'lost', lostErrcode: 40084 });
    await rejection(bot.core.wecom.listContactWay());
    expect(fake.count('get_corp_token')).toBe(1);
  });

  it('GIVEN a suite without v2 get_permanent_code THEN v1 is used once, with its agent id', async () => {
    const { url, provider, fake } = await start();
    fake.withoutV2();
    await suitePush(url, ticketXml(fake.newTicket()));
    const install = fake.newInstall('wpCorpV1');
    expect(await provider.installer.exchange(install.authCode)).toMatchObject({ outcome: 'installed' });
    expect(await provider.installer.exchange(install.authCode)).toEqual({ outcome: 'already' });
    expect(fake.count('get_permanent_code_v1')).toBe(1);
    expect(await provider.tenants.get('wpCorpV1')).toMatchObject({ status: 'active', agentId: 1000007 });
  });

  it('GIVEN two corps installed THEN the bot’s single client says it cannot choose (until workspaces are bound)', async () => {
    const { url, bot, provider, fake } = await start();
    await suitePush(url, ticketXml(fake.newTicket()));
    await provider.installer.exchange(fake.newInstall('wpOne').authCode);
    await provider.installer.exchange(fake.newInstall('wpTwo').authCode);
    const error = await rejection(bot.core.wecom.listContactWay());
    expect((error as ProviderError).code).toBe('provider.several_corps');
  });

  it('GIVEN a third-party customer event (InfoType, AuthCorpId) THEN it joins the callback pipeline once; another corp’s is ignored', async () => {
    const { url, bot, provider, fake } = await start();
    await suitePush(url, ticketXml(fake.newTicket()));
    await provider.installer.exchange(fake.newInstall('wpCustomerCorp').authCode);
    const contact = {
      changeType: 'add_external_contact' as const,
      userId: 'woEncryptedUser01',
      externalUserId: 'wmEncryptedCustomer01',
      createTime: now(),
      state: 'no-such-way',
    };
    const xml = (authCorpId: string, externalUserId = contact.externalUserId) =>
      suiteEventXml({
        infoType: 'change_external_contact',
        suiteId: SUITE_ID,
        timestamp: contact.createTime,
        authCorpId,
        contact: { ...contact, externalUserId, corpId: authCorpId },
      });
    expect(await (await suitePush(url, xml('wpCustomerCorp'))).text()).toBe('success');
    expect(await (await suitePush(url, xml('wpCustomerCorp'))).text()).toBe('success');
    expect(await (await suitePush(url, xml('wpNotInstalled', 'wmOtherCorpCustomer'))).text()).toBe('success');
    const key = eventKey(contact);
    // The pipeline's own dedupe and processing: a way of no record here is stored as unattributed.
    let stored: { status?: string; outcome?: string; event?: { corpId?: string } } | undefined;
    for (let i = 0; i < 200 && stored?.status !== 'done'; i++) {
      stored = await bot.core.keyv.get(key);
      if (stored?.status !== 'done') await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(stored).toMatchObject({
      status: 'done',
      outcome: 'unattributed',
      event: { corpId: 'wpCustomerCorp' },
    });
  });

  it('GIVEN 代开发 (customized) THEN the corp token comes from gettoken with the permanent code as the secret', async () => {
    const { url, bot, provider, fake } = await start({}, 'customized');
    await suitePush(url, ticketXml(fake.newTicket()));
    await provider.installer.exchange(fake.newInstall('wpCustomCorp').authCode);
    await bot.core.wecom.listContactWay();
    expect(fake.count('gettoken')).toBe(1);
    expect(fake.count('get_corp_token')).toBe(0);
  });
});
