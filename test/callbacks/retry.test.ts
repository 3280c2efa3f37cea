import { randomBytes } from 'node:crypto';
import type Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactEventXml, localizeNotification, type Notification } from '../../src/callbacks/index.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { closeKeyv, createStoreLock, openKeyv } from '../../src/store/index.js';
import { eventually } from '../fixtures/logged-bot.js';
import { alice, type Instance, post, startInstance, wecomPost } from './fixture.js';

/**
 * Events whose processing failed are run again while the bot runs, not only at the next start; the welcome
 * message is sent only inside WeCom's 20 s counted from the event's CreateTime; and a run after an
 * interrupted send tells the requester what probably happened instead of "someone else greeted them".
 * Everything enters as WeCom's encrypted POST on the real store (a Map whose calls can be made to fail).
 */

const redisUrl = process.env.REDIS_URL;
if (!redisUrl)
  console.warn('Retries on two Redis instances skipped: set REDIS_URL=redis://127.0.0.1:6379 to run it.');

/** A short retry interval: the tests wait a few of these, never the 15 s default. */
const RETRY_MS = 200;

let sandbox: Sandbox;
const bots: Instance[] = [];
const stores: Keyv[] = [];
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  for (const bot of bots) await bot.close();
  for (const keyv of stores) await closeKeyv(keyv);
  await sandbox.close();
});

interface Fault {
  /** Every call fails, as when the backend went away. */
  down: boolean;
  /** Writes of keys containing this fail (e.g. `cust:`): one step of a run fails. */
  writes?: string;
}

/** The real store (a Map behind Keyv) made to fail like a backend that went away. */
function breakable(keyv: Keyv): Fault {
  const map = keyv.store as Map<unknown, unknown>;
  const fault: Fault = { down: false };
  const fail = () => {
    throw new Error('store unavailable (test)');
  };
  for (const method of ['get', 'has', 'delete', 'keys', 'entries'] as const) {
    const original = map[method].bind(map) as (...args: unknown[]) => unknown;
    Object.assign(map, { [method]: (...args: unknown[]) => (fault.down ? fail() : original(...args)) });
  }
  const set = map.set.bind(map);
  map.set = (key, value) => {
    if (fault.down || (fault.writes && String(key).includes(fault.writes))) fail();
    return set(key, value);
  };
  return fault;
}

/**
 * A bot whose event runs wait for `release()`: the events are stored and WeCom answered first, then the store
 * can fail before any of them is processed.
 */
async function start(options: { now?: () => number } = {}) {
  const keyv = await openKeyv('memory:');
  stores.push(keyv);
  const fault = breakable(keyv);
  const storeLock = createStoreLock(keyv);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const bot = await startInstance(sandbox, keyv, {
    retryEveryMs: RETRY_MS,
    lock: async (key, fn) => {
      await gate;
      return storeLock(key, fn);
    },
    ...options,
  });
  bots.push(bot);
  return { bot, fault, release };
}

/** The runs started while the store is down end, and the outage lasts a few retry intervals. */
async function outage(bot: Instance): Promise<void> {
  await bot.callbacks.idle();
  await new Promise((resolve) => setTimeout(resolve, 3 * RETRY_MS));
}

/** A permanent way with a welcome text: every scan is a new customer with a new welcome code. */
async function wayWithWelcome(bot: Instance) {
  const created = await bot.service.create(
    alice,
    { type: 1, scene: 2, user: ['zhangsan'] },
    { welcome: '欢迎光临' },
  );
  return created.record;
}

/** A customer scans; the encrypted add event WeCom posts for it, with the CreateTime WeCom would give. */
async function scanned(configId: string, state: string | undefined, createTimeS?: number) {
  const scan = await sandbox.scan(configId);
  const createTime = createTimeS ?? sandbox.customer(scan.externalUserId)!.createTime;
  const xml = contactEventXml({
    changeType: 'add_external_contact',
    corpId: sandbox.corpId,
    userId: 'zhangsan',
    externalUserId: scan.externalUserId,
    createTime,
    state,
    welcomeCode: scan.welcomeCode,
  });
  return { scan, signed: wecomPost(xml, { receiveId: sandbox.corpId }) };
}

function welcomeFact(n: Notification, locale: 'en' | 'zh'): string | undefined {
  const localized = localizeNotification(n, locale);
  return localized.facts.find((f) => f.label === (locale === 'en' ? 'Welcome message' : '欢迎语'))?.value;
}

const welcomeSends = () => sandbox.stats().calls.send_welcome_msg ?? 0;

describe('events whose processing failed while the bot runs', () => {
  it('GIVEN the store fails while 20 add events are processed WHEN it answers again THEN all 20 requesters are told within the retry interval, without a restart', async () => {
    const { bot, fault, release } = await start();
    const way = await wayWithWelcome(bot);
    const events = [];
    for (let i = 0; i < 20; i++) events.push(await scanned(way.configId, way.request.state));

    const answers = await Promise.all(events.map((e) => post(bot.url, e.signed)));
    expect(answers.every((a) => a.status === 200 && a.text === 'success')).toBe(true);
    fault.down = true;
    release();
    await outage(bot);
    expect(bot.notified).toEqual([]);

    fault.down = false;
    expect(await bot.callbacks.events.pending()).toHaveLength(20);
    const back = Date.now();
    await eventually(async () => bot.notified.length === 20, 4 * RETRY_MS + 2_000);
    // One interval after the failure the event is due, and the timer looks every interval.
    expect(Date.now() - back).toBeLessThan(3 * RETRY_MS + 1_000);
    await bot.callbacks.idle();
    expect(await bot.callbacks.events.pending()).toEqual([]);
    for (const { scan } of events) {
      expect(sandbox.customer(scan.externalUserId)?.welcome?.content).toBe('欢迎光临');
    }
    expect(bot.notified.map((n) => welcomeFact(n.notification, 'en'))).toEqual(
      Array(20).fill('Welcome message sent.'),
    );
    // Further passes of the timer find nothing to do: nobody is told twice.
    await new Promise((resolve) => setTimeout(resolve, 3 * RETRY_MS));
    expect(bot.notified).toHaveLength(20);
  });

  it('GIVEN an event whose CreateTime is past WeCom’s 20 s THEN send_welcome_msg is not called and the requester is told why', async () => {
    const { bot, release } = await start();
    release();
    const way = await wayWithWelcome(bot);
    // WeCom's clock says the customer added the member 25 s ago (a delivery after an outage, a late retry).
    const { scan, signed } = await scanned(
      way.configId,
      way.request.state,
      Math.floor(Date.now() / 1000) - 25,
    );
    const before = welcomeSends();
    expect((await post(bot.url, signed)).status).toBe(200);
    await bot.callbacks.idle();
    expect(welcomeSends() - before).toBe(0);
    expect(sandbox.customer(scan.externalUserId)?.welcome).toBeUndefined();
    const [told] = bot.notified;
    expect(welcomeFact(told!.notification, 'en')).toBe(
      'Welcome message not sent: WeCom’s 20-second window had passed before the event could be processed.',
    );
    expect(welcomeFact(told!.notification, 'zh')).toBe(
      '欢迎语未发送：事件处理前已超过企业微信的 20 秒发送时限。',
    );
    const [customer] = await bot.callbacks.customers.find('zhangsan', scan.externalUserId);
    expect(customer?.welcome.status).toBe('window_passed');
  });

  it('GIVEN the store is back only after the window THEN the retry records and tells, and sends nothing', async () => {
    let ahead = 0;
    const { bot, fault, release } = await start({ now: () => Date.now() + ahead });
    const way = await wayWithWelcome(bot);
    const { scan, signed } = await scanned(way.configId, way.request.state);
    await post(bot.url, signed);
    fault.down = true;
    release();
    await outage(bot);
    const before = welcomeSends();
    // The outage lasts 25 s on the bot's clock.
    ahead = 25_000;
    fault.down = false;
    await eventually(async () => bot.notified.length === 1, 4 * RETRY_MS + 2_000);
    expect(welcomeSends() - before).toBe(0);
    expect(sandbox.customer(scan.externalUserId)?.welcome).toBeUndefined();
    expect(welcomeFact(bot.notified[0]!.notification, 'en')).toMatch(/20-second window had passed/);
  });
});

describe('a run after our own send was interrupted', () => {
  it('GIVEN the welcome went out and the next step failed WHEN the event runs again and WeCom answers 41051 THEN the requester is told it was probably sent, not that someone else greeted', async () => {
    const { bot, fault, release } = await start();
    release();
    const way = await wayWithWelcome(bot);
    const { scan, signed } = await scanned(way.configId, way.request.state);
    bot.callbacks.stopRetries();
    // The customer record cannot be written: the run stops after send_welcome_msg, as a crash there would.
    fault.writes = 'cust:';
    await post(bot.url, signed);
    await bot.callbacks.idle();
    expect(sandbox.customer(scan.externalUserId)?.welcome?.content).toBe('欢迎光临');
    expect(bot.notified).toEqual([]);
    const [pending] = await bot.callbacks.events.pending();

    delete fault.writes;
    const before = welcomeSends();
    expect(await bot.callbacks.processPending()).toBe(1);
    await bot.callbacks.idle();
    // Tried again inside the window (the first send might not have reached WeCom); WeCom says 41051.
    expect(welcomeSends() - before).toBe(1);
    expect(welcomeFact(bot.notified[0]!.notification, 'en')).toBe(
      'Welcome message probably sent: our first attempt was interrupted before its result was saved, and WeCom now says the customer was already greeted.',
    );
    expect(welcomeFact(bot.notified[0]!.notification, 'zh')).toBe(
      '欢迎语很可能已发送：首次发送后未能保存结果，企业微信现表示该客户已收到欢迎语。',
    );
    const [customer] = await bot.callbacks.customers.find('zhangsan', scan.externalUserId);
    expect(customer?.welcome.status).toBe('probably_sent');
    // What told the second run that a 41051 was probably our own greeting.
    expect(pending?.welcomeAttemptedAt).toBeDefined();
  });

  it('GIVEN an interrupted send and the window passed since THEN nothing is sent again and the requester is told it may have gone out', async () => {
    let ahead = 0;
    const { bot, fault, release } = await start({ now: () => Date.now() + ahead });
    release();
    const way = await wayWithWelcome(bot);
    const { scan, signed } = await scanned(way.configId, way.request.state);
    bot.callbacks.stopRetries();
    fault.writes = 'cust:';
    await post(bot.url, signed);
    await bot.callbacks.idle();
    delete fault.writes;
    ahead = 25_000;
    const before = welcomeSends();
    await bot.callbacks.processPending();
    await bot.callbacks.idle();
    expect(welcomeSends() - before).toBe(0);
    expect(sandbox.customer(scan.externalUserId)?.welcome?.content).toBe('欢迎光临');
    expect(welcomeFact(bot.notified[0]!.notification, 'en')).toMatch(/^Welcome message may have been sent/);
  });
});

describe.skipIf(!redisUrl)('retries on two instances sharing Redis', () => {
  it('GIVEN a pending event WHEN both instances’ timers find it THEN one welcome, one notification', async () => {
    const namespace = `cbretry-${randomBytes(4).toString('hex')}`;
    const open = async () => {
      const keyv = await openKeyv(redisUrl!, { namespace });
      stores.push(keyv);
      return keyv;
    };
    // The instance that received it stops before processing: its runs never get the lock.
    const crashed = await startInstance(sandbox, await open(), { lock: () => new Promise<never>(() => {}) });
    bots.push(crashed);
    crashed.callbacks.stopRetries();
    const way = await wayWithWelcome(crashed);
    const { scan, signed } = await scanned(way.configId, way.request.state);
    expect((await post(crashed.url, signed)).status).toBe(200);

    const before = welcomeSends();
    const a = await startInstance(sandbox, await open(), { retryEveryMs: 50 });
    const b = await startInstance(sandbox, await open(), { retryEveryMs: 50 });
    bots.push(a, b);
    await eventually(async () => a.notified.length + b.notified.length > 0);
    // Several more passes on both: the event is done, nobody runs it again.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await Promise.all([a.callbacks.idle(), b.callbacks.idle()]);
    expect(a.notified.length + b.notified.length).toBe(1);
    expect(welcomeSends() - before).toBe(1);
    expect(sandbox.customer(scan.externalUserId)?.welcome?.content).toBe('欢迎光临');
    a.callbacks.stopRetries();
    b.callbacks.stopRetries();
    for (const keyv of stores.slice(-3)) await keyv.clear();
  });
});
