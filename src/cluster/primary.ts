import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../base/logger.js';
import { answerFleetMetrics } from './fleet-metrics.js';
import { isWorkerMessage, SLOT_ENV, type WorkerMessage } from './messages.js';

/**
 * The primary of WORKERS > 1: forks the workers (each runs the whole bot; Node's cluster hands them the
 * connections of the one PORT in turn), replaces one that dies, and on SIGTERM/SIGINT asks each to drain its
 * requests in flight, then exits 0 once all have exited (1 if one failed to stop cleanly). It opens no store
 * and no port itself.
 */
export interface PrimaryOptions {
  workers: number;
  logger: Logger;
  /** SHUTDOWN_TIMEOUT_MS: how long a worker drains; it is killed if it has not exited some time after. */
  shutdownTimeoutMs: number;
  /** Backoff before replacing a worker that died, doubled per quick death of its slot. Default 1000. */
  restartBaseMs?: number;
  /** Backoff ceiling. Default 30 000. */
  restartMaxMs?: number;
}

/** A worker that served this long before dying starts its slot's backoff afresh. */
const STABLE_AFTER_MS = 30_000;
/** After the drain time, how long a stopping worker has to close its store and flush its logs. */
const STOP_GRACE_MS = 10_000;

interface Slot {
  index: number;
  worker: Worker | undefined;
  /** When it said it was serving; undefined while it starts. */
  readyAt: number | undefined;
  /** Its deaths in a row, each before it had served STABLE_AFTER_MS: the backoff doubles with each. */
  deaths: number;
  restart: NodeJS.Timeout | undefined;
}

export function runPrimary(options: PrimaryOptions): Promise<number> {
  const { logger, workers } = options;
  const baseMs = options.restartBaseMs ?? 1_000;
  const maxMs = options.restartMaxMs ?? 30_000;
  const slots: Slot[] = Array.from({ length: workers }, (_, index) => ({
    index,
    worker: undefined,
    readyAt: undefined,
    deaths: 0,
    restart: undefined,
  }));
  let fleetUp = false;
  let stopping = false;
  let failed = false;
  let resolveExit: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });

  const metrics = answerFleetMetrics();
  const alive = () => slots.filter((s) => s.worker !== undefined);

  function fork(slot: Slot): void {
    slot.restart = undefined;
    slot.readyAt = undefined;
    const worker = cluster.fork({ [SLOT_ENV]: String(slot.index) });
    slot.worker = worker;
    worker.on('message', (message: unknown) => metrics(worker, message));
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message) || message.contactway !== 'ready') return;
      slot.readyAt = Date.now();
      logger.info({ worker: slot.index, pid: worker.process.pid }, 'cluster: worker running');
      if (!fleetUp && slots.every((s) => s.readyAt !== undefined)) {
        fleetUp = true;
        logger.info({ workers }, 'cluster: all workers running');
      }
    });
    worker.on('exit', (code, signal) => exited(slot, worker, code, signal));
  }

  function exited(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    const pid = worker.process.pid;
    if (stopping) {
      // One still starting may die of the signal before it can drain: it had nothing in flight.
      if (code !== 0 && slot.readyAt !== undefined) failed = true;
      logger.info({ worker: slot.index, pid, code, signal }, 'cluster: worker stopped');
      if (alive().length === 0) resolveExit(failed ? 1 : 0);
      return;
    }
    if (!fleetUp && slot.readyAt === undefined) {
      // A worker of the first start did not come up (its own line says why): the fleet will not either.
      logger.error({ worker: slot.index, pid, code, signal }, 'cluster: a worker failed to start; stopping');
      failed = true;
      stop('start failure');
      return;
    }
    const served = slot.readyAt === undefined ? 0 : Date.now() - slot.readyAt;
    slot.deaths = served >= STABLE_AFTER_MS ? 1 : slot.deaths + 1;
    const delayMs = Math.min(maxMs, baseMs * 2 ** (slot.deaths - 1));
    logger.error(
      { worker: slot.index, pid, code, signal, restartInMs: delayMs },
      'cluster: worker died; starting another',
    );
    slot.restart = setTimeout(() => fork(slot), delayMs);
  }

  function stop(signal: string): void {
    if (stopping) return;
    stopping = true;
    for (const slot of slots) {
      if (slot.restart) clearTimeout(slot.restart);
      slot.restart = undefined;
    }
    const running = alive();
    logger.info({ signal, workers: running.length }, 'cluster: stopping workers');
    if (running.length === 0) {
      resolveExit(failed ? 1 : 0);
      return;
    }
    for (const slot of running) {
      const message: WorkerMessage = { contactway: 'stop', signal };
      // One still starting may not listen yet: the signal drains it once started, or ends it before.
      if (slot.readyAt !== undefined && slot.worker?.isConnected()) slot.worker.send(message);
      else slot.worker?.process.kill('SIGTERM');
    }
    const late = setTimeout(() => {
      for (const slot of alive()) {
        logger.warn(
          { worker: slot.index, pid: slot.worker?.process.pid },
          'cluster: worker did not stop; killed',
        );
        slot.worker?.process.kill('SIGKILL');
      }
    }, options.shutdownTimeoutMs + STOP_GRACE_MS);
    late.unref();
  }

  // once: a second Ctrl-C while the workers drain ends the primary at once; the workers, which lose their
  // channel to it, exit with it (Node's cluster does that).
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  logger.info({ workers, pid: process.pid }, 'cluster: starting workers');
  for (const slot of slots) fork(slot);
  return done;
}
