import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/base/errors.js';
import { createStateIndex } from '../../src/callbacks/index.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { createMemoryKeyv, createRecordStore } from '../../src/store/index.js';
import { tempRequest } from '../fixtures/temp-request.js';
import { alice, type Instance, startInstance } from './fixture.js';

/** The service's part of attribution: every way gets a state we can map back, and its welcome text. */

let sandbox: Sandbox;
let bot: Instance;
const keyv = createMemoryKeyv();
beforeAll(async () => {
  sandbox = await startSandbox();
  bot = await startInstance(sandbox, keyv);
});
afterAll(async () => {
  await bot.close();
  await sandbox.close();
});

describe('contact ways carry a state and a welcome message', () => {
  it('GIVEN no state THEN a short generated tag is sent to WeCom, stored and indexed', async () => {
    const { record } = await bot.service.create(alice, tempRequest('zhangsan'));
    const state = record.request.state!;
    expect(state.length).toBeLessThanOrEqual(30);
    expect((sandbox.contactWay(record.configId) as { request: { state?: string } }).request.state).toBe(
      state,
    );
    expect(await createStateIndex(keyv).find(state)).toBe(record.configId);
  });

  it('GIVEN the requester’s own state on two ways THEN each sends it with its own suffix, keeps it typed, and is the one its state names', async () => {
    const first = await bot.service.create(alice, tempRequest('zhangsan', { state: '春季展会 A:1' }));
    const second = await bot.service.create(alice, tempRequest('lisi', { state: '春季展会 A:1' }));
    for (const { record } of [first, second]) {
      expect(record.stateTag).toBe('春季展会 A:1');
      expect(record.request.state).toMatch(/^春季展会 A:1~[0-9a-z]{6}$/);
      expect(await createStateIndex(keyv).find(record.request.state!)).toBe(record.configId);
    }
    expect(first.record.request.state).not.toBe(second.record.request.state);
    expect(await createStateIndex(keyv).find('春季展会 A:1')).toBeUndefined();
  });

  it('GIVEN a welcome over 4000 bytes THEN refused naming the field, and nothing created', async () => {
    const before = sandbox.stats().calls.add_contact_way;
    const create = bot.service.create(alice, tempRequest('zhangsan'), { welcome: '欢'.repeat(1334) });
    await expect(create).rejects.toThrow(ValidationError);
    await expect(create).rejects.toMatchObject({ issues: [{ field: 'welcome' }] });
    expect(sandbox.stats().calls.add_contact_way).toBe(before);
  });

  it('GIVEN an edit of the welcome text THEN stored; an empty one removes it; other edits keep it', async () => {
    const { record } = await bot.service.create(alice, tempRequest('zhangsan'), { welcome: 'first' });
    expect((await bot.service.update(alice, record.configId, { welcome: 'second' })).record.welcome).toBe(
      'second',
    );
    expect((await bot.service.update(alice, record.configId, { remark: 'x' })).record.welcome).toBe('second');
    expect(
      (await bot.service.update(alice, record.configId, { welcome: '' })).record.welcome,
    ).toBeUndefined();
    expect((await createRecordStore(keyv).get(record.configId))?.welcome).toBeUndefined();
  });
});
