import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCore } from '../../src/app.js';
import { silentLogger } from '../../src/base/logger.js';
import { loadConfig } from '../../src/config.js';
import { createPendingRecords } from '../../src/service/pending-records.js';
import type { RecordStore } from '../../src/store/index.js';
import { makeRecord } from './fixtures.js';

/**
 * What the bot writes to disk holds records, requesters and the cached WeCom access token: the sqlite database
 * (with its -wal and -shm files) and the pending-records journal are created readable by the bot's user only,
 * in folders only that user can enter, whatever the umask lets other files be.
 */

const dir = mkdtempSync(join(tmpdir(), 'contactway-modes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('files the store creates', () => {
  it('GIVEN a fresh folder WHEN the core starts on sqlite and writes THEN the folder is 0700 and the database, -wal and -shm are 0600', async () => {
    const data = join(dir, 'core', 'data');
    const db = join(data, 'contactway.sqlite');
    const core = await startCore(
      loadConfig({
        STORE_URL: `sqlite://${db}`,
        LOG_LEVEL: 'silent',
        JOURNAL_PATH: join(dir, 'core', 'j.jsonl'),
      }),
      silentLogger(),
    );
    try {
      await core.keyv.set('idem:mode-check', 'claimed', 60_000);
      expect(modeOf(data).toString(8)).toBe('700');
      expect(modeOf(db).toString(8)).toBe('600');
      for (const companion of [`${db}-wal`, `${db}-shm`]) {
        expect(existsSync(companion), companion).toBe(true);
        expect(modeOf(companion).toString(8), companion).toBe('600');
      }
    } finally {
      await core.close();
    }
  });

  it('GIVEN a fresh folder WHEN a record is journaled and flushed (failing, then working) THEN the journal is 0600 each time it is created', async () => {
    const folder = join(dir, 'journal', 'data');
    const path = join(folder, 'pending-records.jsonl');
    const journal = createPendingRecords({ path, logger: silentLogger() });
    await journal.add(makeRecord('cw-mode'));
    expect(modeOf(folder).toString(8)).toBe('700');
    expect(modeOf(path).toString(8)).toBe('600');

    const down = {
      put: async () => {
        throw new Error('store down');
      },
    } as unknown as RecordStore;
    // The flush renames the journal away and writes what still fails to a journal it creates anew.
    expect(await journal.flush(down)).toBe(0);
    expect(modeOf(path).toString(8)).toBe('600');

    const up = { put: async () => undefined } as unknown as RecordStore;
    expect(await journal.flush(up)).toBe(1);
    // Flushed: the journal is left in place, empty, created again by the flush.
    expect(statSync(path).size).toBe(0);
    expect(modeOf(path).toString(8)).toBe('600');
  });
});
