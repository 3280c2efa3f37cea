import { type RunOptions, runScenario, type ScenarioSpec } from './scenario.js';
import { ratio } from './stats.js';

/** Target of the sustained scenario: the bot keeps up with at least this share of the floor's rate. */
export const SUSTAINED_TARGET = 0.85;
/** Target of `--workers`: WORKERS=2 on Redis sustains at least this multiple of one process's rate. */
export const WORKERS_TARGET = 1.6;

export interface SustainedOptions {
  /** How long requesters keep arriving at one rate, s. */
  durationS: number;
  /** A rate holds when every requester got its QR and submit → QR p99 stayed under this. */
  p99LimitMs: number;
  /** The first rate tried, requesters/s. */
  fromPerS: number;
  /** Trials per app (each one fresh app process and fakes). */
  trials: number;
  log: (line: string) => void;
}

export interface SustainedTrial {
  ratePerS: number;
  n: number;
  submitToQrP99Ms: number | undefined;
  failed: number;
  held: boolean;
}

export interface SustainedResult {
  name: string;
  /** The highest rate tried that held; undefined when none did. */
  ratePerS: number | undefined;
  trials: SustainedTrial[];
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/**
 * The highest arrival rate an app sustains: requesters arrive evenly for `durationS` at a rate, each doing
 * the whole flow; the rate grows ×1.5 while it holds and, once one fails, is bisected between the last
 * that held and the first that did not, until they are within 10 % or the trials are used up.
 */
export async function findSustainedRate(
  spec: ScenarioSpec,
  run: RunOptions,
  options: SustainedOptions,
): Promise<SustainedResult> {
  const trials: SustainedTrial[] = [];
  let held: number | undefined;
  let broke: number | undefined;
  let rate = options.fromPerS;
  for (let i = 0; i < options.trials; i++) {
    const n = Math.max(1, Math.round(rate * options.durationS));
    options.log(`sustained ${spec.name}: ${rate}/s for ${options.durationS} s (${n} requesters)…`);
    const r = await runScenario(spec, { ...run, n, ratePerS: rate });
    const p99 = r.submitToQrMs.p99;
    const ok = r.failed === 0 && p99 !== undefined && p99 < options.p99LimitMs;
    trials.push({ ratePerS: rate, n, submitToQrP99Ms: p99, failed: r.failed, held: ok });
    if (ok) held = Math.max(held ?? 0, rate);
    else broke = Math.min(broke ?? Number.POSITIVE_INFINITY, rate);
    if (held !== undefined && broke !== undefined && broke / held <= 1.1) break;
    rate = round1(broke === undefined ? rate * 1.5 : held === undefined ? rate / 2 : (held + broke) / 2);
  }
  return { name: spec.name, ratePerS: held, trials };
}

/**
 * Lines for the report: each floor's sustained rate, each bot's and its ratio to the same-experience floor's
 * (the target's reference), and the trials behind them.
 */
export function renderSustained(
  floors: { bare: SustainedResult; same: SustainedResult },
  bots: SustainedResult[],
  options: Pick<SustainedOptions, 'durationS' | 'p99LimitMs'>,
): string {
  const { bare, same } = floors;
  const rate = (r: SustainedResult) => (r.ratePerS === undefined ? '–' : `${r.ratePerS}/s`);
  const width = Math.max(...[bare, same, ...bots].map((r) => r.name.length));
  const lines = [
    `sustained: highest arrival rate over ${options.durationS} s with submit → QR p99 < ${options.p99LimitMs} ms ` +
      `and no requester lost (target: bot ≥ ${SUSTAINED_TARGET}× ${same.name})`,
    `  ${bare.name.padEnd(width)} ${rate(bare)}`,
    `  ${same.name.padEnd(width)} ${rate(same)}`,
    ...bots.map((b) => {
      const x = ratio(b.ratePerS, same.ratePerS);
      const met = x === undefined ? '' : x >= SUSTAINED_TARGET ? ' ✓' : ' ✗';
      return `  ${b.name.padEnd(width)} ${rate(b)}  ×same ${x ?? '–'}${met}`;
    }),
    '  trials:',
    ...[bare, same, ...bots].map(
      (r) =>
        `    ${r.name.padEnd(width)} ` +
        r.trials
          .map(
            (t) =>
              `${t.ratePerS}/s p99 ${t.submitToQrP99Ms ?? '–'} ms${t.failed ? ` ${t.failed} lost` : ''} ${t.held ? '✓' : '✗'}`,
          )
          .join(', '),
    ),
  ];
  return lines.join('\n');
}

/** `--workers`: the workers' sustained rate against one process's, on the same store. */
export function renderWorkers(
  bots: SustainedResult[],
  oneName: string,
  workersName: string,
): string | undefined {
  const one = bots.find((b) => b.name === oneName);
  const many = bots.find((b) => b.name === workersName);
  if (!one || !many) return undefined;
  const x = ratio(many.ratePerS, one.ratePerS);
  const met = x === undefined ? '' : x >= WORKERS_TARGET ? ' ✓' : ' ✗';
  return `workers: ${workersName} ${many.ratePerS ?? '–'}/s against ${oneName} ${one.ratePerS ?? '–'}/s = ×${x ?? '–'}${met} (target ≥ ${WORKERS_TARGET}×)`;
}
