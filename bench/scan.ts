import type { Sandbox } from '../src/sandbox/index.js';
import type { FakeSlack } from '../test/fixtures/slack/fake-slack.js';
import { percentile, round } from './stats.js';

/** Issue 13's scan-burst targets: every answer within 1 s (p99), every greeting inside WeCom's 20 s. */
export const SCAN_TARGETS = { answerP99Ms: 1_000, welcomeWithinMs: 20_000 };

/** The callback secrets the bench gives the bot and the sandbox (the format WeCom's admin console hands out). */
export const BENCH_CALLBACK = {
  token: 'BenchCallbackToken1',
  encodingAesKey: 'bEnChKeyForTheScanBurst0123456789abcdefGHIJ',
};

/** A requester's DM with the app on the fake Slack: `D` + the user id without its `U` (`U_B7` → `D_B7`). */
const DM = /^D_B\d+$/;

export interface ScanBurstResult {
  /** Events posted at once, one per contact way (each way has its own requester). */
  n: number;
  /** Each event's HTTP answer: how long it took from the post. */
  answerMs: { p50: number | undefined; p99: number | undefined; max: number | undefined };
  /** Answers that were 200 `success`. */
  answeredOk: number;
  /** Requesters who got the customer-added DM (chat.postMessage to their DM with the app). */
  notified: number;
  /** Customers greeted: send_welcome_msg reached the sandbox (it records when), and how long after the post. */
  welcomed: number;
  welcomeMs: { p50: number | undefined; max: number | undefined };
  /** Greetings that reached WeCom within its 20 s of the event. */
  welcomedInTime: number;
  /** From the first post to the last requester's notification; undefined if any is missing. */
  allNotifiedMs: number | undefined;
  /** n ÷ allNotifiedMs: events fully processed (greeted, recorded, notified) per second. */
  eventsPerS: number | undefined;
  /** The bot's user + system CPU from the first post to the last Slack call, per event. */
  cpuMsPerEvent: number | undefined;
  /** What the bot asked of Slack during the scan burst, by method. */
  slackCalls: Record<string, number>;
  firstError?: string;
}

export interface ScanBurstOptions {
  sandbox: Sandbox;
  fake: FakeSlack;
  /** One contact way per requester, made through the bot with a welcome message. */
  configIds: readonly string[];
  timeoutMs: number;
  cpuMs: () => number | undefined;
  /** Counts the app's Slack calls since a mark (the scenario's own counter). */
  countSlackCalls: (from: { api: number; responses: number }) => Record<string, number>;
  /** Resolves once the app has stopped calling Slack. */
  quiet: () => Promise<void>;
}

/**
 * N customers scan N QR codes at the same moment: the sandbox (playing WeCom) posts N encrypted, signed
 * `add_external_contact` events to the bot's `/wecom/callback` at once, each with its WelcomeCode. Measured:
 * each answer, each greeting's arrival at WeCom, each requester's notification DM.
 */
export async function runScanBurst(options: ScanBurstOptions): Promise<ScanBurstResult> {
  const { sandbox, fake, configIds } = options;
  const mark = { api: fake.calls.length, responses: fake.responses.length };
  const cpuBefore = options.cpuMs();
  const startedAt = Date.now();
  const errors: string[] = [];

  const scans = await Promise.all(
    configIds.map(async (configId) => {
      const postedAt = Date.now();
      const sentAt = performance.now();
      try {
        const scan = await sandbox.scan(configId);
        const answerMs = performance.now() - sentAt;
        const ok = scan.delivered?.status === 200 && scan.delivered.body === 'success';
        if (!ok) errors.push(`event answered ${scan.delivered?.status}: ${scan.delivered?.body}`);
        return { externalUserId: scan.externalUserId, postedAt, answerMs, ok };
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
        return undefined;
      }
    }),
  );

  // The notification is the last step of an event's processing (after the greeting and the record).
  const notifiedAt = new Map<string, number>();
  const deadline = Date.now() + options.timeoutMs;
  let seen = mark.api;
  while (notifiedAt.size < configIds.length && Date.now() < deadline) {
    while (seen < fake.calls.length) {
      const call = fake.calls[seen++];
      const channel = String(call?.args.channel ?? '');
      if (call?.method === 'chat.postMessage' && call.result?.ok && DM.test(channel))
        if (!notifiedAt.has(channel)) notifiedAt.set(channel, call.at);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await options.quiet();
  const cpuAfter = options.cpuMs();
  if (notifiedAt.size < configIds.length)
    errors.push(
      `${configIds.length - notifiedAt.size} requester(s) not notified within ${options.timeoutMs} ms`,
    );

  const done = scans.filter((s) => s !== undefined);
  const welcomeDelays = done.flatMap((s) => {
    const atMs = sandbox.customer(s.externalUserId)?.welcome?.atMs;
    return atMs === undefined ? [] : [atMs - s.postedAt];
  });
  const answers = done.map((s) => s.answerMs);
  const lastNotified = Math.max(...notifiedAt.values());
  const allNotifiedMs = notifiedAt.size === configIds.length ? lastNotified - startedAt : undefined;
  return {
    n: configIds.length,
    answerMs: {
      p50: round(percentile(answers, 50)),
      p99: round(percentile(answers, 99)),
      max: round(percentile(answers, 100)),
    },
    answeredOk: done.filter((s) => s.ok).length,
    notified: notifiedAt.size,
    welcomed: welcomeDelays.length,
    welcomeMs: { p50: round(percentile(welcomeDelays, 50)), max: round(percentile(welcomeDelays, 100)) },
    welcomedInTime: welcomeDelays.filter((ms) => ms <= SCAN_TARGETS.welcomeWithinMs).length,
    allNotifiedMs,
    eventsPerS:
      allNotifiedMs === undefined ? undefined : round((configIds.length * 1000) / Math.max(1, allNotifiedMs)),
    cpuMsPerEvent:
      cpuBefore === undefined || cpuAfter === undefined || configIds.length === 0
        ? undefined
        : round((cpuAfter - cpuBefore) / configIds.length, 2),
    slackCalls: options.countSlackCalls(mark),
    ...(errors[0] ? { firstError: errors[0] } : {}),
  };
}

/** Which scan-burst targets a run met. */
export function scanTargetsMet(r: ScanBurstResult): Record<string, boolean> {
  return {
    'every answer < 1 s (p99)': r.answerMs.p99 !== undefined && r.answerMs.p99 < SCAN_TARGETS.answerP99Ms,
    'every answer 200 success': r.answeredOk === r.n,
    'every requester notified': r.notified === r.n,
    'every welcome within 20 s': r.welcomedInTime === r.n,
  };
}

/** The scan burst's lines for the report. */
export function renderScan(name: string, r: ScanBurstResult): string {
  const met = scanTargetsMet(r);
  const tick = (ok: boolean | undefined) => (ok ? '✓' : '✗');
  const fmt = (v: number | undefined) => (v === undefined ? '–' : String(v));
  return [
    `scan burst (${name}): ${r.n} encrypted add_external_contact events posted at once to /wecom/callback, ` +
      'each way with a welcome message',
    `  answers: p50 ${fmt(r.answerMs.p50)} ms, p99 ${fmt(r.answerMs.p99)} ms, max ${fmt(r.answerMs.max)} ms; ` +
      `${r.answeredOk}/${r.n} 200 success ${tick(met['every answer 200 success'])}  (target p99 < 1 s ` +
      `${tick(met['every answer < 1 s (p99)'])})`,
    `  requesters notified (DM): ${r.notified}/${r.n} ${tick(met['every requester notified'])}; all within ` +
      `${fmt(r.allNotifiedMs)} ms = ${fmt(r.eventsPerS)} events/s`,
    `  welcome messages at WeCom: ${r.welcomed}/${r.n}, ${r.welcomedInTime} within 20 s ` +
      `${tick(met['every welcome within 20 s'])} (p50 ${fmt(r.welcomeMs.p50)} ms, max ${fmt(r.welcomeMs.max)} ms ` +
      'after the post)',
    `  bot CPU per event ${fmt(r.cpuMsPerEvent)} ms; Slack calls ${JSON.stringify(r.slackCalls)}`,
    ...(r.firstError ? [`  first error: ${r.firstError}`] : []),
  ].join('\n');
}
