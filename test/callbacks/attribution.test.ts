import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/base/logger.js';
import { contactEventXml, createStateIndex } from '../../src/callbacks/index.js';
import { migrateLegacyStates } from '../../src/callbacks/legacy-states.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { closeKeyv, createMemoryKeyv, createRecordStore, openKeyv, scanKeys } from '../../src/store/index.js';
import { corpSecretTokenSource, createWecomClient } from '../../src/wecom/index.js';
import type { ChatDriver, Person } from '../chat/chat-contract.js';
import { consoleDriver } from '../fixtures/console/driver.js';
import { tempRequest } from '../fixtures/temp-request.js';
import { alice, type Instance, post, startInstance, wecomPost } from './fixture.js';

/**
 * Issue 17 item 1: a customer belongs to the one way whose QR they scanned, whoever else chose the same
 * `state`. Entered through the doors people use: two console requesters on the embedded sandbox (whose scans
 * post WeCom's encrypted add event to the bot's /wecom/callback), and signed, encrypted POSTs of our own.
 */

let d: ChatDriver | undefined;
let sandbox: Sandbox | undefined;
let bot: Instance | undefined;
afterEach(async () => {
  await d?.close();
  await bot?.close();
  await sandbox?.close();
  d = undefined;
  bot = undefined;
  sandbox = undefined;
});

const configIdIn = (text: string) => /\b([0-9a-f]{32})\b/.exec(text)?.[1] ?? '';

async function tempWithState(driver: ChatDriver, person: Person, welcome: string) {
  await driver.command(person, 'temp zhangsan');
  const reply = (await driver.submit(person, { state: 'spring-fair', welcome })).text;
  return { configId: configIdIn(reply), reply };
}

describe('two requesters choose the same state', () => {
  it('GIVEN A and B both typed spring-fair WHEN a customer scans A’s QR THEN only A hears of it, greets, lists and closes it', async () => {
    d = await consoleDriver.start({});
    const a = await tempWithState(d, 'alice', 'Welcome to our booth!');
    const b = await tempWithState(d, 'bob', 'Send your ID card photo');
    expect(a.configId).not.toBe('');
    expect(b.configId).not.toBe('');
    await d.notifications('alice');
    await d.notifications('bob');

    const scan = await d.core.sandbox!.scan(a.configId);
    expect(scan.delivered).toEqual({ status: 200, body: 'success' });
    await d.core.callbacks!.idle();

    expect((await d.notifications('alice')).join('\n')).toContain(scan.name);
    expect(await d.notifications('bob')).toEqual([]);
    expect(d.core.sandbox!.customer(scan.externalUserId)?.welcome?.content).toBe('Welcome to our booth!');
    expect((await d.command('alice', `show ${a.configId}`)).text).toContain(scan.externalUserId);
    expect((await d.command('bob', `show ${b.configId}`)).text).not.toContain(scan.externalUserId);
    // B holds no session: nothing to end, and WeCom is not asked.
    expect((await d.command('bob', `close ${b.configId}`)).text).toMatch(/no open session/);
    expect((await d.command('bob', `close zhangsan ${scan.externalUserId}`)).text).toMatch(
      /Only the owner of the contact way/,
    );
    expect((await d.command('alice', `close ${a.configId}`)).text).toMatch(/Ended the temporary session/);
  });

  it('GIVEN a typed state THEN WeCom gets it with a unique suffix, within 30 characters, and the reply shows it', async () => {
    d = await consoleDriver.start({});
    const a = await tempWithState(d, 'alice', '');
    const b = await tempWithState(d, 'bob', '');
    const sent = (configId: string) =>
      (d!.core.sandbox!.contactWay(configId) as { request: { state?: string } }).request.state ?? '';
    expect(sent(a.configId)).toMatch(/^spring-fair~[0-9a-z]+$/);
    expect(sent(b.configId)).toMatch(/^spring-fair~[0-9a-z]+$/);
    expect(sent(a.configId)).not.toBe(sent(b.configId));
    expect(a.reply).toContain(`State sent to WeCom: ${sent(a.configId)}`);

    await d.command('alice', 'temp zhangsan');
    const long = (await d.submit('alice', { state: '春季展会'.repeat(7).slice(0, 30) })).text;
    const longState = sent(configIdIn(long));
    expect([...longState].length).toBeLessThanOrEqual(30);
    expect(longState.startsWith('春季展会')).toBe(true);
  });

  it('GIVEN an edit that types B’s state into A’s way THEN A gets its own suffixed state, and B keeps its customers', async () => {
    d = await consoleDriver.start({});
    const a = await tempWithState(d, 'alice', '');
    const b = await tempWithState(d, 'bob', '');
    const bState = (d.core.sandbox!.contactWay(b.configId) as { request: { state?: string } }).request.state!;
    await d.command('alice', `edit ${a.configId}`);
    await d.submit('alice', { state: bState });
    const aState = (d.core.sandbox!.contactWay(a.configId) as { request: { state?: string } }).request.state!;
    expect(aState).not.toBe(bState);
    await d.notifications('alice');
    await d.notifications('bob');

    const scan = await d.core.sandbox!.scan(b.configId);
    await d.core.callbacks!.idle();
    expect((await d.notifications('bob')).join('\n')).toContain(scan.name);
    expect(await d.notifications('alice')).toEqual([]);
  });
});

describe('events that name none of our ways', () => {
  async function start() {
    sandbox = await startSandbox();
    bot = await startInstance(sandbox, createMemoryKeyv());
    return { sandbox, bot };
  }
  const add = (corpId: string, userId: string, state: string, externalUserId: string) =>
    contactEventXml({
      changeType: 'add_external_contact',
      corpId,
      userId,
      externalUserId,
      createTime: Math.floor(Date.now() / 1000),
      state,
      welcomeCode: 'WELCOMECODE',
    });

  it('GIVEN an unknown state, or a member the way does not reach THEN recorded unattributed, nobody notified or greeted', async () => {
    const { sandbox, bot } = await start();
    const { record } = await bot.service.create(alice, tempRequest('zhangsan', { state: 'spring-fair' }), {
      welcome: 'hi',
    });
    const state = record.request.state!;
    const posts = [
      add(sandbox.corpId, 'zhangsan', 'spring-fair-2', 'wmUNKNOWNSTATE'),
      add(sandbox.corpId, 'lisi', state, 'wmOTHERMEMBER'),
    ];
    for (const xml of posts) {
      expect((await post(bot.url, wecomPost(xml, { receiveId: sandbox.corpId }))).status).toBe(200);
    }
    await bot.callbacks.idle();
    expect(bot.notified).toEqual([]);
    expect(sandbox.stats().calls.send_welcome_msg ?? 0).toBe(0);
    expect(await bot.callbacks.customers.listByWay(record.configId)).toEqual([]);
    const outcomes = (await Promise.all(
      ['wmUNKNOWNSTATE', 'wmOTHERMEMBER'].map(async (ext) => {
        const [stored] = (await bot!.callbacks.events.pending()).filter(
          (e) => e.event.externalUserId === ext,
        );
        return stored;
      }),
    )) as unknown[];
    // Neither stays pending: both were run, to an unattributed outcome (logged).
    expect(outcomes).toEqual([undefined, undefined]);
    expect(bot.logs.filter((l) => l.includes('matches none of our contact ways'))).toHaveLength(2);
  });
});

describe('a way sync imports with a state equal to one of ours', () => {
  /** Another tool (or WeCom's admin console) talking to the same corp: its own WeCom client. */
  const outsideTheBot = (sb: Sandbox) =>
    createWecomClient({
      baseUrl: sb.url,
      tokens: corpSecretTokenSource({ corpId: sb.corpId, corpSecret: sb.corpSecret }),
      cache: createMemoryKeyv(),
      sleep: async () => {},
    });

  it('GIVEN a way made outside the bot with our way’s state WHEN an admin syncs THEN it captures none of our customers and is told of none', async () => {
    d = await consoleDriver.start({ env: { ADMINS: 'console:local:bob' } });
    const a = await tempWithState(d, 'alice', 'Welcome to our booth!');
    const ours = (await d.core.service.show(d.requester('alice'), a.configId)).record.request.state!;
    // Someone with WeCom's console (or another tool) makes a permanent way with that very state.
    const sb = d.core.sandbox!;
    const foreign = await outsideTheBot(sb).addContactWay({
      type: 1,
      scene: 2,
      user: ['zhangsan'],
      state: ours,
    });
    expect((await d.command('bob', 'sync')).text).toMatch(/Imported 1/);
    await d.notifications('alice');
    await d.notifications('bob');

    const scan = await sb.scan(a.configId);
    await d.core.callbacks!.idle();
    expect((await d.notifications('alice')).join('\n')).toContain(scan.name);
    expect(await d.notifications('bob')).toEqual([]);
    expect(sb.customer(scan.externalUserId)?.welcome?.content).toBe('Welcome to our booth!');
    expect((await d.command('bob', `show ${foreign.config_id}`)).text).not.toContain(scan.externalUserId);

    // A customer of the imported way carries the same State: WeCom cannot say which QR it was. Ours claimed
    // it first, so it stays ours (sync logged the copy for an admin); the imported way never captures anyone.
    const theirs = await sb.scan(foreign.config_id);
    await d.core.callbacks!.idle();
    expect(await d.notifications('bob')).toEqual([]);
    expect((await d.command('bob', `show ${foreign.config_id}`)).text).not.toContain(theirs.externalUserId);
    expect(d.core.sandbox!.customer(theirs.externalUserId)).toBeDefined();
  });

  it('GIVEN a customer the callback missed WHEN an admin syncs THEN it is recovered under our way, not the imported one', async () => {
    d = await consoleDriver.start({ env: { ADMINS: 'console:local:bob' } });
    const a = await tempWithState(d, 'alice', '');
    const ours = (await d.core.service.show(d.requester('alice'), a.configId)).record.request.state!;
    const sb = d.core.sandbox!;
    const foreign = await outsideTheBot(sb).addContactWay({
      type: 1,
      scene: 2,
      user: ['zhangsan'],
      state: ours,
    });
    expect((await d.command('bob', 'sync')).text).toMatch(/Imported 1/);
    sb.disconnectCallbacks();
    const scan = await sb.scan(a.configId);
    expect((await d.command('bob', 'sync')).text).toMatch(/1 recovered/);
    expect(await d.core.callbacks!.customers.listByWay(foreign.config_id)).toEqual([]);
    const [found] = await d.core.callbacks!.customers.listByWay(a.configId);
    expect(found?.externalUserId).toBe(scan.externalUserId);
  });

  it('GIVEN two ways made outside the bot sharing a state THEN neither is told of the other’s customers; one with its own state is', async () => {
    d = await consoleDriver.start({ env: { ADMINS: 'console:local:bob' } });
    const sb = d.core.sandbox!;
    const outside = outsideTheBot(sb);
    const first = await outside.addContactWay({ type: 1, scene: 2, user: ['zhangsan'], state: 'promo' });
    const second = await outside.addContactWay({ type: 1, scene: 2, user: ['lisi'], state: 'promo' });
    const alone = await outside.addContactWay({ type: 1, scene: 2, user: ['wangwu'], state: 'poster-3' });
    expect((await d.command('bob', 'sync')).text).toMatch(/Imported 3/);
    await d.notifications('bob');

    const scan = await sb.scan(first.config_id);
    await d.core.callbacks!.idle();
    expect(await d.notifications('bob')).toEqual([]);
    expect(await d.core.callbacks!.customers.listByWay(second.config_id)).toEqual([]);
    expect(await d.core.callbacks!.customers.listByWay(first.config_id)).toEqual([]);
    expect(scan.delivered?.status).toBe(200);

    const ok = await sb.scan(alone.config_id);
    await d.core.callbacks!.idle();
    expect((await d.notifications('bob')).join('\n')).toContain(ok.name);
  });
});

describe('a store written before states were unique', () => {
  it('GIVEN two earlier ways sharing a state and one with its own THEN after the move the shared state names nobody and the other still works', async () => {
    sandbox = await startSandbox();
    const keyv = createMemoryKeyv();
    const records = createRecordStore(keyv);
    const at = new Date().toISOString();
    const way = (configId: string, userId: string, user: string, state: string) => ({
      configId,
      requester: { ...alice, userId },
      createdAt: at,
      updatedAt: at,
      request: { type: 1 as const, scene: 2 as const, user: [user], is_temp: true, state },
      isTemp: true,
      status: 'active' as const,
      source: 'created' as const,
    });
    await records.put(way('legacyA', 'UALICE', 'zhangsan', 'spring-fair'));
    await records.put(way('legacyB', 'UBOB', 'zhangsan', 'spring-fair'));
    await records.put(way('legacyC', 'UALICE', 'lisi', 'cw-0123456789ab'));
    // The old index: one key per (state, way), as earlier versions wrote it.
    for (const [state, id] of [
      ['spring-fair', 'legacyA'],
      ['spring-fair', 'legacyB'],
      ['cw-0123456789ab', 'legacyC'],
    ]) {
      await keyv.set(`wstate:${encodeURIComponent(state as string)}:${id}`, 1);
    }
    const index = createStateIndex(keyv);
    expect(await migrateLegacyStates(keyv, index, records, silentLogger())).toBe(1);
    expect(await scanKeys(keyv, 'wstate:')).toEqual([]);
    expect(await migrateLegacyStates(keyv, index, records, silentLogger())).toBe(0);

    bot = await startInstance(sandbox, keyv);
    const event = (userId: string, state: string, externalUserId: string) =>
      wecomPost(
        contactEventXml({
          changeType: 'add_external_contact',
          corpId: sandbox!.corpId,
          userId,
          externalUserId,
          createTime: Math.floor(Date.now() / 1000),
          state,
        }),
        { receiveId: sandbox!.corpId },
      );
    await post(bot.url, event('zhangsan', 'spring-fair', 'wmSHARED'));
    await post(bot.url, event('lisi', 'cw-0123456789ab', 'wmOWN'));
    await bot.callbacks.idle();
    expect(bot.notified).toHaveLength(1);
    expect(bot.notified[0]?.requester.userId).toBe('UALICE');
    expect(await bot.callbacks.customers.listByWay('legacyC')).toHaveLength(1);
    expect(await bot.callbacks.customers.listByWay('legacyA')).toEqual([]);
    expect(await bot.callbacks.customers.listByWay('legacyB')).toEqual([]);
  });
});

describe('the state index holds one way per state, across instances', () => {
  const urls = [
    'sqlite',
    ...(process.env.REDIS_URL ? [process.env.REDIS_URL] : []),
    ...(process.env.POSTGRES_URL ? [process.env.POSTGRES_URL] : []),
  ];
  it.each(urls)(
    'GIVEN two instances on %s claiming one state at once THEN exactly one holds it',
    async (kind) => {
      const dir = mkdtempSync(join(tmpdir(), 'contactway-state-'));
      const url = kind === 'sqlite' ? `sqlite://${join(dir, 'state.sqlite')}` : kind;
      const namespace = `attrib-${randomBytes(4).toString('hex')}`;
      const [one, two] = [await openKeyv(url, { namespace }), await openKeyv(url, { namespace })];
      try {
        const [a, b] = [createStateIndex(one!), createStateIndex(two!)];
        const claims = await Promise.all([
          a.claim('spring-fair~000001', 'wayA'),
          b.claim('spring-fair~000001', 'wayB'),
        ]);
        expect(claims.filter(Boolean)).toHaveLength(1);
        const winner = claims[0] ? 'wayA' : 'wayB';
        expect(await b.find('spring-fair~000001')).toBe(winner);
        await a.markShared('spring-fair~000001');
        expect(await b.find('spring-fair~000001')).toBeUndefined();
        expect(await a.claim('spring-fair~000001', 'wayC')).toBe(false);
      } finally {
        await one!.clear().catch(() => undefined);
        await closeKeyv(one!);
        await closeKeyv(two!);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
