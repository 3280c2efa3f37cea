import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createMemoryKeyv, openKeyv } from '../../src/store/index.js';
import { type ContractBackend, storeContract } from './contract.js';
import { writeAllContract } from './write-all-contract.js';

/** Both contracts, the store's and its batch write's, on one backend. */
function contracts(name: string, backend: ContractBackend | undefined): void {
  storeContract(name, backend);
  writeAllContract(name, backend);
}

// memory: every "connection" of a test shares one Map, as every connection to a server shares its data.
const memory = new Map<string, unknown>();
contracts('memory', { open: async (namespace) => createMemoryKeyv(memory, namespace) });

const dir = mkdtempSync(join(tmpdir(), 'contactway-store-'));
const sqliteUrl = `sqlite://${join(dir, 'nested', 'store.sqlite')}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
contracts('sqlite', {
  open: async (namespace) => await openKeyv(sqliteUrl, { namespace }),
  url: sqliteUrl,
});

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) console.warn('Redis tests skipped: set REDIS_URL=redis://127.0.0.1:6379 to run them.');
contracts(
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
contracts(
  'postgres',
  postgresUrl
    ? { open: async (namespace) => await openKeyv(postgresUrl, { namespace }), url: postgresUrl }
    : undefined,
);
