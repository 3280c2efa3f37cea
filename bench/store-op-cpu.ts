import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openKeyv } from '../src/store/open-keyv.js';

/**
 * `npx tsx bench/store-op-cpu.ts [STORE_URL]`: the process CPU (every thread: the driver's callbacks on the
 * main thread and the engine on libuv's pool) of one keyv round trip, 200 at a time as under the burst, with
 * a record the size of the bot's. Without an argument it measures a fresh sqlite file and `memory:` (keyv's
 * own cost, JSON included), so the difference is what the sqlite driver and engine cost per round trip: the
 * figure to weigh a faster binding against (times bench/store-calls.ts's round trips per creation). The main
 * thread's share is given apart: it is what competes with the requests' JavaScript.
 */
const RECORD = {
  configId: 'c'.repeat(32),
  userid: 'zhangsan',
  requester: { platform: 'slack', workspaceId: 'T0001', userId: 'U0001' },
  createdAt: new Date(0).toISOString(),
  qrCode: `https://wework.qpic.cn/wwpic/${'q'.repeat(60)}/0`,
  isTemp: true,
  expiresAt: new Date(0).toISOString(),
  state: 's'.repeat(30),
};
const CONCURRENT = 200;

/** The main thread's own user + system time, µs (Linux: its task's stat; the pool's threads not counted). */
function mainThreadCpuUs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}
const WAVES = 50;
const KEYS = 5_000;

type PerOp = Record<'set' | 'get' | 'setMain' | 'getMain', number[]>;

async function measure(url: string): Promise<PerOp> {
  const keyv = await openKeyv(url);
  let k = 0;
  const wave = (op: 'set' | 'get') =>
    Promise.all(
      Array.from({ length: CONCURRENT }, () => {
        const key = `k${k++ % KEYS}`;
        return op === 'set' ? keyv.set(key, RECORD) : keyv.get(key);
      }),
    );
  // Warm-up: the table, the JIT, the page cache.
  for (let i = 0; i < 10; i++) await wave('set');
  const perOp: PerOp = { set: [], get: [], setMain: [], getMain: [] };
  for (let trial = 0; trial < 3; trial++) {
    for (const op of ['set', 'get'] as const) {
      const before = process.cpuUsage();
      const mainBefore = mainThreadCpuUs();
      for (let i = 0; i < WAVES; i++) await wave(op);
      const used = process.cpuUsage(before);
      perOp[op].push((used.user + used.system) / (WAVES * CONCURRENT));
      perOp[`${op}Main`].push((mainThreadCpuUs() - mainBefore) / (WAVES * CONCURRENT));
    }
  }
  await keyv.disconnect();
  return perOp;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'contactway-store-op-'));
  try {
    const urls = process.argv[2] ? [process.argv[2]] : [`sqlite://${join(dir, 'cw.sqlite')}`, 'memory:'];
    for (const url of urls) {
      const perOp = await measure(url);
      const name = url.startsWith('sqlite:') ? 'sqlite' : url.replace(/\/\/.*@/, '//');
      console.log(
        `${name.padEnd(8)} process CPU per round trip (median of 3 × ${WAVES * CONCURRENT}): ` +
          `set ${median(perOp.set).toFixed(0)} µs, get ${median(perOp.get).toFixed(0)} µs; ` +
          `main thread only: set ${median(perOp.setMain).toFixed(0)} µs, get ${median(perOp.getMain).toFixed(0)} µs`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
