import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { inCorp, inNoCorp } from '../../src/base/corp-scope.js';
import { corpRecords } from '../../src/provider/corp-records.js';
import { type ContactWayRecord, createRecordStore } from '../../src/store/index.js';

const at = '2026-12-01T00:00:00.000Z';
const way = (configId: string, authCorpId?: string): ContactWayRecord => ({
  configId,
  requester: { platform: 'slack', workspaceId: 'T1', userId: 'U1' },
  createdAt: at,
  updatedAt: at,
  request: { type: 1, scene: 2, user: ['zhangsan'] },
  isTemp: false,
  status: 'active',
  source: 'created',
  ...(authCorpId ? { authCorpId } : {}),
});

/** A store holding one way of corp A, one of corp B and one made before records carried a corp. */
async function store(soleCorp: string | undefined) {
  const stored = createRecordStore(new Keyv());
  for (const record of [way('a1', 'wwA'), way('b1', 'wwB'), way('old')]) await stored.put(record);
  return corpRecords(stored, async () => soleCorp);
}
const ids = (records: ContactWayRecord[]) => records.map((r) => r.configId).sort();

describe('a request sees only its corp’s records (provider modes)', () => {
  it('GIVEN a request in corp A THEN B’s way is absent from get, lists and remove; outside a request all are seen', async () => {
    const records = await store(undefined);
    await inCorp('wwA', async () => {
      expect(await records.get('b1')).toBeUndefined();
      expect((await records.get('a1'))?.configId).toBe('a1');
      expect(ids(await records.listAll())).toEqual(['a1']);
      expect(ids(await records.listByRequester('slack:T1:U1'))).toEqual(['a1']);
      await records.remove('b1');
    });
    expect(ids(await records.listAll())).toEqual(['a1', 'b1', 'old']);
    expect(await inNoCorp(() => records.listAll())).toEqual([]);
  });

  it('GIVEN a record with no corp THEN it is the sole installed corp’s, and nobody’s while several are', async () => {
    const sole = await store('wwA');
    expect(ids(await inCorp('wwA', () => sole.listAll()))).toEqual(['a1', 'old']);
    expect(ids(await inCorp('wwB', () => sole.listAll()))).toEqual(['b1']);
    const several = await store(undefined);
    expect(await inCorp('wwA', () => several.get('old'))).toBeUndefined();
  });

  it('GIVEN sync imports a way it does not see THEN a record with no corp is adopted as it was; another corp’s is never replaced', async () => {
    const records = await store(undefined);
    const synced = (configId: string): ContactWayRecord => ({
      ...way(configId, 'wwA'),
      requester: { platform: 'slack', workspaceId: 'T1', userId: 'U_ADMIN' },
      source: 'synced',
    });
    await inCorp('wwA', async () => {
      await records.put(synced('old'));
      await records.put(synced('b1'));
    });
    const all = await records.listAll();
    expect(all.find((r) => r.configId === 'old')).toMatchObject({ authCorpId: 'wwA', source: 'created' });
    expect(all.find((r) => r.configId === 'b1')).toMatchObject({ authCorpId: 'wwB', source: 'created' });
  });
});
