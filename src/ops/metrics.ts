import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CallOutcome } from '../wecom/index.js';
import { REFUSAL_REASONS, type RefusalReason } from './refusals.js';

/** How a command run ended, as counted: `ok`, or why it did not. */
export type CommandOutcome = 'ok' | 'error' | 'invalid' | 'denied' | 'not_found' | 'rate_limited';

/**
 * The bot's Prometheus metrics, in a registry of their own (one per core, so tests in one process never
 * share counters). Names and labels are documented in the README's Operations section.
 */
export interface Metrics {
  readonly registry: Registry;
  /** One command run ended. */
  commandFinished(info: { command: string; outcome: CommandOutcome; ms: number }): void;
  /** The WeCom client's `onCall` hook: one HTTP attempt, gettoken included. */
  wecomCall(info: { endpoint: string; errcode: CallOutcome; ms: number }): void;
  /** Requests being handled now. */
  inFlight(count: number): void;
  /** A WeCom callback request was refused (the receiver's `refused` hook). */
  callbackRefused(reason: RefusalReason): void;
  /**
   * Adds the standard `process_*` and `nodejs_*` metrics (CPU, memory, event-loop lag, handles). Once per
   * process: they describe the process, not one core, and they start an event-loop monitor.
   */
  collectProcessMetrics(): void;
  /** The exposition text and its content type, for `GET /metrics`. */
  render(): Promise<{ contentType: string; text: string }>;
}

/** Seconds: a command waits on WeCom and the store, a few of them on Slack or Discord too. */
const COMMAND_BUCKETS_S = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds: one HTTP attempt to WeCom, bounded by WECOM_TIMEOUT_MS (10 s by default). */
const WECOM_BUCKETS_S = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsOptions {
  /**
   * What GET /metrics shows instead of this registry alone: a worker of several behind one PORT (src/cluster)
   * answers with the whole fleet's, given this registry to report.
   */
  render?: (registry: Registry) => () => Promise<{ contentType: string; text: string }>;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const renderFleet = options.render?.(registry);
  const registers = [registry];
  const commands = new Counter({
    name: 'contactway_commands_total',
    help: 'Command runs by command name and outcome (ok, error, invalid, denied, not_found, rate_limited).',
    labelNames: ['command', 'outcome'] as const,
    registers,
  });
  const commandSeconds = new Histogram({
    name: 'contactway_command_duration_seconds',
    help: 'Time from the start of a command run to its reply, by command name.',
    labelNames: ['command'] as const,
    buckets: COMMAND_BUCKETS_S,
    registers,
  });
  const wecomCalls = new Counter({
    name: 'contactway_wecom_calls_total',
    help: 'HTTP attempts to WeCom by endpoint and errcode (0 = success; http, timeout, network = no WeCom answer).',
    labelNames: ['endpoint', 'errcode'] as const,
    registers,
  });
  const wecomSeconds = new Histogram({
    name: 'contactway_wecom_call_duration_seconds',
    help: 'Duration of one HTTP attempt to WeCom, by endpoint.',
    labelNames: ['endpoint'] as const,
    buckets: WECOM_BUCKETS_S,
    registers,
  });
  const tokenRefreshes = new Counter({
    name: 'contactway_wecom_token_refreshes_total',
    help: 'gettoken calls made by this instance, by outcome (ok or failed).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const inFlight = new Gauge({
    name: 'contactway_requests_in_flight',
    help: 'Chat requests being handled now; shutdown waits for them.',
    registers,
  });
  const callbacksRefused = new Counter({
    name: 'contactway_callback_refused_total',
    help: 'WeCom callback requests refused, by reason (signature, stale, replayed_nonce, too_large, slow_body, malformed, decrypt).',
    labelNames: ['reason'] as const,
    registers,
  });
  // Every reason from the start at 0: an alert on a rate needs the series before the first refusal.
  for (const reason of REFUSAL_REASONS) callbacksRefused.inc({ reason }, 0);
  return {
    registry,
    commandFinished({ command, outcome, ms }) {
      commands.inc({ command, outcome });
      commandSeconds.observe({ command }, ms / 1000);
    },
    wecomCall({ endpoint, errcode, ms }) {
      wecomCalls.inc({ endpoint, errcode: String(errcode) });
      wecomSeconds.observe({ endpoint }, ms / 1000);
      if (endpoint === 'gettoken') tokenRefreshes.inc({ outcome: errcode === 0 ? 'ok' : 'failed' });
    },
    inFlight(count) {
      inFlight.set(count);
    },
    callbackRefused(reason) {
      callbacksRefused.inc({ reason });
    },
    collectProcessMetrics() {
      collectDefaultMetrics({ register: registry });
    },
    async render() {
      if (renderFleet) return renderFleet();
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}
