import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../logger.js';
import { type ContactWayRecord, contactWayRecordSchema, type RecordStore } from '../store/index.js';

/**
 * Records WeCom created but the store refused. They go to a local append-only file (JSON lines) so a
 * config_id survives both a store outage and a restart, and are written to the store once it answers again.
 */
export interface PendingRecords {
  /** Keeps a record for later; never throws (if even the file fails, the log line is the last copy). */
  add(record: ContactWayRecord): Promise<void>;
  /** Writes every pending record to the store; keeps the ones that still fail. Returns how many were written. */
  flush(records: RecordStore): Promise<number>;
  /** How many records are waiting. */
  count(): Promise<number>;
}

export function createPendingRecords(options: { path: string; logger: Logger }): PendingRecords {
  const { path, logger } = options;
  // One operation at a time: a flush rewrites the file, and an add must not land in the middle of it.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  /** The journal's records (the last line for a config_id wins) and the lines we could not read. */
  async function readAll(): Promise<{ records: ContactWayRecord[]; unreadable: string[] }> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
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

  return {
    add: (record) =>
      serial(async () => {
        try {
          await mkdir(dirname(path), { recursive: true });
          await appendFile(path, `${JSON.stringify(record)}\n`);
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
        const { records: pending, unreadable } = await readAll();
        if (pending.length === 0) return 0;
        const left: ContactWayRecord[] = [];
        for (const record of pending) {
          try {
            await records.put(record);
            logger.info({ configId: record.configId }, 'pending record written to the store');
          } catch {
            left.push(record);
          }
        }
        const tmp = `${path}.tmp`;
        const kept = [...left.map((r) => JSON.stringify(r)), ...unreadable];
        await writeFile(tmp, kept.map((line) => `${line}\n`).join(''));
        await rename(tmp, path);
        return pending.length - left.length;
      }),

    count: () => serial(async () => (await readAll()).records.length),
  };
}
