/**
 * A second process for the store contract: opens its own connection, says `ready`, waits for `go` on stdin so
 * parent and child write at the same moment, then puts WRITER_COUNT records for one requester.
 * Env: STORE_URL, STORE_NAMESPACE, WRITER_COUNT, WRITER_PREFIX.
 * With WRITER_MODE=take it instead takes WRITER_COUNT slots of the counter WRITER_PREFIX (ceiling WRITER_MAX),
 * all at once, and prints `taken {n}`.
 */
import { once } from 'node:events';
import { closeKeyv, createRecordStore, createSlotCounter, openKeyv } from '../../src/store/index.js';
import { alice, at, makeRecord } from './fixtures.js';

const keyv = await openKeyv(process.env.STORE_URL ?? '', { namespace: process.env.STORE_NAMESPACE ?? '' });
const records = createRecordStore(keyv);
const count = Number(process.env.WRITER_COUNT ?? '0');
const prefix = process.env.WRITER_PREFIX ?? 'child';

await records.get('warm-up'); // connect (and create the table) before the race starts
process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.destroy(); // an open stdin would keep this process alive after the writes
if (process.env.WRITER_MODE === 'take') {
  const slots = createSlotCounter(keyv);
  const max = Number(process.env.WRITER_MAX ?? '0');
  const taken = await Promise.all(Array.from({ length: count }, () => slots.take(prefix, max, 60_000)));
  process.stdout.write(`taken ${taken.filter(Boolean).length}\n`);
} else {
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      records.put(makeRecord(`${prefix}-${i}`, alice, { createdAt: at(i) })),
    ),
  );
}
await closeKeyv(keyv);
process.stdout.write('done\n');
