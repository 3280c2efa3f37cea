import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Keyv } from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/base/logger.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { createContactWayService } from '../../src/service/contact-way-service.js';
import { createIdempotency } from '../../src/service/idempotency.js';
import {
  closeKeyv,
  createAuditLog,
  createRecordStore,
  openKeyv,
  type Requester,
  requesterKey,
} from '../../src/store/index.js';
import { createStateIndex } from '../../src/store/state-index.js';
import { corpSecretTokenSource, createWecomClient, type WecomClient } from '../../src/wecom/index.js';
import { tempRequest } from '../fixtures/temp-request.js';

/**
 * Issue 20: what a creation writes once WeCom answered (record, requester index, state binding, idempotency
 * result, audit entry) goes to the store as one statement. Counted on the real sqlite store, every statement
 * the service sends through the adapter's `query`, the one door all its reads and writes take.
 */
const alice: Requester = { platform: 'slack', workspaceId: 'T1', userId: 'UALICE' };

let sandbox: Sandbox;
let keyv: Keyv;
const dir = mkdtempSync(join(tmpdir(), 'contactway-one-write-'));
const statements: Array<{ sql: string; params: unknown[] }> = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  keyv = await openKeyv(`sqlite://${join(dir, 'store.sqlite')}`, { namespace: 'one-write' });
  const store = keyv.store as { query: (sql: string, ...params: unknown[]) => Promise<unknown> };
  const query = store.query.bind(store);
  store.query = (sql, ...params) => {
    statements.push({ sql, params: params.flat() });
    return query(sql, ...params);
  };
});
afterAll(async () => {
  await closeKeyv(keyv);
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

function build() {
  const wecom = createWecomClient({
    baseUrl: sandbox.url,
    tokens: corpSecretTokenSource({ corpId: sandbox.corpId, corpSecret: sandbox.corpSecret }),
    cache: keyv,
  });
  // Where WeCom answered: the real client, with the moment its add_contact_way resolves noted.
  let answeredAt = -1;
  const watched = new Proxy(wecom, {
    get(target, name, receiver) {
      if (name !== 'addContactWay') return Reflect.get(target, name, receiver);
      return async (...args: Parameters<WecomClient['addContactWay']>) => {
        const created = await target.addContactWay(...args);
        answeredAt = statements.length;
        return created;
      };
    },
  });
  const service = createContactWayService({
    wecom: watched,
    records: createRecordStore(keyv),
    audit: createAuditLog(keyv),
    idempotency: createIdempotency(keyv),
    stateIndex: createStateIndex(keyv),
    logger: createLogger({ level: 'silent' }),
  });
  return { service, afterWecom: () => statements.slice(answeredAt) };
}

const isWrite = (sql: string) => /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(sql);

describe('one write per creation', () => {
  it('GIVEN a creation with an idempotency key THEN after WeCom answers the store gets one statement, with all five keys', async () => {
    const { service, afterWecom } = build();
    await service.create(alice, tempRequest('zhangsan'), { idempotencyKey: 'warm-up' }); // token cached
    const { record } = await service.create(alice, tempRequest('zhangsan', { state: 'fair' }), {
      idempotencyKey: 'submission-1',
    });
    const after = afterWecom();
    expect(after).toHaveLength(1);
    const [batch] = after;
    expect(isWrite(batch!.sql)).toBe(true);
    const keys = batch!.params.filter((_, i) => i % 2 === 0).map(String);
    const configId = record.configId;
    expect(keys).toEqual([
      `one-write:own:${requesterKey(alice)}:${configId}`,
      `one-write:rec:${configId}`,
      `one-write:state:${encodeURIComponent(record.request.state!)}`,
      `one-write:idem:${requesterKey(alice)}:submission-1`,
      expect.stringMatching(/^one-write:audit:\d{15}:[0-9a-f]{12}$/),
    ]);
    // What the batch wrote is what the service reads back.
    expect((await service.list(alice)).map((r) => r.configId)).toContain(configId);
    const again = await service.create(alice, tempRequest('zhangsan', { state: 'fair' }), {
      idempotencyKey: 'submission-1',
    });
    expect(again).toMatchObject({ replayed: true, record: { configId } });
  });

  it('GIVEN an edit THEN the record, its index and the audit entry are one write', async () => {
    const { service } = build();
    const { record } = await service.create(alice, tempRequest('zhangsan'));
    const from = statements.length;
    await service.update(alice, record.configId, { welcome: 'Hello again' });
    const writes = statements.slice(from).filter((s) => isWrite(s.sql));
    expect(writes).toHaveLength(1);
    expect((await service.way(alice, record.configId)).welcome).toBe('Hello again');
  });
});
