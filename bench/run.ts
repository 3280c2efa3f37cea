import { mkdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { compiledEntries } from './bundle.js';
import { type BenchOptions, parseOptions, USAGE } from './options.js';
import { type ProfileSummary, summariseProfile } from './profile.js';
import { redisReachable } from './redis-check.js';
import { renderTable, targetsMet } from './report.js';
import { renderScan, type ScanBurstResult, scanTargetsMet } from './scan.js';
import {
  combineRounds,
  ROOT,
  type RunOptions,
  runScenario,
  type ScenarioResult,
  type ScenarioSpec,
  TSX_ENTRIES,
} from './scenario.js';
import { findSustainedRate, renderSustained, renderWorkers, type SustainedResult } from './sustained.js';

/**
 * `npm run bench`: two floors — the bare Bolt app (bench/floor.ts) and the same-experience one
 * (bench/floor-same.ts: the bot's Slack calls and one durable write) — and the real bot (compiled, Slack over
 * HTTP), one after the other, each against fresh local fakes of Slack and WeCom (the sandbox with added
 * latency) under the same burst of N simultaneous requesters. Prints a table with every figure's ratio to the
 * same-experience floor, then one JSON line.
 */
async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    process.exit(2);
  }
  const notes: string[] = [];
  const loadBefore = loadavg()[0] ?? 0;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const cpuProfDir = options.cpuProf ? join(ROOT, 'bench', 'profiles') : undefined;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const compiled = await compiledEntries(ROOT);
  process.once('exit', compiled.dispose);
  const run: RunOptions = {
    entries: options.tsx ? TSX_ENTRIES : compiled.entries,
    n: options.n,
    latencyMs: options.latencyMs,
    timeoutMs: options.timeoutMs,
    cpuProfDir,
  };

  const sqlite: ScenarioSpec = {
    name: 'sqlite',
    kind: 'bot',
    storeUrl: (dir) => `sqlite://${join(dir, 'cw.sqlite')}`,
  };
  const redis: ScenarioSpec = { name: 'redis', kind: 'bot', storeUrl: () => options.redisUrl };
  // No database at all: the bot's CPU against sqlite's tells what the driver costs in a burst.
  const memory: ScenarioSpec = { name: 'memory', kind: 'bot', storeUrl: () => 'memory:' };
  const workers: ScenarioSpec | undefined =
    options.workers > 1
      ? { ...redis, name: `redis-w${options.workers}`, env: { WORKERS: String(options.workers) } }
      : undefined;
  const wanted: ScenarioSpec[] = workers
    ? [redis, workers]
    : options.all
      ? [sqlite, redis, { ...sqlite, name: 'both', discord: true }]
      : [
          {
            ...(options.store === 'redis' ? redis : options.store === 'memory' ? memory : sqlite),
            ...(options.both ? { name: 'both', discord: true } : {}),
          },
        ];
  const onRedis = (s: ScenarioSpec) => s.storeUrl === redis.storeUrl;
  let scenarios = wanted;
  if (wanted.some(onRedis) && !(await redisReachable(options.redisUrl))) {
    notes.push(`Redis at ${options.redisUrl} is not reachable: the scenarios on Redis were skipped.`);
    log(notes[0] ?? '');
    scenarios = wanted.filter((s) => !onRedis(s));
  }

  // Untimed: warms the OS file cache and tsx's transform cache, so the first measured start is not the
  // only one to read node_modules from disk.
  if (!options.quick) {
    log('warming up (start and stop each app once)…');
    await runScenario({ ...sqlite, name: 'warmup-bot', readyOnly: true }, run);
    await runScenario({ name: 'warmup-floor', kind: 'floor', readyOnly: true }, run);
    await runScenario({ name: 'warmup-same-floor', kind: 'same-floor', readyOnly: true }, run);
  }

  // Floors and bot alternate, so a disturbance on the machine tends to hit all of them rather than one.
  const floorSpec: ScenarioSpec = { name: 'floor', kind: 'floor' };
  const sameFloorSpec: ScenarioSpec = { name: 'same-floor', kind: 'same-floor' };
  const rounds = new Map<string, ScenarioResult[]>();
  for (let round = 1; round <= options.rounds; round++) {
    for (const spec of [floorSpec, sameFloorSpec, ...scenarios]) {
      log(`round ${round}/${options.rounds}: ${spec.name}, N=${options.n}…`);
      const result = await runScenario(spec, run);
      rounds.set(spec.name, [...(rounds.get(spec.name) ?? []), result]);
    }
  }
  const floor = combineRounds(rounds.get('floor') ?? []);
  const sameFloor = combineRounds(rounds.get('same-floor') ?? []);
  const bots = scenarios.map((spec) => combineRounds(rounds.get(spec.name) ?? []));

  // Start-up the way `npm start` ran before it compiled: tsx with its transform cache, and without.
  let tsx: ScenarioResult | undefined;
  let cold: ScenarioResult | undefined;
  if (!options.quick) {
    log('ready-time variants (tsx; tsx without its cache)…');
    const viaTsx = { ...sqlite, readyOnly: true, nodeArgs: TSX_ENTRIES.bot };
    tsx = await runScenario({ ...viaTsx, name: 'tsx' }, run);
    cold = await runScenario({ ...viaTsx, name: 'tsx-nocache', env: { TSX_DISABLE_CACHE: '1' } }, run);
  }

  // The scan burst: the bot only (the floors have no callbacks), once per store.
  const scans: { name: string; result: ScanBurstResult | undefined; failed: number; firstError?: string }[] =
    [];
  if (options.scanN > 0) {
    for (const spec of scenarios) {
      log(`scan burst: ${spec.name}, ${options.scanN} ways created, then ${options.scanN} events at once…`);
      const r = await runScenario(
        { ...spec, scan: true },
        { ...run, n: options.scanN, cpuProfDir: undefined },
      );
      scans.push({
        name: spec.name,
        result: r.scan,
        failed: r.failed,
        ...(r.firstError ? { firstError: r.firstError } : {}),
      });
      if (r.failed > 0) notes.push(`scan ${spec.name}: ${r.failed} ways not created, first: ${r.firstError}`);
    }
  }

  // The sustained scenario: each app alone, the rate searched for, floors first.
  const sustainedOptions = { durationS: options.sustainedS, p99LimitMs: 2_000 };
  let sustained: { floor: SustainedResult; sameFloor: SustainedResult; bots: SustainedResult[] } | undefined;
  if (options.sustainedS > 0) {
    const search = {
      ...sustainedOptions,
      fromPerS: options.sustainedFrom,
      trials: options.sustainedTrials,
      log,
    };
    const noProfile = { ...run, cpuProfDir: undefined };
    const floorRate = await findSustainedRate(floorSpec, noProfile, search);
    const sameFloorRate = await findSustainedRate(sameFloorSpec, noProfile, search);
    const botRates: SustainedResult[] = [];
    for (const spec of scenarios) botRates.push(await findSustainedRate(spec, noProfile, search));
    sustained = { floor: floorRate, sameFloor: sameFloorRate, bots: botRates };
  }

  const profiles: Record<string, ProfileSummary> = {};
  for (const r of [floor, sameFloor, ...bots]) {
    if (r.profile) profiles[r.name] = summariseProfile(r.profile.path, ROOT, r.profile.loadFromEndMs);
  }
  for (const r of [floor, sameFloor, ...bots]) {
    if (r.failed > 0)
      notes.push(`${r.name}: ${r.failed} of ${r.n} requesters failed, first: ${r.firstError}`);
  }

  const loadAfter = loadavg()[0] ?? 0;
  const out = process.stdout;
  out.write(
    `\ncontactway bench — N=${options.n} simultaneous requesters, WeCom latency ${options.latencyMs} ms/call, ` +
      `node ${process.version}, ${availableParallelism()} CPUs, load average ${loadBefore.toFixed(1)} → ` +
      `${loadAfter.toFixed(1)}, median of ${options.rounds} round(s)\n\n`,
  );
  out.write(`${renderTable({ bare: floor, same: sameFloor }, bots)}\n\n`);
  if (sustained) {
    const floors = { bare: sustained.floor, same: sustained.sameFloor };
    out.write(`${renderSustained(floors, sustained.bots, sustainedOptions)}\n\n`);
    if (workers) {
      const line = renderWorkers(sustained.bots, redis.name, workers.name);
      if (line) out.write(`${line}\n\n`);
    }
  }
  for (const s of scans) if (s.result) out.write(`${renderScan(s.name, s.result)}\n\n`);
  if (tsx && cold) {
    out.write(
      `the bot through tsx instead (as npm start ran it before it compiled): ready ${tsx.readyMs} ms, ` +
        `RSS ${tsx.rssAtReadyMb} MB; with a cold transform cache: ready ${cold.readyMs} ms\n`,
    );
  }
  for (const [name, p] of Object.entries(profiles)) out.write(`\n${renderProfile(name, p, options.n)}\n`);
  for (const note of notes) out.write(`note: ${note}\n`);
  out.write(
    `${JSON.stringify({
      bench: 'contactway',
      at: new Date().toISOString(),
      node: process.version,
      cpus: availableParallelism(),
      n: options.n,
      rounds: options.rounds,
      latencyMs: options.latencyMs,
      loadAverage: [loadBefore, loadAfter],
      floor,
      sameFloor,
      scenarios: bots,
      runtime: options.tsx ? 'tsx' : 'compiled',
      readyTsxMs: tsx?.readyMs,
      rssAtReadyTsxMb: tsx?.rssAtReadyMb,
      readyTsxColdMs: cold?.readyMs,
      // Against the same-experience floor (issue 20).
      targets: targetsMet(sameFloor, bots),
      ...(scans.length > 0
        ? {
            scan: scans.map((s) => ({
              name: s.name,
              ...s.result,
              ...(s.result ? { targets: scanTargetsMet(s.result) } : {}),
              creationsFailed: s.failed,
            })),
          }
        : {}),
      ...(sustained ? { sustained } : {}),
      ...(Object.keys(profiles).length > 0 ? { profiles } : {}),
      notes,
    })}\n`,
  );
}

function renderProfile(name: string, p: ProfileSummary, n: number): string {
  const perRequest = (ms: number) => Math.round((ms / n) * 100) / 100;
  return [
    `profile ${name} (burst of ${p.windowMs} ms): busy ${p.busyMs} ms = ${perRequest(p.busyMs)} ms/request; ` +
      `our code incl. callees ${p.oursInclusiveMs} ms = ${perRequest(p.oursInclusiveMs)} ms/request ` +
      `(own frames ${p.oursSelfMs} ms)`,
    '  self time by place:',
    ...p.byPlace.map((e) => `    ${String(e.selfMs).padStart(8)} ms  ${e.place}`),
    '  our functions, inclusive:',
    ...p.ourFunctions.map((e) => `    ${String(e.inclusiveMs).padStart(8)} ms  ${e.fn}`),
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
