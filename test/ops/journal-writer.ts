/**
 * A second (and third) process for the shared-journal test: appends WRITER_COUNT records to JOURNAL_PATH
 * while, with FLUSH=1, flushing the journal into the sqlite store at STORE_URL in a loop, every third store
 * write failing so records also go back into the journal. Says `ready`, starts on `go` (stdin), prints
 * `appended` once its records are in; a flusher keeps flushing until `stop`, then prints `done`.
 * Env: JOURNAL_PATH, STORE_URL, WRITER_COUNT, WRITER_PREFIX, FLUSH.
 */
import { createInterface } from 'node:readline';
import { createLogger } from '../../src/base/logger.js';
import { createPendingRecords } from '../../src/service/pending-records.js';
import { closeKeyv, createRecordStore, openKeyv, type RecordStore } from '../../src/store/index.js';
import { alice, at, makeRecord } from '../store/fixtures.js';

const count = Number(process.env.WRITER_COUNT ?? '0');
const prefix = process.env.WRITER_PREFIX ?? 'child';
const flushing = process.env.FLUSH === '1';
const pending = createPendingRecords({
  path: process.env.JOURNAL_PATH ?? '',
  logger: createLogger({ level: 'silent' }),
});
const keyv = await openKeyv(process.env.STORE_URL ?? 'memory:');
const store = createRecordStore(keyv);
let writes = 0;
// The real store, failing one write in three as a flaky backend does.
const flaky: RecordStore = {
  ...store,
  put: (record) =>
    ++writes % 3 === 0 ? Promise.reject(new Error('store unavailable (test)')) : store.put(record),
};

const lines = createInterface({ input: process.stdin });
const said = (word: string) =>
  new Promise<void>((resolve) => lines.on('line', (line) => line === word && resolve()));
const go = said('go');
const stop = said('stop');
await store.get('warm-up'); // create the table before the race starts
process.stdout.write('ready\n');
await go;

let stopped = false;
void stop.then(() => {
  stopped = true;
});
const flushLoop = (async () => {
  while (flushing && !stopped) await pending.flush(flaky);
})();
for (let i = 0; i < count; i++) await pending.add(makeRecord(`${prefix}-${i}`, alice, { createdAt: at(i) }));
process.stdout.write('appended\n');
await flushLoop;
lines.close();
await closeKeyv(keyv);
process.stdout.write('done\n');
