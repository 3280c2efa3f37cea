import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../base/logger.js';
import {
  type ContactWayRecord,
  contactWayRecordSchema,
  PRIVATE_DIR,
  PRIVATE_FILE,
  type RecordStore,
} from '../store/index.js';

/**
 * Records WeCom created but the store refused. They go to a local append-only file (JSON lines) so a
 * config_id survives both a store outage and a restart, and are written to the store once it answers again.
 *
 * Several processes may share one journal file (instances on one host or one volume). Nobody ever rewrites
 * it in place, which is how records were lost when one instance's flush replaced the file another had just
 * appended to. Instead:
 * - writers only append, and after each append check that the file they wrote into is still the journal
 *   (a flush may have claimed it between their open and their write); if not, they append again;
 * - a flush claims the journal by renaming it to `<JOURNAL_PATH>.flushing-<uuid>` (rename is atomic: of two
 *   flushers one gets the file, the other nothing), writes its records to the store, appends what still
 *   fails back to the journal, and deletes its claim;
 * - a claim left behind by a process that died mid-flush is taken over by the next flush once it is older
 *   than `staleClaimMs`.
 * A record may so be written to the store twice, which is harmless (the same record under the same key);
 * it is never dropped.
 */
export interface PendingRecords {
  /** Keeps a record for later; never throws (if even the file fails, the log line is the last copy). */
  add(record: ContactWayRecord): Promise<void>;
  /** Writes every pending record to the store; keeps the ones that still fail. Returns how many were written. */
  flush(records: Pick<RecordStore, 'put'>): Promise<number>;
  /** How many records are waiting (in the journal and in claims being flushed). */
  count(): Promise<number>;
}

/** A flush takes seconds at most; a claim this old belongs to a process that died while flushing. */
const STALE_CLAIM_MS = 5 * 60_000;

export function createPendingRecords(options: {
  path: string;
  logger: Logger;
  /** Age after which another process's unfinished claim is taken over. Default 5 minutes. */
  staleClaimMs?: number;
}): PendingRecords {
  const { path, logger } = options;
  const staleClaimMs = options.staleClaimMs ?? STALE_CLAIM_MS;
  const dir = dirname(path);
  const claimPrefix = `${basename(path)}.flushing-`;

  // One operation at a time within this process; other processes are handled by the protocol above.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  /**
   * Appends lines to the journal so that no flush can miss them: if the file was claimed between our open
   * and our write, the claimer may have read it before our lines arrived, so they go to the new journal too.
   * The check runs while our descriptor is open, so the claimed file's inode cannot have been reused.
   */
  async function appendLines(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const text = lines.map((line) => `${line}\n`).join('');
    // Records as the store holds them: owner-only like the sqlite file (claims are renames and keep it).
    await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
    for (;;) {
      const file = await open(path, 'a', PRIVATE_FILE);
      try {
        await file.appendFile(text);
        const written = await file.stat();
        const current = await stat(path).catch(() => undefined);
        if (current && current.ino === written.ino && current.dev === written.dev) return;
      } finally {
        await file.close();
      }
    }
  }

  /** The records in one file (the last line for a config_id wins) and the lines we could not read. */
  async function readFileRecords(
    file: string,
  ): Promise<{ records: ContactWayRecord[]; unreadable: string[] }> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], unreadable: [] };
      throw error;
    }
    const byId = new Map<string, ContactWayRecord>();
    const unreadable: string[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const record = contactWayRecordSchema.parse(JSON.parse(line));
        byId.set(record.configId, record);
      } catch (error) {
        unreadable.push(line);
        logger.error(
          { err: error, line },
          'unreadable line in the pending-records journal; kept in the file',
        );
      }
    }
    return { records: [...byId.values()], unreadable };
  }

  /** Claims left by flushes that did not finish: taken over once stale. */
  async function staleClaims(): Promise<string[]> {
    const names = await readdir(dir).catch(() => [] as string[]);
    const stale: string[] = [];
    for (const name of names) {
      if (!name.startsWith(claimPrefix)) continue;
      const info = await stat(join(dir, name)).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs >= staleClaimMs) stale.push(join(dir, name));
    }
    return stale;
  }

  /** Renames `from` to a claim of our own; undefined when someone else got it first (or it is gone). */
  async function claim(from: string): Promise<string | undefined> {
    const claimed = join(dir, `${claimPrefix}${randomUUID()}`);
    try {
      await rename(from, claimed);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    // Its age now says when it was claimed, so others leave it alone while we work on it.
    const now = new Date();
    await utimes(claimed, now, now).catch(() => undefined);
    return claimed;
  }

  async function flushClaim(claimed: string, records: Pick<RecordStore, 'put'>): Promise<number> {
    const { records: pending, unreadable } = await readFileRecords(claimed);
    const left: ContactWayRecord[] = [];
    for (const record of pending) {
      try {
        await records.put(record);
        logger.info({ configId: record.configId }, 'pending record written to the store');
      } catch {
        left.push(record);
      }
    }
    // Back into the journal before the claim goes: a crash in between duplicates lines, never loses them.
    await appendLines([...left.map((r) => JSON.stringify(r)), ...unreadable]);
    await unlink(claimed).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    return pending.length - left.length;
  }

  return {
    add: (record) =>
      serial(async () => {
        try {
          await appendLines([JSON.stringify(record)]);
          logger.warn(
            { configId: record.configId, journal: path },
            'record kept in the local journal until the store answers',
          );
        } catch (error) {
          logger.error(
            { err: error, configId: record.configId, record },
            'journal write failed too; this log line is the record',
          );
        }
      }),

    flush: (records) =>
      serial(async () => {
        const sources = [...(await staleClaims())];
        const journal = await stat(path).catch(() => undefined);
        if (journal && journal.size > 0) sources.unshift(path);
        let written = 0;
        for (const source of sources) {
          const claimed = await claim(source);
          if (claimed) written += await flushClaim(claimed, records);
        }
        // The journal stays in place (empty) once flushed, as an operator looking for it expects.
        if (sources.length > 0) await appendFile(path, '', { mode: PRIVATE_FILE });
        return written;
      }),

    count: () =>
      serial(async () => {
        const names = await readdir(dir).catch(() => [] as string[]);
        const files = [path, ...names.filter((n) => n.startsWith(claimPrefix)).map((n) => join(dir, n))];
        const ids = new Set<string>();
        for (const file of files)
          for (const record of (await readFileRecords(file)).records) ids.add(record.configId);
        return ids.size;
      }),
  };
}
