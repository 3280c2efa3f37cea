import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseText, runCommand } from '../../commands/index.js';
import { NotFoundError, ValidationError } from '../../src/base/errors.js';
import { createLogger } from '../../src/base/logger.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { type ContactWayService, createContactWayService } from '../../src/service/contact-way-service.js';
import { createPendingRecords } from '../../src/service/pending-records.js';
import { createPolicy } from '../../src/service/policy.js';
import {
  createAuditLog,
  createMemoryKeyv,
  createRecordStore,
  type Requester,
} from '../../src/store/index.js';
import { corpSecretTokenSource, createWecomClient } from '../../src/wecom/index.js';
import { submitForm } from '../fixtures/submit-form.js';
import { tempRequest } from '../fixtures/temp-request.js';

const alice: Requester = { platform: 'slack', workspaceId: 'T1', userId: 'UALICE', displayName: 'alice' };
const bob: Requester = { platform: 'slack', workspaceId: 'T1', userId: 'UBOB', displayName: 'bob' };
const admin: Requester = { platform: 'console', workspaceId: 'local', userId: 'root' };

let sandbox: Sandbox;
let clockMs = Date.parse('2026-11-25T12:00:00Z');

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => clockMs });
});
afterAll(() => sandbox.close());

/** A real service on the sandbox over HTTP; the store is a real keyv, over a Map we can make fail. */
function build(map: Map<string, unknown> = new Map()) {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  });
  const keyv: Keyv = createMemoryKeyv(map);
  const wecom = createWecomClient({
    baseUrl: sandbox.url,
    tokens: corpSecretTokenSource({ corpId: sandbox.corpId, corpSecret: sandbox.corpSecret }),
    cache: keyv,
    now: () => clockMs,
    sleep: async () => {},
  });
  const audit = createAuditLog(keyv, { now: () => new Date(clockMs) });
  const service = createContactWayService({
    wecom,
    records: createRecordStore(keyv),
    audit,
    logger,
    now: () => clockMs,
    policy: createPolicy({ admins: ['console:local:root'] }),
  });
  return { service, audit, lines, wecom };
}

/** A storage backend that refuses to write records: the edge where a real store would fail. */
class FailingRecordWrites extends Map<string, unknown> {
  healed = false;
  override set(key: string, value: unknown): this {
    if (!this.healed && key.includes('rec:')) throw new Error('disk full');
    return super.set(key, value);
  }
}

describe('contact-way service on the sandbox', () => {
  let service: ContactWayService;
  let built: ReturnType<typeof build>;
  beforeAll(() => {
    built = build();
    service = built.service;
  });

  it('GIVEN a temp creation THEN it is stored for the requester, with expiry and the QR image', async () => {
    const result = await service.create(alice, tempRequest('zhangsan', { expires_in: 3600 }));
    expect(result.stored).toBe(true);
    expect(result.record).toMatchObject({ isTemp: true, expired: false, status: 'active', requester: alice });
    expect(result.record.expiresAt).toBe('2026-11-25T13:00:00.000Z');
    expect(result.qr?.contentType).toBe('image/png');
    const listed = await service.list(alice);
    expect(listed.map((r) => r.configId)).toContain(result.record.configId);
  });

  it('GIVEN another requester THEN they cannot list, show, edit, delete or close it; an admin can see it', async () => {
    const { record } = await service.create(alice, tempRequest('lisi'));
    expect((await service.list(bob)).map((r) => r.configId)).not.toContain(record.configId);
    await expect(service.show(bob, record.configId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.update(bob, record.configId, { remark: 'mine' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(service.delete(bob, record.configId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      service.closeTempChat(bob, { userid: 'lisi', external_userid: 'wmCUSTOMER' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect((await service.list(admin)).map((r) => r.configId)).toContain(record.configId);
    const shown = await service.show(admin, record.configId);
    expect(shown.live?.user).toEqual(['lisi']);
  });

  it('GIVEN a temp way past its expiry THEN it shows as expired and cannot be edited', async () => {
    const { record } = await service.create(alice, tempRequest('wangwu', { expires_in: 60 }));
    clockMs += 120_000;
    const listed = (await service.list(alice)).find((r) => r.configId === record.configId);
    expect(listed?.expired).toBe(true);
    await expect(service.update(alice, record.configId, { remark: 'late' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('GIVEN an update THEN WeCom and our record change; a temp way keeps exactly one member', async () => {
    const { record } = await service.create(alice, tempRequest('zhangsan'));
    const updated = await service.update(alice, record.configId, { remark: 'vip' });
    expect(updated.record.request.remark).toBe('vip');
    expect((await service.show(alice, record.configId)).live?.remark).toBe('vip');
    await expect(
      service.update(alice, record.configId, { user: ['zhangsan', 'lisi'] }),
    ).rejects.toMatchObject({
      issues: [{ field: 'user' }],
    });
  });

  it('GIVEN a delete THEN WeCom forgets it and so do we', async () => {
    const { record } = await service.create(alice, tempRequest('zhangsan'));
    await service.delete(alice, record.configId);
    expect(sandbox.contactWay(record.configId)).toBeUndefined();
    expect((await service.list(alice)).map((r) => r.configId)).not.toContain(record.configId);
  });

  it('GIVEN a temp session no callback told us of THEN only an admin can close it (not the member’s other requesters)', async () => {
    const { record } = await service.create(alice, tempRequest('lisi'));
    sandbox.simulateScan(record.configId, 'wmCUSTOMER1');
    // The old rule let anyone with a temp way for lisi end any of lisi's sessions.
    await expect(
      service.closeTempChat(alice, { userid: 'lisi', external_userid: 'wmCUSTOMER1' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await service.closeTempChat(admin, { userid: 'lisi', external_userid: 'wmCUSTOMER1' });
  });

  it('GIVEN contact ways WeCom knows and we do not THEN an admin sync imports them once; others may not sync', async () => {
    const made = await built.wecom.addContactWay({ type: 2, scene: 2, user: ['zhangsan', 'lisi'] });
    await expect(service.sync(bob)).rejects.toMatchObject({ code: 'forbidden' });
    const first = await service.sync(admin);
    expect(first.imported).toBeGreaterThanOrEqual(1);
    expect((await service.list(admin)).find((r) => r.configId === made.config_id)?.source).toBe('synced');
    expect((await service.sync(admin)).imported).toBe(0);
  });

  it('GIVEN actions THEN each is in the audit trail with who, what and the result', async () => {
    const entries = await built.audit.latest(100);
    const actions = new Set(entries.map((e) => `${e.action}:${e.result}`));
    for (const expected of [
      'create:ok',
      'show:denied',
      'update:ok',
      'delete:ok',
      'close:ok',
      'sync:ok',
      'sync:denied',
    ]) {
      expect(actions).toContain(expected);
    }
    expect(entries.find((e) => e.action === 'sync' && e.result === 'denied')?.actor).toBe('slack:T1:UBOB');
  });

  it('GIVEN 50 parallel creations by one requester THEN 50 are listed', async () => {
    const { service: fresh } = build();
    const created = await Promise.all(
      Array.from({ length: 50 }, () => fresh.create(bob, tempRequest('wangwu'))),
    );
    const listed = await fresh.list(bob);
    expect(listed).toHaveLength(50);
    expect(new Set(listed.map((r) => r.configId))).toEqual(new Set(created.map((c) => c.record.configId)));
  });
});

describe('store failure after WeCom succeeded', () => {
  it('GIVEN the record write fails THEN the requester still gets the config_id and an error line carries it', async () => {
    const { service, lines } = build(new FailingRecordWrites());
    const ctx = { requester: alice, locale: 'en' as const, timeZone: 'UTC', service, sandbox: true };
    const invocation = parseText('temp zhangsan');
    const reply = await runCommand(ctx, invocation, submitForm(invocation));
    expect(reply.status).toBe('ok');
    expect(reply.configId).toMatch(/^[0-9a-f]{32}$/);
    expect(reply.text).toContain(`Copy this config_id now: ${reply.configId}`);
    expect(sandbox.contactWay(reply.configId!)).toBeDefined();
    const errorLine = lines
      .map((l) => JSON.parse(l))
      .find((l) => l.level === 50 && l.configId === reply.configId);
    expect(errorLine?.msg).toContain('config_id not saved');
  });
});

describe('store outage after WeCom succeeded', () => {
  it('GIVEN the store fails, then comes back THEN the journaled record is written and listed', async () => {
    const map = new FailingRecordWrites();
    const keyv = createMemoryKeyv(map);
    const records = createRecordStore(keyv);
    const logger = createLogger({ level: 'silent' });
    const pending = createPendingRecords({
      path: join(mkdtempSync(join(tmpdir(), 'cw-journal-')), 'pending.jsonl'),
      logger,
    });
    const service = createContactWayService({
      wecom: createWecomClient({
        baseUrl: sandbox.url,
        tokens: corpSecretTokenSource({ corpId: sandbox.corpId, corpSecret: sandbox.corpSecret }),
        cache: keyv,
      }),
      records,
      audit: createAuditLog(keyv),
      logger,
      pending,
    });
    const { record, stored } = await service.create(alice, tempRequest('zhangsan'));
    expect(stored).toBe(false);
    expect(await pending.count()).toBe(1);
    expect(await pending.flush(records)).toBe(0);
    map.healed = true;
    expect(await pending.flush(records)).toBe(1);
    expect(await pending.count()).toBe(0);
    expect((await service.list(alice)).map((r) => r.configId)).toEqual([record.configId]);
  });
});

describe('WeCom times out on add_contact_way', () => {
  it('GIVEN no answer in time THEN the requester is told the way may exist without a config_id', async () => {
    const keyv = createMemoryKeyv();
    const service = createContactWayService({
      wecom: createWecomClient({
        baseUrl: sandbox.url,
        tokens: corpSecretTokenSource({ corpId: sandbox.corpId, corpSecret: sandbox.corpSecret }),
        cache: keyv,
        timeoutMs: 300,
      }),
      records: createRecordStore(keyv),
      audit: createAuditLog(keyv),
      logger: createLogger({ level: 'silent' }),
    });
    sandbox.inject({ hang: true, endpoint: 'add_contact_way', times: 1 });
    await expect(service.create(alice, tempRequest('zhangsan'))).rejects.toMatchObject({
      code: 'wecom.timeout',
      human: { en: expect.stringContaining('may have created the contact way') },
    });
    expect(await service.list(alice)).toEqual([]);
  });
});
