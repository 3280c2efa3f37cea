import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledEntries } from './bundle.js';
import { type AppKind, ROOT, runScenario } from './scenario.js';

/**
 * `npx tsx bench/heap-burst.ts [N] [SOCKETS]`: what the bot holds in its heap beyond the same-experience
 * floor, at rest and with a burst in flight. Each app (compiled, as the bench runs it) gets a burst of N
 * (default 200) and is snapshotted twice by bench/heap-probe.mjs, preloaded: when the first request arrives
 * and the first time it holds SOCKETS open TCP sockets (default N/2). Each snapshot
 * is taken after V8's full GC, so it counts what is live, not garbage: the difference between the two is
 * what the requests in flight hold. Reported: live heap per app, and the kinds of objects the bot holds more
 * of than the floor. Latency figures of these runs mean nothing (a snapshot stops the process for seconds).
 */
const APPS: AppKind[] = ['same-floor', 'bot'];

/** Self size and count by kind of object: V8's type and constructor name (strings and code lumped). */
type Census = Map<string, { bytes: number; count: number }>;

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

function census(path: string): { total: number; kinds: Census } {
  const s = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshotFile;
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const types = s.snapshot.meta.node_types[0];
  const kinds: Census = new Map();
  let total = 0;
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt] as number] ?? '?';
    const name = s.strings[s.nodes[i + nameAt] as number] ?? '';
    const kind = type.includes('string')
      ? '(strings)'
      : type === 'code'
        ? '(compiled code)'
        : type === 'number'
          ? '(heap numbers)'
          : `${type} ${name}`.slice(0, 70);
    const bytes = s.nodes[i + sizeAt] as number;
    total += bytes;
    const k = kinds.get(kind) ?? { bytes: 0, count: 0 };
    k.bytes += bytes;
    k.count += 1;
    kinds.set(kind, k);
  }
  return { total, kinds };
}

/** `b − a` per kind, largest growth first. */
function growth(a: Census, b: Census): { kind: string; bytes: number; count: number }[] {
  const kinds = new Set([...a.keys(), ...b.keys()]);
  return [...kinds]
    .map((kind) => ({
      kind,
      bytes: (b.get(kind)?.bytes ?? 0) - (a.get(kind)?.bytes ?? 0),
      count: (b.get(kind)?.count ?? 0) - (a.get(kind)?.count ?? 0),
    }))
    .sort((x, y) => y.bytes - x.bytes);
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(2);

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200);
  const sockets = Number(process.argv[3] ?? Math.ceil(n / 2));
  const dir = mkdtempSync(join(tmpdir(), 'contactway-heap-'));
  const compiled = await compiledEntries(ROOT);
  try {
    const snapshots: Record<string, { rest: string; burst: string }> = {};
    for (const kind of APPS) {
      const prefix = join(dir, kind);
      console.error(
        `${kind}: a burst of ${n}, snapshots at the first request and at ${sockets} open sockets…`,
      );
      const result = await runScenario(
        {
          name: `heap-${kind}`,
          kind,
          ...(kind === 'bot' ? { storeUrl: (d: string) => `sqlite://${join(d, 'cw.sqlite')}` } : {}),
          nodeArgs: ['--import', join(ROOT, 'bench', 'heap-probe.mjs'), ...compiled.entries[kind]],
          env: { HEAP_PROBE_FILE: prefix, HEAP_PROBE_AT: String(sockets) },
        },
        { entries: compiled.entries, n, latencyMs: 50, timeoutMs: 120_000 },
      );
      const probe = (
        existsSync(`${prefix}.json`) ? JSON.parse(readFileSync(`${prefix}.json`, 'utf8')) : { mostSockets: 0 }
      ) as { mostSockets: number };
      const [rest, burst] = [`${prefix}-rest.heapsnapshot`, `${prefix}-burst.heapsnapshot`];
      if (!existsSync(rest) || !existsSync(burst))
        throw new Error(
          `${kind}: no snapshot; at most ${probe.mostSockets} sockets were open: ask for fewer`,
        );
      if (result.failed > 0) console.error(`${kind}: ${result.failed} requesters failed (ignored)`);
      snapshots[kind] = { rest, burst };
    }

    const floor = snapshots['same-floor'];
    const bot = snapshots.bot;
    if (!floor || !bot) throw new Error('missing snapshots');
    const [floorRest, floorBurst, botRest, botBurst] = [floor.rest, floor.burst, bot.rest, bot.burst].map(
      census,
    );
    if (!floorRest || !floorBurst || !botRest || !botBurst) throw new Error('missing census');

    console.log(`\nlive heap after a full GC, MB (burst of ${n}, snapshot at ≥ ${sockets} open sockets)`);
    console.log('                      same-floor      bot   bot − same');
    const row = (label: string, f: number, b: number) =>
      console.log(
        `${label.padEnd(20)}  ${mb(f).padStart(10)}  ${mb(b).padStart(7)}  ${mb(b - f).padStart(11)}`,
      );
    row('at rest', floorRest.total, botRest.total);
    row('with the burst', floorBurst.total, botBurst.total);
    row('held by the burst', floorBurst.total - floorRest.total, botBurst.total - botRest.total);

    const table = (title: string, rows: { kind: string; bytes: number; count: number }[]) => {
      console.log(`\n${title}`);
      for (const r of rows.slice(0, 20))
        console.log(`${mb(r.bytes).padStart(8)} MB ${String(r.count).padStart(8)}  ${r.kind}`);
    };
    table('at rest, bot − same-floor (MB, objects, kind)', growth(floorRest.kinds, botRest.kinds));
    // What the burst adds in the bot, minus what it adds in the floor: the bot's own per-request state.
    const floorHeld = new Map(growth(floorRest.kinds, floorBurst.kinds).map((r) => [r.kind, r]));
    const botHeld = growth(botRest.kinds, botBurst.kinds).map((r) => ({
      kind: r.kind,
      bytes: r.bytes - (floorHeld.get(r.kind)?.bytes ?? 0),
      count: r.count - (floorHeld.get(r.kind)?.count ?? 0),
    }));
    table(
      'held by the burst, bot − same-floor (MB, objects, kind)',
      botHeld.sort((a, b) => b.bytes - a.bytes),
    );
  } finally {
    compiled.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
