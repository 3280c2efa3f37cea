import { ADAPTERS } from '../adapters/index.js';
import { ConfigError } from './base/errors.js';
import { createSecrets } from './base/secrets.js';
import { type Bot, readBotSettings, startBot } from './compose.js';
import { loadDotEnv } from './config.js';

/** Every credential the process holds, for the logger and the last-resort error line (see compose.ts). */
const secrets = createSecrets();

/**
 * The entry point: the environment (and `.env`), the adapters this build knows (adapters/index.ts, the one
 * import from adapters/ in src/), and the signals. src/compose.ts does the wiring; the console runs when no
 * chat platform is configured, and the process ends with it.
 */
async function main(): Promise<void> {
  loadDotEnv();
  // The core's variables and each adapter's own; every bad one is named before exiting.
  const settings = settingsOrExit(() => readBotSettings(process.env, ADAPTERS, secrets));
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
