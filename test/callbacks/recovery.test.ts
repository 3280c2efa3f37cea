import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactEventXml } from '../../src/callbacks/index.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { closeKeyv, openKeyv } from '../../src/store/index.js';
import { tempRequest } from '../fixtures/temp-request.js';
import { alice, type Instance, post, startInstance, wecomPost } from './fixture.js';

/**
 * What must survive: an event stored but never processed (the process died after answering WeCom) is
 * processed at the next start; the same event delivered to two instances on one Redis acts once.
 */

const redisUrl = process.env.REDIS_URL;
if (!redisUrl)
  console.warn('Callbacks on two Redis instances skipped: set REDIS_URL=redis://127.0.0.1:6379 to run it.');

let sandbox: Sandbox;
const dir = mkdtempSync(join(tmpdir(), 'contactway-cbrec-'));
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

function track(keyv: Keyv, ...bots: Instance[]): void {
  cleanups.push(async () => {
    for (const bot of bots) await bot.close();
    await keyv.clear().catch(() => undefined);
    await closeKeyv(keyv);
  });
}

async function scannedTempWay(bot: Instance) {
  const created = await bot.service.create(alice, tempRequest('zhangsan'), { welcome: '欢迎' });
  const scan = await sandbox.scan(created.record.configId);
  const xml = contactEventXml({
    changeType: 'add_external_contact',
    corpId: sandbox.corpId,
    userId: 'zhangsan',
    externalUserId: scan.externalUserId,
    createTime: Math.floor(Date.now() / 1000),
    state: created.record.request.state,
    welcomeCode: scan.welcomeCode,
  });
  return { configId: created.record.configId, scan, signed: wecomPost(xml, { receiveId: sandbox.corpId }) };
}

describe('callback events across a crash', () => {
  it('GIVEN an event stored and answered but never processed THEN the next start processes it, once', async () => {
    const url = `sqlite://${join(dir, 'crash.sqlite')}`;
    const firstStore = await openKeyv(url);
    // The first process answers WeCom, then "dies" before processing: its runs never get the lock.
    const crashed = await startInstance(sandbox, firstStore, { lock: () => new Promise<never>(() => {}) });
    const { configId, scan, signed } = await scannedTempWay(crashed);
    expect(await post(crashed.url, signed)).toEqual({ status: 200, text: 'success' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(crashed.notified).toEqual([]);
    expect(await crashed.callbacks.events.pending()).toHaveLength(1);
    await crashed.close();
    await closeKeyv(firstStore);

    // The next start: a new process on the same database.
    const secondStore = await openKeyv(url);
    const restarted = await startInstance(sandbox, secondStore);
    track(secondStore, restarted);
    expect(await restarted.callbacks.processPending()).toBe(1);
    await restarted.callbacks.idle();
    expect(restarted.notified).toHaveLength(1);
    expect(sandbox.customer(scan.externalUserId)?.welcome?.content).toBe('欢迎');
    expect(await restarted.callbacks.customers.listByWay(configId)).toHaveLength(1);
    expect(await restarted.callbacks.events.pending()).toEqual([]);
    // WeCom's retry arriving after the recovery changes nothing.
    await post(restarted.url, signed);
    await restarted.callbacks.idle();
    expect(restarted.notified).toHaveLength(1);
    expect(await restarted.callbacks.processPending()).toBe(0);
  });

  it('GIVEN processing stored past WeCom’s 20 s THEN the customer is recorded and "window passed" reported, nothing sent', async () => {
    const url = `sqlite://${join(dir, 'late.sqlite')}`;
    const firstStore = await openKeyv(url);
    const crashed = await startInstance(sandbox, firstStore, { lock: () => new Promise<never>(() => {}) });
    const { scan, signed } = await scannedTempWay(crashed);
    await post(crashed.url, signed);
    await crashed.close();
    await closeKeyv(firstStore);

    const secondStore = await openKeyv(url);
    const restarted = await startInstance(sandbox, secondStore, { now: () => Date.now() + 25_000 });
    track(secondStore, restarted);
    await restarted.callbacks.processPending();
    await restarted.callbacks.idle();
    expect(sandbox.customer(scan.externalUserId)?.welcome).toBeUndefined();
    const [customer] = await restarted.callbacks.customers.find('zhangsan', scan.externalUserId);
    expect(customer?.welcome.status).toBe('window_passed');
    expect(restarted.notified).toHaveLength(1);
  });

  it('GIVEN the member deletes the customer later THEN the customer is marked and the session shown closed', async () => {
    const keyv = await openKeyv(`sqlite://${join(dir, 'del.sqlite')}`);
    const bot = await startInstance(sandbox, keyv);
    track(keyv, bot);
    const { configId, scan, signed } = await scannedTempWay(bot);
    await post(bot.url, signed);
    await bot.callbacks.idle();
    const removal = contactEventXml({
      changeType: 'del_external_contact',
      corpId: sandbox.corpId,
      userId: 'zhangsan',
      externalUserId: scan.externalUserId,
      createTime: Math.floor(Date.now() / 1000) + 60,
      source: 'DELETE_BY_TRANSFER',
    });
    expect((await post(bot.url, wecomPost(removal, { receiveId: sandbox.corpId }))).status).toBe(200);
    await bot.callbacks.idle();
    const [customer] = await bot.callbacks.customers.listByWay(configId);
    expect(customer).toMatchObject({
      session: 'closed',
      removed: { by: 'member', source: 'DELETE_BY_TRANSFER' },
    });
  });
});

describe.skipIf(!redisUrl)('callback events on two instances sharing Redis', () => {
  it('GIVEN the same event posted to both instances at once THEN one welcome, one notification, one customer', async () => {
    const namespace = `cbrec-${randomBytes(4).toString('hex')}`;
    const storeA = await openKeyv(redisUrl!, { namespace });
    const storeB = await openKeyv(redisUrl!, { namespace });
    const a = await startInstance(sandbox, storeA);
    const b = await startInstance(sandbox, storeB);
    track(storeA, a);
    track(storeB, b);
    const { configId, scan, signed } = await scannedTempWay(a);
    const before = sandbox.stats().calls.send_welcome_msg ?? 0;
    const answers = await Promise.all([post(a.url, signed), post(b.url, signed), post(b.url, signed)]);
    expect(answers.every((x) => x.status === 200)).toBe(true);
    await Promise.all([a.callbacks.idle(), b.callbacks.idle()]);
    expect((sandbox.stats().calls.send_welcome_msg ?? 0) - before).toBe(1);
    expect(a.notified.length + b.notified.length).toBe(1);
    expect(sandbox.customer(scan.externalUserId)?.welcome?.content).toBe('欢迎');
    expect(await a.callbacks.customers.listByWay(configId)).toHaveLength(1);
    // A restart of either finds nothing left to do.
    expect(await b.callbacks.processPending()).toBe(0);
  });
});
