import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/base/logger.js';
import { createSecrets } from '../../src/base/secrets.js';
import { createProvider } from '../../src/provider/index.js';
import { closeKeyv, createStoreLock, openKeyv } from '../../src/store/index.js';
import { createWecomClient } from '../../src/wecom/index.js';
import {
  type FakeProvider,
  PROVIDER_CORP_ID,
  SUITE_AES_KEY,
  SUITE_ID,
  SUITE_SECRET,
  SUITE_TOKEN,
  startFakeProvider,
} from '../fixtures/provider/fake-provider.js';

/**
 * Several instances on one shared store (Redis, PostgreSQL): the ticket one of them received serves all, one
 * get_suite_token per lifetime for the fleet, one get_corp_token per corp, one permanent-code exchange.
 */
const backends = [
  { name: 'Redis', url: process.env.REDIS_URL },
  { name: 'PostgreSQL', url: process.env.POSTGRES_URL },
];
const run = randomBytes(4).toString('hex');
const toClear: { url: string; namespace: string }[] = [];
afterAll(async () => {
  for (const { url, namespace } of toClear) {
    const keyv = await openKeyv(url, { namespace });
    await keyv.clear();
    await closeKeyv(keyv);
  }
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function instances(url: string, fake: FakeProvider, n = 2) {
  const namespace = `cw-provider-${run}-${toClear.length}`;
  toClear.push({ url, namespace });
  const logger = silentLogger();
  return Promise.all(
    Array.from({ length: n }, async () => {
      const keyv = await openKeyv(url, { namespace, logger });
      cleanups.push(() => closeKeyv(keyv));
      const lock = createStoreLock(keyv, { logger });
      const provider = createProvider({
        settings: {
          mode: 'third-party',
          suiteId: SUITE_ID,
          suiteSecret: SUITE_SECRET,
          suiteToken: SUITE_TOKEN,
          suiteAesKey: SUITE_AES_KEY,
          providerCorpId: PROVIDER_CORP_ID,
          encryptionKey: Buffer.alloc(32, 3).toString('base64'),
        },
        keyv,
        lock,
        logger,
        secrets: createSecrets(),
        client: { baseUrl: fake.url, sleep: async () => {} },
      });
      const corpClient = (corpId: string) =>
        createWecomClient({
          baseUrl: fake.url,
          tokens: provider.tokenSource(corpId),
          cache: keyv,
          lock,
          logger,
        });
      return { provider, corpClient };
    }),
  );
}

for (const backend of backends) {
  describe.skipIf(!backend.url)(`provider tokens on ${backend.name}, two instances`, () => {
    it('GIVEN a ticket received by one instance THEN 100 concurrent callers on both get one suite token from one fetch', async () => {
      const fake = await startFakeProvider();
      cleanups.push(() => fake.close());
      const [a, b] = await instances(backend.url as string, fake);
      if (!a || !b) throw new Error('two instances');
      expect(await a.provider.tickets.offer(fake.newTicket(), Math.floor(Date.now() / 1000))).toBe('kept');
      fake.hold();
      const all = Promise.all(
        Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).provider.suite.accessToken()),
      );
      // WeCom answers only once the first fetch is in flight: every other caller meets it or the lock.
      while (fake.count('get_suite_token') === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      fake.release();
      expect(new Set(await all).size).toBe(1);
      expect(fake.count('get_suite_token')).toBe(1);
    }, 60_000);

    it('GIVEN one install seen by both instances THEN one exchange, then one corp token for the fleet', async () => {
      const fake = await startFakeProvider();
      cleanups.push(() => fake.close());
      const [a, b] = await instances(backend.url as string, fake);
      if (!a || !b) throw new Error('two instances');
      await a.provider.tickets.offer(fake.newTicket(), Math.floor(Date.now() / 1000));
      const install = fake.newInstall('wpFleetCorp');
      // create_auth on one instance, the same code on the other (the redirect, a repeated push).
      const outcomes = await Promise.all([
        a.provider.installer.exchange(install.authCode),
        b.provider.installer.exchange(install.authCode),
      ]);
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['already', 'installed']);
      expect(fake.count('get_permanent_code')).toBe(1);

      const clients = [a.corpClient('wpFleetCorp'), b.corpClient('wpFleetCorp')];
      await Promise.all(Array.from({ length: 40 }, (_, i) => clients[i % 2]?.listContactWay()));
      expect(fake.count('get_corp_token')).toBe(1);
      expect(fake.count('get_suite_token')).toBe(1);
    }, 60_000);
  });
}
