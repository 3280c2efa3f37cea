import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createMemoryKeyv, openKeyv } from '../../src/store/index.js';
import { storeContract } from './contract.js';

// memory: every "connection" of a test shares one Map, as every connection to a server shares its data.
const memory = new Map<string, unknown>();
storeContract('memory', { open: async (namespace) => createMemoryKeyv(memory, namespace) });

const dir = mkdtempSync(join(tmpdir(), 'contactway-store-'));
const sqliteUrl = `sqlite://${join(dir, 'nested', 'store.sqlite')}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
storeContract('sqlite', {
  open: async (namespace) => await openKeyv(sqliteUrl, { namespace }),
  url: sqliteUrl,
});

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) console.warn('Redis tests skipped: set REDIS_URL=redis://127.0.0.1:6379 to run them.');
storeContract(
  'redis',
  redisUrl
    ? { open: async (namespace) => await openKeyv(redisUrl, { namespace }), url: redisUrl }
    : undefined,
);

const postgresUrl = process.env.POSTGRES_URL;
if (!postgresUrl) {
  console.warn(
    'PostgreSQL tests skipped: set POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test to run them.',
  );
}
storeContract(
  'postgres',
  postgresUrl
    ? { open: async (namespace) => await openKeyv(postgresUrl, { namespace }), url: postgresUrl }
    : undefined,
);
