import { randomBytes } from 'node:crypto';
import type Keyv from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';
import {
  closeKeyv,
  createLinkStore,
  createMemoryKeyv,
  linkRequestId,
  openKeyv,
} from '../../src/store/index.js';

/**
 * The stored links on each real backend: two instances share one store, a link made on one is seen by the
 * other at its next refresh (load), and a removal reads the store, not the remover's memory.
 */
const backends: [string, (() => Promise<Keyv>) | undefined][] = [
  ['memory', async () => createMemoryKeyv()],
  [
    'redis',
    process.env.REDIS_URL ? () => openKeyv(process.env.REDIS_URL as string, { namespace: ns() }) : undefined,
  ],
  [
    'postgres',
    process.env.POSTGRES_URL
      ? () => openKeyv(process.env.POSTGRES_URL as string, { namespace: ns() })
      : undefined,
  ],
];
function ns() {
  return `linktest${randomBytes(4).toString('hex')}`;
}
const opened: Keyv[] = [];
afterAll(async () => {
  // Each test removes what it wrote; no clear(): on a shared Redis that must never reach FLUSHDB.
  for (const keyv of opened) await closeKeyv(keyv);
});

for (const [name, open] of backends) {
  describe.skipIf(!open)(`links on ${name}`, () => {
    it('GIVEN two instances WHEN one links and the other refreshes THEN both see it; unlink on the other removes it', async () => {
      const keyv = await (open as () => Promise<Keyv>)();
      opened.push(keyv);
      const a = createLinkStore(keyv);
      const b = createLinkStore(keyv);
      await a.set('slack:T1:U1', { userid: 'zhangsan', by: 'slack:T1:UADMIN', at: new Date().toISOString() });
      expect(a.lookup('slack:T1:U1')).toBe('zhangsan');
      expect(b.lookup('slack:T1:U1')).toBeUndefined();
      await b.load();
      expect(b.lookup('slack:T1:U1')).toBe('zhangsan');
      expect(await b.remove('slack:T1:U1')).toBe('zhangsan');
      await a.load();
      expect(a.lookup('slack:T1:U1')).toBeUndefined();
    });

    it('GIVEN a request WHEN read back by its id THEN it is there until dropped; a new one replaces it', async () => {
      const keyv = await (open as () => Promise<Keyv>)();
      opened.push(keyv);
      const store = createLinkStore(keyv);
      const at = new Date().toISOString();
      const id = await store.request({ requester: 'discord:G1:42', userid: 'lisi', at });
      expect(id).toBe(linkRequestId('discord:G1:42'));
      expect(id).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
      await store.request({ requester: 'discord:G1:42', userid: 'zhangsan', at });
      expect(await store.pending(id)).toMatchObject({ userid: 'zhangsan' });
      await store.dropRequest(id);
      expect(await store.pending(id)).toBeUndefined();
    });
  });
}
