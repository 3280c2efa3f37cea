import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Keyv from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContactEvent } from '../../src/callbacks/event.js';
import { createEventStore, MAX_EVENT_ATTEMPTS } from '../../src/callbacks/event-store.js';
import { closeKeyv, createMemoryKeyv, openKeyv } from '../../src/store/index.js';
import { createSetIfAbsent } from '../../src/store/set-if-absent.js';

/**
 * The callback event store on every backend: a WeCom retry, or the same event delivered to two instances, is
 * stored (and so processed) once; two customers in the same second are two events.
 */

const redisUrl = process.env.REDIS_URL;
const postgresUrl = process.env.POSTGRES_URL;
if (!redisUrl)
  console.warn('Callback event store on Redis skipped: set REDIS_URL=redis://127.0.0.1:6379 to run it.');
if (!postgresUrl) console.warn('Callback event store on PostgreSQL skipped: set POSTGRES_URL to run it.');

const dir = mkdtempSync(join(tmpdir(), 'contactway-cbev-'));
const opened: Keyv[] = [];
afterAll(async () => {
  for (const keyv of opened) {
    await keyv.clear().catch(() => undefined);
    await closeKeyv(keyv);
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Two independent connections ("instances") to one backend, in a namespace of their own. */
type Pair = () => Promise<[Keyv, Keyv]>;
const namespace = `cbev-test-${randomBytes(4).toString('hex')}`;
async function open(url: string): Promise<Keyv> {
  const keyv = await openKeyv(url, { namespace });
  opened.push(keyv);
  return keyv;
}
const backends: [string, Pair | undefined][] = [
  [
    'memory',
    async () => {
      const map = new Map();
      return [createMemoryKeyv(map, namespace), createMemoryKeyv(map, namespace)];
    },
  ],
  [
    'sqlite',
    async () => {
      const url = `sqlite://${join(dir, `${randomBytes(4).toString('hex')}.sqlite`)}`;
      return [await open(url), await open(url)];
    },
  ],
  ['redis', redisUrl ? async () => [await open(redisUrl), await open(redisUrl)] : undefined],
  ['postgres', postgresUrl ? async () => [await open(postgresUrl), await open(postgresUrl)] : undefined],
];

let seq = 0;
function addEvent(overrides: Partial<ContactEvent> = {}): ContactEvent {
  seq += 1;
  return {
    changeType: 'add_external_contact',
    userId: 'zhangsan',
    externalUserId: `wm_${randomBytes(4).toString('hex')}_${seq}`,
    createTime: 1_700_000_000,
    state: 'cw-test',
    welcomeCode: `WC${seq}`,
    ...overrides,
  };
}

for (const [name, pair] of backends) {
  describe.skipIf(!pair)(`callback event store on ${name}`, () => {
    it('GIVEN one event delivered 20 times to two instances at once THEN exactly one add is fresh', async () => {
      const [a, b] = await pair!();
      const stores = [createEventStore(a), createEventStore(b)];
      const event = addEvent();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => stores[i % 2]!.add(event, Date.UTC(2025, 0, 1))),
      );
      expect(results.filter((r) => r.fresh)).toHaveLength(1);
      expect(results.every((r) => r.stored.event.externalUserId === event.externalUserId)).toBe(true);
    });

    it('GIVEN two customers in the same second THEN two events, both pending', async () => {
      const [a] = await pair!();
      const store = createEventStore(a);
      const first = addEvent({ createTime: 1_700_000_100 });
      const second = addEvent({ createTime: 1_700_000_100 });
      expect((await store.add(first, 1)).fresh).toBe(true);
      expect((await store.add(second, 2)).fresh).toBe(true);
      const pendingIds = (await store.pending()).map((e) => e.event.externalUserId);
      expect(pendingIds).toEqual(expect.arrayContaining([first.externalUserId, second.externalUserId]));
    });

    it('GIVEN an event marked done THEN it is no longer pending and a retry is still not fresh', async () => {
      const [a, b] = await pair!();
      const store = createEventStore(a);
      const event = addEvent();
      const { stored } = await store.add(event, 1);
      await store.markDone(stored.key, 'attributed', 2);
      expect((await store.pending()).map((e) => e.key)).not.toContain(stored.key);
      expect((await createEventStore(b).add(event, 3)).fresh).toBe(false);
      expect(await store.get(stored.key)).toMatchObject({ status: 'done', outcome: 'attributed' });
    });

    it('GIVEN an event failing every run THEN it stays pending until MAX_EVENT_ATTEMPTS, then failed', async () => {
      const [a] = await pair!();
      const store = createEventStore(a);
      const { stored } = await store.add(addEvent(), 1);
      for (let i = 1; i < MAX_EVENT_ATTEMPTS; i++) {
        expect((await store.markFailed(stored.key, 'wecom.timeout', i))?.status).toBe('pending');
      }
      expect((await store.markFailed(stored.key, 'wecom.timeout', 9))?.status).toBe('failed');
      expect((await store.pending()).map((e) => e.key)).not.toContain(stored.key);
    });

    it('GIVEN a set-if-absent value whose TTL passed THEN the key can be claimed again', async () => {
      const [a] = await pair!();
      const setIfAbsent = createSetIfAbsent(a);
      const key = `test:${randomBytes(4).toString('hex')}`;
      await a.get(key); // connect (and create the table) first: the TTL must not run out while connecting
      expect(await setIfAbsent(key, { n: 1 }, 300)).toBe(true);
      expect(await setIfAbsent(key, { n: 2 }, 300)).toBe(false);
      expect(await a.get(key)).toEqual({ n: 1 });
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(await setIfAbsent(key, { n: 3 })).toBe(true);
      expect(await a.get(key)).toEqual({ n: 3 });
    });
  });
}
