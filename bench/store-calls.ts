import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledEntries } from './bundle.js';
import { ROOT, runScenario } from './scenario.js';

/**
 * `npx tsx bench/store-calls.ts [N]`: counts the statements the bot sends to sqlite per creation, by kind and
 * by what the key is for (bench/count-store.mjs, preloaded into the compiled bot). The bot starts and stops
 * once with no requester and once with N (default 50) going through the bench's whole flow (command, modal,
 * submission, QR); the difference divided by N is one creation's store round trips.
 */
async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 50);
  const dir = mkdtempSync(join(tmpdir(), 'contactway-store-calls-'));
  const compiled = await compiledEntries(ROOT);
  try {
    const counted = async (requesters: number) => {
      const file = join(dir, `counts-${requesters}.json`);
      const result = await runScenario(
        {
          name: `store-calls-${requesters}`,
          kind: 'bot',
          storeUrl: (d) => `sqlite://${join(d, 'cw.sqlite')}`,
          nodeArgs: ['--import', join(ROOT, 'bench', 'count-store.mjs'), ...compiled.entries.bot],
          env: { STORE_COUNT_FILE: file },
          ...(requesters === 0 ? { readyOnly: true } : {}),
        },
        { entries: compiled.entries, n: requesters, latencyMs: 5, timeoutMs: 30_000 },
      );
      if (result.failed > 0) throw new Error(`${result.failed} requesters failed: ${result.firstError}`);
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
    };
    const idle = await counted(0);
    const busy = await counted(n);
    const rows = Object.keys({ ...idle, ...busy })
      .map((name) => ({ name, perCreation: ((busy[name] ?? 0) - (idle[name] ?? 0)) / n }))
      .filter((r) => r.perCreation > 0)
      .sort((a, b) => b.perCreation - a.perCreation);
    const total = rows.reduce((sum, r) => sum + r.perCreation, 0);
    process.stdout.write(
      `sqlite statements per creation (N=${n}, start-up subtracted): ${total.toFixed(2)}\n`,
    );
    for (const r of rows) process.stdout.write(`  ${r.perCreation.toFixed(2).padStart(6)}  ${r.name}\n`);
    process.stdout.write(
      `${JSON.stringify({ n, perCreation: Object.fromEntries(rows.map((r) => [r.name, r.perCreation])), total })}\n`,
    );
  } finally {
    compiled.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`store-calls failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
