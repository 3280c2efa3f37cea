import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, StoreError } from '../../src/base/errors.js';
import { closeKeyv, createRecordStore, openKeyv, requesterKey } from '../../src/store/index.js';
import { alice, makeRecord } from './fixtures.js';

let dir: string;
const cwd = process.cwd();
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'contactway-open-'));
});
afterEach(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

async function configError(run: () => Promise<unknown>): Promise<ConfigError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('openKeyv', () => {
  it('GIVEN sqlite://data/x.sqlite THEN creates ./data under the working directory', async () => {
    process.chdir(dir);
    const keyv = await openKeyv('sqlite://data/deeper/x.sqlite');
    await createRecordStore(keyv).put(makeRecord('cw-1'));
    await closeKeyv(keyv);
    expect(existsSync(join(dir, 'data', 'deeper', 'x.sqlite'))).toBe(true);
  });

  it('GIVEN a sqlite file WHEN reopened (a restart) THEN the list still shows its records', async () => {
    const url = `sqlite://${join(dir, 'a', 'b', 'store.sqlite')}`;
    const first = await openKeyv(url);
    await createRecordStore(first).put(makeRecord('cw-kept'));
    await closeKeyv(first);

    const second = await openKeyv(url);
    const listed = await createRecordStore(second).listByRequester(requesterKey(alice));
    await closeKeyv(second);
    expect(listed.map((r) => r.configId)).toEqual(['cw-kept']);
  });

  it('GIVEN no namespace THEN uses "contactway"; GIVEN memory: THEN each call is a new, empty store', async () => {
    const one = await openKeyv('memory:');
    const two = await openKeyv('memory:');
    expect(one.namespace).toBe('contactway');
    await createRecordStore(one).put(makeRecord('cw-1'));
    expect(await createRecordStore(two).listAll()).toEqual([]);
  });

  it.each([
    ['', 'no scheme'],
    ['data/x.sqlite', 'no scheme'],
    ['mysql://root:hunter2@db/contactway', 'unsupported scheme "mysql:"'],
    ['sqlite://', 'no database path'],
    ['postgres://user:hunter2@[bad', 'not a valid URL'],
    ['redis://:hunter2@exa mple:6379', 'not a valid URL'],
  ])('GIVEN STORE_URL %j THEN a ConfigError names STORE_URL and never the password', async (url, reason) => {
    const error = await configError(() => openKeyv(url));
    expect(error.message).toContain('STORE_URL');
    expect(error.message).toContain(reason);
    expect(error.human.zh).toContain('STORE_URL');
    expect(JSON.stringify(error.toJSON())).not.toContain('hunter2');
  });

  it('GIVEN a namespace with ":" or "_" THEN ConfigError (Keyv splits on ":", LIKE treats "_" as a wildcard)', async () => {
    await configError(() => openKeyv('memory:', { namespace: 'a:b' }));
    await configError(() => openKeyv('memory:', { namespace: 'a_b' }));
  });

  it('GIVEN a sqlite folder that cannot be created THEN ConfigError naming STORE_URL', async () => {
    // A file where the folder should be (permissions would not stop root, which tests may run as).
    writeFileSync(join(dir, 'taken'), '');
    const error = await configError(() => openKeyv(`sqlite://${join(dir, 'taken', 'db', 'x.sqlite')}`));
    expect(error.message).toContain('STORE_URL');
  });
});

describe('store failures', () => {
  it('GIVEN a closed sqlite store THEN reads throw StoreError instead of returning "not found"', async () => {
    const keyv = await openKeyv(`sqlite://${join(dir, 'closed.sqlite')}`);
    const records = createRecordStore(keyv);
    await records.put(makeRecord('cw-1'));
    await closeKeyv(keyv);
    await expect(records.get('cw-1')).rejects.toBeInstanceOf(StoreError);
    await expect(records.listAll()).rejects.toBeInstanceOf(StoreError);
  });

  it('GIVEN Redis unreachable THEN calls fail with StoreError within seconds instead of hanging', async () => {
    const keyv = await openKeyv('redis://127.0.0.1:1');
    const error = await createRecordStore(keyv)
      .get('cw-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    await closeKeyv(keyv);
  });

  it('GIVEN PostgreSQL unreachable THEN calls fail with StoreError', async () => {
    const keyv = await openKeyv('postgres://postgres@127.0.0.1:1/test');
    const error = await createRecordStore(keyv)
      .get('cw-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    await closeKeyv(keyv);
  });
});

describe('requesterKey', () => {
  it('GIVEN ordinary ids THEN platform:workspace:user as is', () => {
    expect(requesterKey({ platform: 'slack', workspaceId: 'T0001', userId: 'U0001' })).toBe(
      'slack:T0001:U0001',
    );
  });

  it('GIVEN ids containing ":" THEN parts are encoded so two requesters never share a key', () => {
    const a = requesterKey({ platform: 'console', workspaceId: 'h:1', userId: 'u' });
    const b = requesterKey({ platform: 'console', workspaceId: 'h', userId: '1:u' });
    expect(a).toBe('console:h%3A1:u');
    expect(a).not.toBe(b);
  });
});
