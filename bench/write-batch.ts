import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closeKeyv,
  createAuditLog,
  createRecordStore,
  openKeyv,
  requesterKey,
  writeAll,
} from '../src/store/index.js';
import { createStateIndex } from '../src/store/state-index.js';
import { alice, makeRecord } from '../test/store/fixtures.js';

/**
 * `npx tsx bench/write-batch.ts [N]`: what a creation writes once WeCom answered (record with its index,
 * state binding, idempotency result, audit entry), the way the service did it before issue 20 (one call each,
 * the record read back first: 6 round trips) and as one batch (`writeAll`: 1). N creations (default 1000),
 * 50 at a time, alternating old and new for 3 rounds, on sqlite, and on Redis and PostgreSQL when REDIS_URL /
 * POSTGRES_URL are set. Prints wall time and this process's CPU per creation.
 */
const N = Number(process.argv[2] ?? 1000);
const AT_ONCE = 50;
const ROUNDS = 3;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'contactway-write-batch-'));
  const urls: Array<[string, string | undefined]> = [
    ['sqlite', `sqlite://${join(dir, 'store.sqlite')}`],
    ['redis', process.env.REDIS_URL],
    ['postgres', process.env.POSTGRES_URL],
  ];
  try {
    for (const [name, url] of urls) {
      if (!url) continue;
      const keyv = await openKeyv(url, { namespace: `write-batch-${process.pid}` });
      const records = createRecordStore(keyv);
      const audit = createAuditLog(keyv);
      const states = createStateIndex(keyv);
      const entry = { actor: requesterKey(alice), action: 'create', result: 'ok' } as const;
      const oneByOne = async (id: string) => {
        const record = makeRecord(id);
        await records.put(record);
        await states.bind(`s-${id}`, id);
        await keyv.set(`idem:${id}`, id, 86_400_000);
        await audit.append(entry);
      };
      const batch = async (id: string) => {
        const record = makeRecord(id);
        await writeAll([
          ...records.writesFor(record),
          states.bindWrite(`s-${id}`, id),
          { keyv, key: `idem:${id}`, value: id, ttlMs: 86_400_000 },
          audit.entryWrite(entry),
        ]);
      };
      await keyv.set('warm-up', 1);
      const old: Figures[] = [];
      const now: Figures[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        old.push(await measure((i) => oneByOne(`o${round}-${i}`)));
        now.push(await measure((i) => batch(`n${round}-${i}`)));
      }
      const show = (f: Figures) => `${f.wallMs.toFixed(2)} ms wall, ${f.cpuMs.toFixed(3)} ms CPU`;
      process.stdout.write(
        `${name.padEnd(8)}  one by one: ${show(median(old))}   batch: ${show(median(now))}   (per creation, median of ${ROUNDS})\n`,
      );
      await keyv.clear();
      await closeKeyv(keyv);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Figures {
  wallMs: number;
  cpuMs: number;
}

async function measure(create: (i: number) => Promise<void>): Promise<Figures> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let start = 0; start < N; start += AT_ONCE) {
    await Promise.all(Array.from({ length: Math.min(AT_ONCE, N - start) }, (_, j) => create(start + j)));
  }
  const used = process.cpuUsage(cpu);
  return { wallMs: (performance.now() - started) / N, cpuMs: (used.user + used.system) / 1000 / N };
}

function median(figures: Figures[]): Figures {
  const middle = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { wallMs: middle(figures.map((f) => f.wallMs)), cpuMs: middle(figures.map((f) => f.cpuMs)) };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`write-batch failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
