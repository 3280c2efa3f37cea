import type { ScenarioResult } from './scenario.js';
import { ratio } from './stats.js';

export interface Targets {
  /** Ratio to the same-experience floor, at most. */
  ackP99: number;
  allQrs: number;
  cpu: number;
  gettoken: number;
  /** MB above the same-experience floor's, at most. */
  peakRssOverFloorMb: number;
  rssAtReadyOverFloorMb: number;
  readyMs: number;
}

/** Issue 13's targets; since issue 20, against the same-experience floor (bench/floor-same.ts). */
export const TARGETS: Targets = {
  ackP99: 1.2,
  allQrs: 1.2,
  cpu: 1.3,
  gettoken: 1,
  peakRssOverFloorMb: 40,
  rssAtReadyOverFloorMb: 25,
  readyMs: 1000,
};

const plus = (v: number | undefined, mb: number) => (v === undefined ? undefined : v + mb);

/** One figure of the table: how to read it from a result and which target (if any) it carries. */
interface Row {
  label: string;
  get(r: ScenarioResult): number | undefined;
  target?: string;
  /** undefined = no target for this figure in this scenario. */
  met?(bot: ScenarioResult, floor: ScenarioResult): boolean | undefined;
}

const le = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? false : a <= b;

export const ROWS: Row[] = [
  {
    label: 'ready after start (ms)',
    get: (r) => r.readyMs,
    target: `≤ ${TARGETS.readyMs}`,
    met: (b) => le(b.readyMs, TARGETS.readyMs),
  },
  {
    label: 'command ack p50 (ms)',
    get: (r) => r.commandAckMs.p50,
  },
  {
    label: 'command ack p99 (ms)',
    get: (r) => r.commandAckMs.p99,
    target: `≤ ${TARGETS.ackP99}× same`,
    met: (b, f) => le(ratio(b.commandAckMs.p99, f.commandAckMs.p99), TARGETS.ackP99),
  },
  { label: 'command → views.open p50 (ms)', get: (r) => r.viewsOpenMs.p50 },
  { label: 'command → views.open p99 (ms)', get: (r) => r.viewsOpenMs.p99 },
  { label: 'submit ack p50 (ms)', get: (r) => r.submitAckMs.p50 },
  {
    label: 'submit ack p99 (ms)',
    get: (r) => r.submitAckMs.p99,
    target: `≤ ${TARGETS.ackP99}× same`,
    met: (b, f) => le(ratio(b.submitAckMs.p99, f.submitAckMs.p99), TARGETS.ackP99),
  },
  { label: 'submit → QR in Slack p50 (ms)', get: (r) => r.submitToQrMs.p50 },
  { label: 'submit → QR in Slack p99 (ms)', get: (r) => r.submitToQrMs.p99 },
  {
    label: 'all N QRs in Slack (ms)',
    get: (r) => r.allQrsMs,
    target: `≤ ${TARGETS.allQrs}× same`,
    met: (b, f) => le(ratio(b.allQrsMs, f.allQrsMs), TARGETS.allQrs),
  },
  {
    label: 'gettoken calls',
    get: (r) => r.gettoken,
    target: `= ${TARGETS.gettoken}`,
    met: (b) => b.gettoken === TARGETS.gettoken,
  },
  { label: 'add_contact_way calls', get: (r) => r.addContactWay },
  {
    label: 'RSS once ready (MB)',
    get: (r) => r.rssAtReadyMb,
    target: `≤ same + ${TARGETS.rssAtReadyOverFloorMb}`,
    met: (b, f) => le(b.rssAtReadyMb, plus(f.rssAtReadyMb, TARGETS.rssAtReadyOverFloorMb)),
  },
  {
    label: 'peak RSS (MB)',
    get: (r) => r.peakRssMb,
    target: `≤ same + ${TARGETS.peakRssOverFloorMb}`,
    met: (b, f) => le(b.peakRssMb, plus(f.peakRssMb, TARGETS.peakRssOverFloorMb)),
  },
  {
    label: 'CPU per request (ms)',
    get: (r) => r.cpuMsPerRequest,
    target: `≤ ${TARGETS.cpu}× same`,
    met: (b, f) => le(ratio(b.cpuMsPerRequest, f.cpuMsPerRequest), TARGETS.cpu),
  },
  { label: 'Slack requests per requester', get: (r) => r.slackCallsPerRequest },
  { label: 'failed requesters', get: (r) => r.failed },
];

const fmt = (v: number | undefined) => (v === undefined ? '–' : String(v));
const mark = (m: boolean | undefined) => (m === undefined ? '' : m ? ' ✓' : ' ✗');

/**
 * The two floors a run measures: the bare Bolt app (bench/floor.ts) and the same-experience one
 * (bench/floor-same.ts), which makes the bot's Slack calls and one durable write. Targets and ratios are
 * against the same-experience floor: what the bot adds beyond what its experience needs from Slack.
 */
export interface Floors {
  bare: ScenarioResult;
  same: ScenarioResult;
}

/**
 * The readable table: one row per figure, the bare floor, the same-experience floor, then each scenario with
 * its ratio to the same-experience floor.
 */
export function renderTable(floors: Floors, bots: ScenarioResult[]): string {
  const { bare, same } = floors;
  const header = ['figure', bare.name, same.name, ...bots.flatMap((b) => [b.name, '×same']), 'target'];
  const lines = ROWS.map((row) => [
    row.label,
    fmt(row.get(bare)),
    fmt(row.get(same)),
    ...bots.flatMap((b) => [
      `${fmt(row.get(b))}${mark(row.met?.(b, same))}`,
      fmt(ratio(row.get(b), row.get(same))),
    ]),
    row.target ?? '',
  ]);
  const table = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...table.map((cells) => (cells[i] ?? '').length)));
  const render = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [
    render(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...lines.map(render),
    `×same and the targets: against ${same.name}, the same-experience floor (${bare.name} is the bare one)`,
  ].join('\n');
}

/** Which targets each scenario met, against the same-experience floor: `{ sqlite: { 'command ack p99 (ms)': true, … } }`. */
export function targetsMet(floor: ScenarioResult, bots: ScenarioResult[]) {
  return Object.fromEntries(
    bots.map((b) => [
      b.name,
      Object.fromEntries(
        ROWS.flatMap((row) => {
          const met = row.met?.(b, floor);
          return met === undefined ? [] : [[row.label, met]];
        }),
      ),
    ]),
  );
}
