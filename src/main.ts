import cluster from 'node:cluster';
import { ADAPTERS } from '../adapters/index.js';
import { ConfigError } from './base/errors.js';
import { createLogger } from './base/logger.js';
import { createSecrets } from './base/secrets.js';
import { isWorkerMessage, workerSlot } from './cluster/messages.js';
import { runPrimary } from './cluster/primary.js';
import { type Bot, type BotSettings, readBotSettings, startBot } from './compose.js';
import { loadDotEnv } from './config.js';

/** Every credential the process holds, for the logger and the last-resort error line (see compose.ts). */
const secrets = createSecrets();

/**
 * The entry point: the environment (and `.env`), the adapters this build knows (adapters/index.ts, the one
 * import from adapters/ in src/), and the signals. src/compose.ts does the wiring; the console runs when no
 * chat platform is configured, and the process ends with it. With WORKERS > 1 this process is the cluster's
 * primary (src/cluster/primary.ts) and each worker it forks runs this file again as one bot.
 */
async function main(): Promise<void> {
  loadDotEnv();
  // The core's variables and each adapter's own; every bad one is named before exiting.
  const settings = settingsOrExit(() => readBotSettings(process.env, ADAPTERS, secrets));
  if (settings.config.WORKERS > 1 && cluster.isPrimary) return runCluster(settings);
  const slot = workerSlot(process.env, cluster.isWorker);
  if (slot !== undefined) return runWorker({ ...settings, worker: { slot } });
  const bot = await startBot(settings);
  if (bot.ended) {
    await bot.ended;
    await bot.stop();
    return;
  }
  const stop = (signal: string) => void shutdown(signal, bot);
  // once: a second Ctrl-C while draining is not caught, so it ends the process at once.
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** The primary: forks the workers and ends when they all have (after a signal, or a failed first start). */
async function runCluster(settings: BotSettings): Promise<void> {
  const { config } = settings;
  const logger = createLogger({
    level: config.LOG_LEVEL ?? 'info',
    secrets: settings.secrets,
    format: config.LOG_FORMAT ?? 'json',
  });
  const code = await runPrimary({
    workers: config.WORKERS,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
  logger.flush(() => process.exit(code));
}

/**
 * One of the cluster's bots. The primary asks it to stop by message (a terminal's Ctrl-C reaches it as a
 * signal too); either may come while it is still starting, and is then obeyed once it has started.
 */
async function runWorker(settings: BotSettings): Promise<void> {
  let requested: string | undefined;
  let stopNow: ((signal: string) => void) | undefined;
  const request = (signal: string) => {
    requested ??= signal;
    stopNow?.(signal);
  };
  process.on('message', (message: unknown) => {
    if (isWorkerMessage(message) && message.contactway === 'stop') request(message.signal);
  });
  process.once('SIGTERM', () => request('SIGTERM'));
  process.once('SIGINT', () => request('SIGINT'));
  const bot = await startBot(settings);
  stopNow = (signal) => void shutdown(signal, bot);
  process.send?.({ contactway: 'ready' });
  if (requested) stopNow(requested);
}

/** Runs a settings reader; a ConfigError ends the process with its one line naming the variable. */
function settingsOrExit<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`contactway: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

let stopping = false;

/**
 * Stop taking new requests (adapters refuse them politely, /readyz answers 503 so balancers move on), let
 * those in flight finish for up to SHUTDOWN_TIMEOUT_MS, then stop the adapters and the servers, close
 * the store (writing back journaled records first) and exit 0.
 */
async function shutdown(signal: string, bot: Bot): Promise<void> {
  if (stopping) return;
  stopping = true;
  const { core, logger } = bot;
  const requests = core.ops.requests;
  logger.info({ signal, inFlight: requests.count }, 'stopping: draining requests in flight');
  requests.drain();
  const timeoutMs = core.config.SHUTDOWN_TIMEOUT_MS;
  if (!(await requests.settled(timeoutMs)))
    logger.warn({ inFlight: requests.count, timeoutMs }, 'stopping with requests still in flight');
  let code = 0;
  try {
    await bot.stop();
    logger.info('stopped');
  } catch (error) {
    code = 1;
    logger.error({ err: error }, 'stopping failed');
  }
  // The log destination is asynchronous: flush it so the last lines are not lost on exit.
  logger.flush(() => process.exit(code));
}

main().catch((error: unknown) => {
  process.stderr.write(
    secrets.scrub(`contactway: failed to start: ${error instanceof Error ? error.message : String(error)}\n`),
  );
  process.exit(1);
});
