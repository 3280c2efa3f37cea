import type Keyv from 'keyv';
import type { Logger } from '../base/logger.js';
import type { WecomClient } from '../wecom/index.js';
import { createOpsAccess } from './access.js';
import { type CommandObserver, createCommandObserver } from './command-observer.js';
import { createOpsHandler, type OpsHandler } from './http.js';
import { createInFlight, type InFlight } from './in-flight.js';
import type { Metrics } from './metrics.js';
import { createReadiness, type Readiness, type ReadinessOptions } from './readiness.js';

export { requestLogFields, withRequestScope } from '../base/request-scope.js';
export { isDirectLoopback, isLoopbackAddress } from './access.js';
export type { CommandObserver, CommandResult } from './command-observer.js';
export { HEALTH_PATH, METRICS_PATH, OPS_PATHS, type OpsHandler, READY_PATH } from './http.js';
export { type InFlight, RESTARTING } from './in-flight.js';
export { type CommandOutcome, createMetrics, type Metrics, type MetricsOptions } from './metrics.js';
export type { ReadinessReport } from './readiness.js';
export { type OpsServer, startOpsServer } from './server.js';

/** What operations need from the core, wired once in startCore and shared by every adapter. */
export interface Ops {
  metrics: Metrics;
  /** Requests in flight, and whether new ones are still taken (shutdown drains it). */
  requests: InFlight;
  readiness: Readiness;
  /** Handed to every CommandContext: counts, times and logs each command run. */
  commands: CommandObserver;
  /**
   * /healthz, /readyz and /metrics as one Node request handler, for OPS_HOST:OPS_PORT (an internal port):
   * open to whoever reaches it, unless METRICS_TOKEN is set.
   */
  handler: OpsHandler;
  /**
   * The same routes for PORT, which Slack and WeCom (so anyone) reach when no OPS_PORT exists: /healthz
   * open, /readyz open but only its status unless granted, /metrics only when granted (see `OpsAccess`:
   * METRICS_TOKEN when set, else a request straight from this host).
   */
  publicHandler: OpsHandler;
}

export interface OpsOptions {
  metrics: Metrics;
  keyv: Keyv;
  wecom: Pick<WecomClient, 'accessToken'>;
  logger: Logger;
  readiness?: Pick<ReadinessOptions, 'cacheMs' | 'timeoutMs' | 'now'>;
  /** METRICS_TOKEN: when set, /metrics (and /readyz's details) need it as a Bearer token on every port. */
  metricsToken?: string | undefined;
}

export function createOps(options: OpsOptions): Ops {
  const { metrics, logger, metricsToken } = options;
  const requests = createInFlight({ onChange: (count) => metrics.inFlight(count) });
  const readiness = createReadiness({
    keyv: options.keyv,
    wecom: options.wecom,
    draining: () => requests.draining,
    ...options.readiness,
  });
  return {
    metrics,
    requests,
    readiness,
    commands: createCommandObserver({ metrics, logger }),
    handler: createOpsHandler({
      metrics,
      readiness,
      logger,
      ...(metricsToken === undefined ? {} : { access: createOpsAccess({ metricsToken }) }),
    }),
    publicHandler: createOpsHandler({
      metrics,
      readiness,
      logger,
      access: createOpsAccess({ metricsToken }),
    }),
  };
}
