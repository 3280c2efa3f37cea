import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startSandbox } from '../src/sandbox/index.js';
import { type FakeDiscord, startFakeDiscord } from '../test/fixtures/discord/fake-discord.js';
import { APPLICATION_ID } from '../test/fixtures/discord/interactions.js';
import { type FakeSlack, startFakeSlack } from '../test/fixtures/slack/fake-slack.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../test/fixtures/slack/harness.js';
import type { AppEntries } from './bundle.js';
import { freePort, startChild } from './child.js';
import { runLoad } from './load.js';
import { BENCH_CALLBACK, runScanBurst, type ScanBurstResult } from './scan.js';
import { median, percentile, round } from './stats.js';
import { startWecomFront } from './wecom-front.js';

export const ROOT = join(import.meta.dirname, '..');

/** What `tsx file` runs once its CLI wrapper has spawned node: we spawn that node directly, so the pid is the app's. */
export const TSX_NODE_ARGS = [
  '--require',
  join(ROOT, 'node_modules', 'tsx', 'dist', 'preflight.cjs'),
  '--import',
  pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href,
];

/** Both apps through tsx's loader, as `npm start` ran the bot before it was compiled (`--tsx`). */
export const TSX_ENTRIES: AppEntries = {
  bot: [...TSX_NODE_ARGS, join(ROOT, 'src', 'main.ts')],
  floor: [...TSX_NODE_ARGS, join(ROOT, 'bench', 'floor.ts')],
  'same-floor': [...TSX_NODE_ARGS, join(ROOT, 'bench', 'floor-same.ts')],
};

/** The bare floor, the same-experience floor, or the bot. */
export type AppKind = keyof AppEntries;

export interface ScenarioSpec {
  /** floor, same-floor, sqlite, redis, both… */
  name: string;
  kind: AppKind;
  /** STORE_URL for the bot, given its temp folder. */
  storeUrl?: (dir: string) => string;
  /** Load the Discord adapter too, logged in to the fake Discord. */
  discord?: boolean;
  /** Node arguments up to and including the entry file; default the run's entry of `kind`. */
  nodeArgs?: string[];
  /** Extra environment for the app (e.g. TSX_DISABLE_CACHE). */
  env?: Record<string, string>;
  /** Only start the app and time it until ready; no load. */
  readyOnly?: boolean;
  /**
   * The scan burst (bot only): the N requesters create their ways with a welcome message, then N customers
   * scan them at once and WeCom's N encrypted events reach /wecom/callback together (see scan.ts).
   */
  scan?: boolean;
}

export interface RunOptions {
  /** How each kind of app is started (compiled, or through tsx). */
  entries: AppEntries;
  n: number;
  latencyMs: number;
  timeoutMs: number;
  /** Write a V8 CPU profile of the app process into this folder. */
  cpuProfDir?: string;
  /** Write each app's output to `{logDir}/{name}.log`. */
  logDir?: string;
  /** Requesters arrive at this rate (per second) instead of all at once: the sustained scenario. */
  ratePerS?: number;
}

export interface Quantiles {
  p50: number | undefined;
  p99: number | undefined;
}

export interface ScenarioResult {
  name: string;
  kind: AppKind;
  n: number;
  /** How many rounds the figures are the median of. */
  rounds?: number;
  readyMs: number | undefined;
  commandAckMs: Quantiles;
  viewsOpenMs: Quantiles;
  submitAckMs: Quantiles;
  submitToQrMs: Quantiles;
  allQrsMs: number | undefined;
  gettoken: number;
  addContactWay: number;
  /** Resident memory once ready, before any request. */
  rssAtReadyMb: number | undefined;
  peakRssMb: number | undefined;
  /** CPU time of the app process during the burst, per requester. */
  cpuMsPerRequest: number | undefined;
  /** Requests the app made to Slack during the burst (Web API, file uploads, response_url), per requester. */
  slackCallsPerRequest: number | undefined;
  /** The same by method (`upload` = the file bytes, `response_url` = ephemeral replies), in all. */
  slackCalls?: Record<string, number>;
  failed: number;
  firstError?: string;
  /** The scan burst that followed the creations, when the spec asked for it. */
  scan?: ScanBurstResult;
  /** The .cpuprofile written, and where the burst lies in it (ms before the process exited). */
  profile?: { path: string; loadFromEndMs: [number, number] };
}

/**
 * Several rounds of one scenario as one result: the median of each figure (so one round disturbed by the
 * machine's other work does not decide), the worst of gettoken calls, peak RSS and failures.
 */
export function combineRounds(rounds: ScenarioResult[]): ScenarioResult {
  const last = rounds.at(-1);
  if (!last) throw new Error('no rounds');
  const med = (get: (r: ScenarioResult) => number | undefined) => median(rounds.map(get));
  const q = (get: (r: ScenarioResult) => Quantiles): Quantiles => ({
    p50: med((r) => get(r).p50),
    p99: med((r) => get(r).p99),
  });
  const failed = rounds.reduce((sum, r) => sum + r.failed, 0);
  const firstError = rounds.find((r) => r.firstError)?.firstError;
  // The last round's profile is the one on disk: each round overwrites the app's profile folder.
  return {
    ...last,
    rounds: rounds.length,
    readyMs: med((r) => r.readyMs),
    commandAckMs: q((r) => r.commandAckMs),
    viewsOpenMs: q((r) => r.viewsOpenMs),
    submitAckMs: q((r) => r.submitAckMs),
    submitToQrMs: q((r) => r.submitToQrMs),
    // A round with a missing QR has no "all QRs" time; it must not vanish from the median unseen.
    allQrsMs: rounds.some((r) => r.allQrsMs === undefined) ? undefined : med((r) => r.allQrsMs),
    gettoken: Math.max(...rounds.map((r) => r.gettoken)),
    addContactWay: Math.max(...rounds.map((r) => r.addContactWay)),
    rssAtReadyMb: med((r) => r.rssAtReadyMb),
    peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb ?? 0)) || undefined,
    cpuMsPerRequest: med((r) => r.cpuMsPerRequest),
    slackCallsPerRequest: med((r) => r.slackCallsPerRequest),
    failed,
    ...(firstError ? { firstError } : {}),
  };
}

const quantiles = (values: (number | undefined)[]): Quantiles => {
  const known = values.filter((v): v is number => v !== undefined);
  return { p50: round(percentile(known, 50)), p99: round(percentile(known, 99)) };
};

/**
 * One app process under one burst: fresh fakes (Slack, WeCom sandbox with latency, Discord when asked), a
 * fresh temp folder, the app spawned and timed until ready, N requesters, then the process stopped.
 * Run ids make every key unique, so a shared Redis never replays an earlier run's submissions or tokens.
 */
export async function runScenario(spec: ScenarioSpec, options: RunOptions): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), `contactway-bench-${spec.name}-`));
  const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`.toUpperCase();
  const teamId = `T_B${runId}`;
  const sandbox = await startSandbox({
    latencyMs: options.latencyMs,
    corpId: `ww_bench_${runId.toLowerCase()}`,
    corpSecret: 'bench-secret',
  });
  const front = await startWecomFront(sandbox.url);
  const fake = await startFakeSlack({ token: BOT_TOKEN, teamId });
  let discord: FakeDiscord | undefined;
  try {
    discord = spec.discord ? await startFakeDiscord({ applicationId: APPLICATION_ID }) : undefined;
    const port = await freePort();
    // One folder per app: the tsx loader's worker thread writes a profile of its own next to the main one.
    const profDir = options.cpuProfDir && !spec.readyOnly ? join(options.cpuProfDir, spec.name) : undefined;
    if (profDir) rmSync(profDir, { recursive: true, force: true });
    const profiling = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
    const nodeArgs = [...profiling, ...(spec.nodeArgs ?? options.entries[spec.kind])];
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      PORT: String(port),
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      WECOM_CORP_ID: sandbox.corpId,
      WECOM_CORP_SECRET: sandbox.corpSecret,
      WECOM_API_BASE: front.url,
      // As deployed: info-level JSON logs, read (and dropped) by the bench through a pipe.
      LOG_LEVEL: 'info',
      ...(spec.storeUrl ? { STORE_URL: spec.storeUrl(dir) } : {}),
      ...(spec.scan
        ? {
            WECOM_CALLBACK_TOKEN: BENCH_CALLBACK.token,
            WECOM_CALLBACK_AES_KEY: BENCH_CALLBACK.encodingAesKey,
          }
        : {}),
      ...spec.env,
      ...(discord
        ? {
            DISCORD_TOKEN: 'bench-bot-token',
            DISCORD_APPLICATION_ID: APPLICATION_ID,
            DISCORD_API_URL: discord.apiUrl,
          }
        : {}),
    };
    // cwd is the temp folder: a developer's .env cannot change what is measured, and data/ lands there.
    const child = await startChild({
      nodeArgs,
      cwd: dir,
      env,
      healthUrl: `http://127.0.0.1:${port}/healthz`,
      alsoReady: discord?.identified,
      // Several workers: measured once all of them serve, not when the first answers /healthz.
      ...(spec.env?.WORKERS ? { readyLine: 'cluster: all workers running' } : {}),
      ...(options.logDir ? { logFile: join(options.logDir, `${spec.name}.log`) } : {}),
    });
    let stopped = false;
    try {
      const cpuBefore = child.cpuMs();
      const callsBefore = { api: fake.calls.length, responses: fake.responses.length };
      const n = spec.readyOnly ? 0 : options.n;
      const load = await runLoad({
        eventsUrl: `http://127.0.0.1:${port}/slack/events`,
        fake,
        teamId,
        signingSecret: SIGNING_SECRET,
        n,
        timeoutMs: options.timeoutMs,
        ...(options.ratePerS ? { ratePerS: options.ratePerS } : {}),
        ...(spec.scan ? { welcome: '欢迎！Welcome — bench' } : {}),
      });
      // The modal's last update and any ephemeral reply may follow the QR: they are part of the work too.
      if (n > 0) await quiet(fake);
      const cpuAfter = child.cpuMs();
      const slackCalls = countSlackCalls(fake, callsBefore);
      let scan: ScanBurstResult | undefined;
      if (spec.scan && n > 0) {
        sandbox.connectCallbacks({ url: `http://127.0.0.1:${port}/wecom/callback`, ...BENCH_CALLBACK });
        scan = await runScanBurst({
          sandbox,
          fake,
          configIds: front.configIds,
          timeoutMs: options.timeoutMs,
          cpuMs: child.cpuMs,
          countSlackCalls: (from) => countSlackCalls(fake, from),
          quiet: () => quiet(fake),
        });
      }
      const peak = child.peakRssBytes();
      const stats = sandbox.stats();
      const stopAt = Date.now();
      const code = await child.stop();
      stopped = true;
      const exitAt = Date.now();
      const failures = load.requesters.filter((r) => r.error !== undefined);
      const result: ScenarioResult = {
        name: spec.name,
        kind: spec.kind,
        n,
        readyMs: round(child.readyMs),
        commandAckMs: quantiles(load.requesters.map((r) => r.commandAckMs)),
        viewsOpenMs: quantiles(load.requesters.map((r) => r.viewsOpenMs)),
        submitAckMs: quantiles(load.requesters.map((r) => r.submitAckMs)),
        submitToQrMs: quantiles(load.requesters.map((r) => r.submitToQrMs)),
        allQrsMs: load.allQrsMs,
        gettoken: stats.gettoken,
        addContactWay: stats.calls.add_contact_way ?? 0,
        rssAtReadyMb:
          child.rssAtReadyBytes === undefined ? undefined : round(child.rssAtReadyBytes / 2 ** 20),
        peakRssMb: peak === undefined ? undefined : round(peak / 2 ** 20),
        cpuMsPerRequest:
          cpuBefore === undefined || cpuAfter === undefined
            ? undefined
            : n === 0
              ? undefined
              : round((cpuAfter - cpuBefore) / n, 2),
        slackCallsPerRequest:
          n === 0 ? undefined : round(Object.values(slackCalls).reduce((a, b) => a + b, 0) / n, 2),
        slackCalls,
        ...(scan ? { scan } : {}),
        failed: failures.length,
        ...(failures[0]?.error ? { firstError: failures[0].error } : {}),
      };
      if (code !== 0) result.firstError ??= `process exited with ${code} on SIGTERM: ${child.tail()}`;
      if (profDir && n > 0) {
        const file = mainThreadProfile(profDir, child.pid);
        if (file) {
          // The profile ends when the process exits; the burst lies this many ms before that end.
          const exitish = (stopAt + exitAt) / 2;
          result.profile = { path: file, loadFromEndMs: [exitish - load.startedAt, exitish - load.endedAt] };
        }
      }
      return result;
    } finally {
      if (!stopped) await child.stop();
    }
  } finally {
    await discord?.close();
    await fake.close();
    await front.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Default names are CPU.{date}.{time}.{pid}.{thread}.{seq}.cpuprofile; thread 0 is the main thread. */
function mainThreadProfile(dir: string, pid: number): string | undefined {
  const name = existsSync(dir) ? readdirSync(dir).find((f) => f.includes(`.${pid}.0.`)) : undefined;
  return name ? join(dir, name) : undefined;
}

/** What the app asked of the fake Slack, by method; each upload URL handed out is one more POST of bytes. */
function countSlackCalls(fake: FakeSlack, from: { api: number; responses: number }): Record<string, number> {
  const counts: Record<string, number> = {};
  const add = (key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  for (const call of fake.calls.slice(from.api)) {
    add(call.method);
    if (call.method === 'files.getUploadURLExternal') add('upload');
  }
  for (const _ of fake.responses.slice(from.responses)) add('response_url');
  return counts;
}

/** Resolves once the app has made no Slack request for 300 ms (at most 5 s). */
async function quiet(fake: FakeSlack): Promise<void> {
  const size = () => fake.calls.length + fake.responses.length;
  const until = Date.now() + 5_000;
  let last = size();
  let stableSince = Date.now();
  while (Date.now() < until && Date.now() - stableSince < 300) {
    await new Promise((r) => setTimeout(r, 50));
    if (size() !== last) {
      last = size();
      stableSince = Date.now();
    }
  }
}
