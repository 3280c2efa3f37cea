import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/base/logger.js';
import { createPendingRecords } from '../../src/service/pending-records.js';
import { closeKeyv, createRecordStore, openKeyv } from '../../src/store/index.js';
import { spawnGroup } from '../fixtures/child-process.js';
import { alice, makeRecord } from '../store/fixtures.js';

/**
 * Several processes share one journal (JOURNAL_PATH): two real processes append records at the same time
 * while one of them flushes the journal in a loop into a flaky store (a third of its writes fail, so records
 * are also written back). Afterwards every record is either in the store or still in the journal.
 */

const WRITER = fileURLToPath(new URL('./journal-writer.ts', import.meta.url));
const EACH = 300;

const dir = mkdtempSync(join(tmpdir(), 'cw-shared-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Writer {
  child: ChildProcess;
  /** Resolves when the process has printed `word`. */
  said(word: string): Promise<void>;
  exited: Promise<void>;
}

function startWriter(env: Record<string, string>): Writer {
  const child = spawnGroup(process.execPath, ['--import', 'tsx', WRITER], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiting: { word: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (chunk) => {
    stdout += String(chunk);
    for (const w of waiting) if (stdout.split('\n').includes(w.word)) w.resolve();
  });
  child.stderr!.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<void>((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`writer exited ${code}: ${stderr}`)),
    ),
  );
  return {
    child,
    exited,
    said: (word) =>
      Promise.race([
        new Promise<void>((resolve) => {
          waiting.push({ word, resolve });
          if (stdout.split('\n').includes(word)) resolve();
        }),
        exited.then(() => {
          throw new Error(`writer exited before saying ${word}`);
        }),
      ]),
  };
}

describe('one journal, several processes', () => {
  it('GIVEN two processes appending while one flushes into a flaky store THEN no record is lost', async () => {
    const journal = join(dir, 'pending-records.jsonl');
    const storeUrl = `sqlite://${join(dir, 'store.sqlite')}`;
    const common = { JOURNAL_PATH: journal, STORE_URL: storeUrl, WRITER_COUNT: String(EACH) };
    const writer = startWriter({ ...common, WRITER_PREFIX: 'a', FLUSH: '0' });
    const flusher = startWriter({ ...common, WRITER_PREFIX: 'b', FLUSH: '1' });
    await Promise.all([writer.said('ready'), flusher.said('ready')]);
    for (const w of [writer, flusher]) w.child.stdin!.write('go\n');
    await Promise.all([writer.said('appended'), flusher.said('appended')]);
    flusher.child.stdin!.write('stop\n');
    writer.child.stdin!.end();
    await Promise.all([writer.exited, flusher.exited]);

    // Whatever the flusher did not write is still pending: write it now, with a store that works.
    const keyv = await openKeyv(storeUrl);
    try {
      const records = createRecordStore(keyv);
      const inStore = new Set((await records.listAll()).map((r) => r.configId));
      expect(inStore.size).toBeGreaterThan(0);
      const pending = createPendingRecords({ path: journal, logger: createLogger({ level: 'silent' }) });
      await pending.flush(records);
      const all = new Set((await records.listAll()).map((r) => r.configId));
      const expected = ['a', 'b'].flatMap((p) => Array.from({ length: EACH }, (_, i) => `${p}-${i}`));
      expect(expected.filter((id) => !all.has(id))).toEqual([]);
      expect(await pending.count()).toBe(0);
      // No claim is left behind.
      expect(readdirSync(dir).filter((name) => name.includes('.flushing-'))).toEqual([]);
    } finally {
      await closeKeyv(keyv);
    }
  }, 60_000);

  it('GIVEN a flush that died after claiming the journal THEN a later flush takes its claim over', async () => {
    const journal = join(dir, 'crashed.jsonl');
    const logger = createLogger({ level: 'silent' });
    const first = createPendingRecords({ path: journal, logger });
    await first.add(makeRecord('crashed-1', alice));
    // What a process killed mid-flush leaves: the journal renamed to its claim, never deleted.
    renameSync(journal, `${journal}.flushing-dead`);
    await first.add(makeRecord('crashed-2', alice));

    const keyv = await openKeyv('memory:');
    const records = createRecordStore(keyv);
    const fresh = createPendingRecords({ path: journal, logger });
    expect(await fresh.count()).toBe(2);
    // A young claim may belong to a flush still at work: left alone.
    expect(await fresh.flush(records)).toBe(1);
    const later = createPendingRecords({ path: journal, logger, staleClaimMs: 0 });
    expect(await later.flush(records)).toBe(1);
    expect((await records.listAll()).map((r) => r.configId).sort()).toEqual(['crashed-1', 'crashed-2']);
    expect(await later.count()).toBe(0);
    expect(readdirSync(dir).filter((name) => name.startsWith('crashed.jsonl.flushing-'))).toEqual([]);
  });
});
