/**
 * What the primary and its workers tell each other over the cluster's channel, and the one variable the
 * primary sets for a worker: its slot (0 … WORKERS-1), kept by the worker that replaces it.
 */
export const SLOT_ENV = 'CONTACTWAY_WORKER_SLOT';

export type WorkerMessage =
  /** Worker → primary: the bot is started and serving. */
  | { contactway: 'ready' }
  /** Primary → worker: drain the requests in flight and exit, as on that signal. */
  | { contactway: 'stop'; signal: string }
  /** Worker → primary: the fleet's metrics, please (a scrape of /metrics reached this worker). */
  | { contactway: 'metrics'; id: number }
  /** Primary → worker: every worker's metrics, summed (src/cluster/fleet-metrics.ts), or why not. */
  | { contactway: 'metrics'; id: number; text?: string; error?: string };

const KINDS = new Set(['ready', 'stop', 'metrics']);

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return KINDS.has((value as { contactway?: unknown } | null)?.contactway as string);
}

/**
 * The slot our primary gave this worker; undefined outside one of our workers. A worker of another cluster
 * manager (PM2's cluster mode forks the app itself) has no slot and runs as one bot, as before WORKERS.
 */
export function workerSlot(env: NodeJS.ProcessEnv, isWorker: boolean): number | undefined {
  const slot = Number(env[SLOT_ENV]);
  return isWorker && env[SLOT_ENV] !== undefined && Number.isInteger(slot) && slot >= 0 ? slot : undefined;
}
