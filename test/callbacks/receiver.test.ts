import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ContactEvent } from '../../src/callbacks/event.js';
import { contactEventXml, createWecomCrypto } from '../../src/callbacks/index.js';
import { localizeNotification } from '../../src/callbacks/notification.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { createMemoryKeyv } from '../../src/store/index.js';
import { tempRequest } from '../fixtures/temp-request.js';
import { AES_KEY, alice, type Instance, post, startInstance, TOKEN, wecomPost } from './fixture.js';

/**
 * WeCom's callback end to end over raw HTTP: bodies signed and encrypted as WeCom does, posted to the real
 * receiver; processing runs the real WeCom customer client against the sandbox (welcome message, name).
 */

let sandbox: Sandbox;
const instances: Instance[] = [];
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterEach(async () => {
  sandbox.clearFaults();
  for (const instance of instances.splice(0)) {
    await instance.callbacks.idle();
    await instance.close();
  }
});
afterAll(() => sandbox.close());

async function instance(keyv = createMemoryKeyv()) {
  const started = await startInstance(sandbox, keyv);
  instances.push(started);
  return started;
}

/** A temp way through the service, then a sandbox customer who scans it (no event sent by the sandbox). */
async function scannedWay(bot: Instance, options: { welcome?: string; temp?: boolean } = {}) {
  const created =
    options.temp === false
      ? await bot.service.create(
          alice,
          { type: 1, scene: 2, user: ['zhangsan'] },
          { welcome: options.welcome },
        )
      : await bot.service.create(alice, tempRequest('zhangsan'), { welcome: options.welcome });
  return { way: created.record, scan: await sandbox.scan(created.record.configId) };
}

function addEvent(
  way: { request: { state?: string } },
  scan: { externalUserId: string; welcomeCode: string },
) {
  return {
    changeType: 'add_external_contact',
    corpId: sandbox.corpId,
    userId: 'zhangsan',
    externalUserId: scan.externalUserId,
    createTime: Math.floor(Date.now() / 1000),
    state: way.request.state,
    welcomeCode: scan.welcomeCode,
  } satisfies ContactEvent;
}

function sendWelcomeCalls(): number {
  return sandbox.stats().calls.send_welcome_msg ?? 0;
}

describe('WeCom callback receiver over HTTP', () => {
  it('GIVEN the URL verification GET THEN it answers the decrypted echostr alone', async () => {
    const bot = await instance();
    const crypto = createWecomCrypto({ token: TOKEN, encodingAesKey: AES_KEY, receiveId: sandbox.corpId });
    // An echostr with a '+' in it, so the unencoded-'+' case below really has one to lose.
    let echostr = crypto.encrypt('8461231523097341234');
    while (!echostr.includes('+')) echostr = crypto.encrypt('8461231523097341234');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const query = new URLSearchParams({
      msg_signature: crypto.sign(timestamp, '47744683', echostr),
      timestamp,
      nonce: '47744683',
      echostr,
    });
    const res = await fetch(`${bot.url}/wecom/callback?${query}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('8461231523097341234');
    // A proxy that left '+' unencoded: the form decoder reads it as a space; still verified.
    const raw = `${bot.url}/wecom/callback?${query
      .toString()
      .replace(/echostr=[^&]*/, `echostr=${echostr}`)
      .replaceAll('%2F', '/')}`;
    expect((await fetch(raw)).status).toBe(200);
  });

  it('GIVEN an add event for our way THEN the customer is recorded, welcomed once with its WelcomeCode, and the requester told', async () => {
    const bot = await instance();
    const { way, scan } = await scannedWay(bot, { welcome: '您好，我是张三，很高兴为您服务。' });
    expect(way.request.state).toMatch(/^cw-[0-9a-f]{12}$/);
    const before = sendWelcomeCalls();
    const answer = await post(
      bot.url,
      wecomPost(contactEventXml(addEvent(way, scan)), { receiveId: sandbox.corpId }),
    );
    expect(answer).toEqual({ status: 200, text: 'success' });
    await bot.callbacks.idle();

    expect(sandbox.customer(scan.externalUserId)?.welcome?.content).toBe('您好，我是张三，很高兴为您服务。');
    expect(sendWelcomeCalls() - before).toBe(1);
    const [customer] = await bot.callbacks.customers.listByWay(way.configId);
    expect(customer).toMatchObject({
      externalUserId: scan.externalUserId,
      name: scan.name,
      userId: 'zhangsan',
      session: 'open',
      welcome: { status: 'sent' },
    });
    expect(bot.notified).toHaveLength(1);
    const note = bot.notified[0]!;
    expect(note.requester).toEqual(alice);
    const zh = localizeNotification(note.notification, 'zh');
    expect(zh.title).toBe(`${scan.name} 添加了 zhangsan`);
    expect(zh.facts.find((f) => f.label === '欢迎语')?.value).toBe('欢迎语已发送。');
    expect(note.notification.actions.map((a) => a.kind)).toEqual(['end_session', 'again', 'show']);
    expect(note.notification.actions[0]).toMatchObject({
      externalUserId: scan.externalUserId,
      userId: 'zhangsan',
    });
  });

  it('GIVEN the same event delivered twice (WeCom retry) THEN it acts once', async () => {
    const bot = await instance();
    const { way, scan } = await scannedWay(bot, { welcome: 'hi' });
    const before = sendWelcomeCalls();
    const signed = wecomPost(contactEventXml(addEvent(way, scan)), { receiveId: sandbox.corpId });
    const answers = await Promise.all([post(bot.url, signed), post(bot.url, signed)]);
    await post(bot.url, signed);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await bot.callbacks.idle();
    expect(sendWelcomeCalls() - before).toBe(1);
    expect(bot.notified).toHaveLength(1);
    expect(await bot.callbacks.customers.listByWay(way.configId)).toHaveLength(1);
  });

  it('GIVEN two customers in the same second THEN two events: two customers, two notifications', async () => {
    const bot = await instance();
    const created = await bot.service.create(
      alice,
      { type: 1, scene: 2, user: ['zhangsan'] },
      { welcome: 'hi' },
    );
    const first = await sandbox.scan(created.record.configId);
    const second = await sandbox.scan(created.record.configId);
    const createTime = 1_800_000_000;
    await Promise.all(
      [first, second].map((scan) =>
        post(
          bot.url,
          wecomPost(contactEventXml({ ...addEvent(created.record, scan), createTime }), {
            receiveId: sandbox.corpId,
          }),
        ),
      ),
    );
    await bot.callbacks.idle();
    const customers = await bot.callbacks.customers.listByWay(created.record.configId);
    expect(customers.map((c) => c.externalUserId).sort()).toEqual(
      [first.externalUserId, second.externalUserId].sort(),
    );
    expect(customers.every((c) => c.session === 'none')).toBe(true);
    expect(bot.notified).toHaveLength(2);
  });

  it('GIVEN a forged signature THEN 401, a log line naming it, and nothing stored or sent', async () => {
    const bot = await instance();
    const { way, scan } = await scannedWay(bot, { welcome: 'hi' });
    const signed = wecomPost(contactEventXml(addEvent(way, scan)), {
      receiveId: sandbox.corpId,
      token: 'someoneElse',
    });
    expect(await post(bot.url, signed)).toEqual({ status: 401, text: 'callback.bad_signature' });
    await bot.callbacks.idle();
    expect(await bot.callbacks.events.pending()).toEqual([]);
    expect(bot.notified).toEqual([]);
    expect(sandbox.customer(scan.externalUserId)?.welcome).toBeUndefined();
    expect(bot.logs.join('')).toContain('wecom callback refused: callback.bad_signature');
  });

  it('GIVEN an event encrypted for another corp (wrong ReceiveId) THEN 400 naming it, nothing acted on', async () => {
    const bot = await instance();
    const { way, scan } = await scannedWay(bot, { welcome: 'hi' });
    const signed = wecomPost(contactEventXml(addEvent(way, scan)), { receiveId: 'ww_other_corp' });
    expect(await post(bot.url, signed)).toEqual({ status: 400, text: 'callback.wrong_receive_id' });
    await bot.callbacks.idle();
    expect(await bot.callbacks.events.pending()).toEqual([]);
    expect(bot.notified).toEqual([]);
    expect(bot.logs.join('')).toContain('wecom callback refused: callback.wrong_receive_id');
  });

  it('GIVEN a malformed body, an oversized body or a missing query THEN 4xx; another path is not ours', async () => {
    const bot = await instance();
    const signed = wecomPost('<xml/>', { receiveId: sandbox.corpId });
    expect((await post(bot.url, { ...signed, body: 'not xml <' })).status).toBe(400);
    expect(
      (await post(bot.url, { ...signed, body: `<xml><Encrypt>${'A'.repeat(70_000)}</Encrypt></xml>` }))
        .status,
    ).toBe(413);
    expect((await post(bot.url, { query: '', body: signed.body })).status).toBe(400);
    expect((await fetch(`${bot.url}/wecom/callback`, { method: 'PUT' })).status).toBe(405);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(404); // the fallback answered: not our path
  });

  it('GIVEN an event we do not handle THEN success, nothing stored', async () => {
    const bot = await instance();
    const xml = '<xml><ToUserName>x</ToUserName><MsgType>event</MsgType><Event>change_contact</Event></xml>';
    expect(await post(bot.url, wecomPost(xml, { receiveId: sandbox.corpId }))).toEqual({
      status: 200,
      text: 'success',
    });
    expect(await bot.callbacks.events.pending()).toEqual([]);
  });

  it('GIVEN an add event for a way that is not ours THEN success and no notification', async () => {
    const bot = await instance();
    const { way, scan } = await scannedWay(bot, { welcome: 'hi' });
    const event = { ...addEvent(way, scan), state: 'someone-elses' };
    expect(
      (await post(bot.url, wecomPost(contactEventXml(event), { receiveId: sandbox.corpId }))).status,
    ).toBe(200);
    await bot.callbacks.idle();
    expect(bot.notified).toEqual([]);
  });
});

describe('welcome message rules', () => {
  async function deliver(bot: Instance, options: { welcome?: string; withCode?: boolean } = {}) {
    const { way, scan } = await scannedWay(bot, { welcome: options.welcome ?? 'hello' });
    const event = addEvent(way, scan);
    const { welcomeCode: _, ...withoutCode } = event;
    await post(
      bot.url,
      wecomPost(contactEventXml(options.withCode === false ? withoutCode : event), {
        receiveId: sandbox.corpId,
      }),
    );
    await bot.callbacks.idle();
    const [customer] = await bot.callbacks.customers.listByWay(way.configId);
    const facts = localizeNotification(bot.notified.at(-1)!.notification, 'en').facts;
    return { customer, scan, welcomeFact: facts.find((f) => f.label === 'Welcome message')?.value };
  }

  it('GIVEN 41051 THEN not retried and reported as already greeted', async () => {
    const bot = await instance();
    sandbox.inject({ endpoint: 'send_welcome_msg', errcode: 41051, times: 5 });
    const before = sendWelcomeCalls();
    const { customer, welcomeFact } = await deliver(bot);
    expect(sendWelcomeCalls() - before).toBe(1);
    expect(customer?.welcome.status).toBe('already_greeted');
    expect(welcomeFact).toMatch(/already greeted by WeCom or another app/);
  });

  it('GIVEN 41096 twice THEN retried inside the window, then sent', async () => {
    const bot = await instance();
    sandbox.inject({ endpoint: 'send_welcome_msg', errcode: 41096, times: 2 });
    const before = sendWelcomeCalls();
    const { customer, scan } = await deliver(bot);
    expect(sendWelcomeCalls() - before).toBe(3);
    expect(customer?.welcome.status).toBe('sent');
    expect(sandbox.customer(scan.externalUserId)?.welcome?.content).toBe('hello');
  });

  it('GIVEN no WelcomeCode THEN nothing sent and the reason reported', async () => {
    const bot = await instance();
    const before = sendWelcomeCalls();
    const { customer, welcomeFact } = await deliver(bot, { withCode: false });
    expect(sendWelcomeCalls() - before).toBe(0);
    expect(customer?.welcome.status).toBe('no_code');
    expect(welcomeFact).toMatch(/WeCom did not offer a greeting/);
  });

  it('GIVEN externalcontact/get answering 84061 at first THEN retried and the name found', async () => {
    const bot = await instance();
    sandbox.inject({ endpoint: 'get', errcode: 84061, times: 2 });
    const { customer, scan } = await deliver(bot);
    expect(customer?.name).toBe(scan.name);
  });
});
