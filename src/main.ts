import { userInfo } from 'node:os';
import { runConsoleAdapter } from '../adapters/console/index.js';
import { startDiscordAdapter } from '../adapters/discord/index.js';
import { startSlackAdapter } from '../adapters/slack/index.js';
import type { RunningAdapter } from './adapter.js';
import { startCore } from './app.js';
import { type Config, loadConfig, loadDotEnv } from './config.js';
import { ConfigError } from './errors.js';
import { createLogger } from './logger.js';

/**
 * The composition root: the one file in src/ that may import adapters (the boundary test allows it).
 * Slack and Discord start when their variables are set; with neither, the console adapter runs.
 */
async function main(): Promise<void> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`contactway: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // The console talks to a person on stdout, so its logs go to stderr, and only warnings unless asked.
  const useConsole = !config.SLACK_BOT_TOKEN && !config.DISCORD_TOKEN;
  const logger = createLogger({
    level: config.LOG_LEVEL ?? (useConsole ? 'warn' : 'info'),
    destination: useConsole ? process.stderr : undefined,
  });
  const core = await startCore(config, logger);

  if (useConsole) {
    const user = userInfo().username;
    await runConsoleAdapter({
      input: process.stdin,
      output: process.stdout,
      context: {
        requester: { platform: 'console', workspaceId: 'local', userId: user, displayName: user },
        locale: config.DEFAULT_LOCALE,
        service: core.service,
        sandbox: core.sandbox !== undefined,
      },
      qrDir: config.QR_DIR,
      logger,
    });
    await core.close();
    return;
  }

  const adapters: RunningAdapter[] = [];
  if (config.SLACK_BOT_TOKEN) adapters.push(await startSlackAdapter(core));
  if (config.DISCORD_TOKEN) adapters.push(await startDiscordAdapter(core));
  logger.info({ adapters: adapters.map((a) => a.name) }, 'contactway is running');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await Promise.allSettled(adapters.map((a) => a.stop()));
    await core.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `contactway: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
