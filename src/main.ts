import { userInfo } from 'node:os';
import {
  DISCORD_PLATFORM,
  discordAccessRule,
  discordSecrets,
  readDiscordSettings,
} from '../adapters/discord/settings.js';
import type { SlackAdapter } from '../adapters/slack/index.js';
import {
  readSlackSettings,
  SLACK_PLATFORM,
  slackAccessRule,
  slackSecrets,
} from '../adapters/slack/settings.js';
import type { RunningAdapter } from './adapter.js';
import { type Core, startCore } from './app.js';
import { announceCallbacks, callbackRoute, onlyPaths, withCallbacks } from './callbacks/mount.js';
import { loadConfig, loadDotEnv } from './config.js';
import { ConfigError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { HEALTH_PATH, OPS_PATHS, type OpsServer, startOpsServer } from './ops/index.js';
import { createSecrets } from './secrets.js';

/**
 * Every credential the process holds, for the logger and the last-resort error line: each settings module
 * lists its own (configSecrets is added by the core, which also adds access tokens as it obtains them).
 */
const secrets = createSecrets();

/**
 * The composition root: the one file in src/ that may import adapters (the boundary test allows it).
 * Slack and Discord start when their variables are set; with neither, the console adapter runs.
 *
 * /healthz, /readyz and /metrics are served on PORT: by Bolt's own server when Slack runs in HTTP mode
 * (one port for Slack and the probes), else by a small ops server (Discord only, or Slack in Socket Mode).
 * PORT is public, so there /metrics answers only this host (or METRICS_TOKEN) and /readyz only its status
 * to others (`core.ops.publicHandler`).
 * With OPS_PORT set, the ops server serves all three on OPS_HOST:OPS_PORT instead, and Bolt keeps only
 * /healthz next to /slack/events: readiness details and metrics stay off the port Slack (anyone) reaches.
 * The console adapter opens no port for itself: it is one person at a terminal, often beside a running bot.
 *
 * WeCom's callback (`/wecom/callback`, when configured) is always on PORT, which WeCom reaches: a route of
 * Bolt's server in Slack HTTP mode, else on the ops server; with OPS_PORT set, PORT keeps a small server of
 * its own for the callback and /healthz, never the internal ops port.
 */
async function main(): Promise<void> {
  loadDotEnv();
  // The core's variables and each adapter's own, composed here; every bad one is named before exiting.
  const config = settingsOrExit(() =>
    loadConfig(process.env, { platforms: ['console', SLACK_PLATFORM, DISCORD_PLATFORM] }),
  );
  const slackSettings = settingsOrExit(() => readSlackSettings(process.env, config.policyFile));
  const discordSettings = settingsOrExit(() => readDiscordSettings(process.env, config.policyFile));
  const accessRules = [
    ...(slackSettings ? [slackAccessRule(slackSettings.access)] : []),
    ...(discordSettings ? [discordAccessRule(discordSettings.access)] : []),
  ];
  // The console talks to a person on stdout, so its logs go to stderr, and only warnings unless asked.
  const useConsole = !slackSettings && !discordSettings;
  secrets.add(...slackSecrets(slackSettings), ...discordSecrets(discordSettings));
  const logger = createLogger({
    level: config.LOG_LEVEL ?? (useConsole ? 'warn' : 'info'),
    destination: useConsole ? process.stderr : undefined,
    secrets,
  });
  const core = await startCore(config, logger, { accessRules, secrets });

  // Adapters are imported only when configured: a Slack-only bot does not load discord.js at start.
  if (useConsole) {
    // WeCom's callbacks need a port even for the console: PORT when configured for a real corp, else (the
    // sandbox's made-up pair) any free loopback port, so a console beside a running bot never collides.
    const callbackServer = core.callbacks
      ? await startOpsServer({
          ...(config.WECOM_CALLBACK_TOKEN ? { port: config.PORT } : { port: 0, host: '127.0.0.1' }),
          handler: withCallbacks(core.callbacks, core.ops.publicHandler, logger),
          logger,
        })
      : undefined;
    if (core.callbacks && callbackServer)
      announceCallbacks({
        callbacks: core.callbacks,
        port: callbackServer.port,
        logger,
        sandbox: core.sandbox,
      });
    const { CONSOLE_FLOW, runConsoleAdapter } = await import('../adapters/console/index.js');
    const user = userInfo().username;
    await runConsoleAdapter({
      input: process.stdin,
      output: process.stdout,
      port: core.chatPort(CONSOLE_FLOW),
      requester: { platform: 'console', workspaceId: 'local', userId: user, displayName: user, roles: [] },
      locale: config.DEFAULT_LOCALE,
      sandbox: core.sandbox !== undefined,
      qrDir: config.QR_DIR,
    });
    await callbackServer?.close();
    await core.close();
    return;
  }

  core.ops.metrics.collectProcessMetrics();
  const adapters: RunningAdapter[] = [];
  const callbacks = core.callbacks;
  const slack: SlackAdapter | undefined = slackSettings
    ? await (await import('../adapters/slack/index.js')).startSlackAdapter(core.chatPort, slackSettings, {
        port: config.PORT,
        // With OPS_PORT, /readyz and /metrics live on that internal port only; PORT keeps /healthz.
        ops: {
          handler: core.ops.publicHandler,
          paths: config.OPS_PORT === undefined ? OPS_PATHS : [HEALTH_PATH],
        },
        routes: callbacks ? [callbackRoute(callbacks, logger)] : [],
      })
    : undefined;
  if (slack) adapters.push(slack);
  if (discordSettings) {
    const { startDiscordAdapter } = await import('../adapters/discord/index.js');
    adapters.push(await startDiscordAdapter(core.chatPort, discordSettings));
  }
  const boltOwnsPort = slack?.transport === 'http';
  const servers: OpsServer[] = [];
  if (config.OPS_PORT !== undefined) {
    servers.push(
      await startOpsServer({
        port: config.OPS_PORT,
        host: config.OPS_HOST,
        handler: core.ops.handler,
        logger,
      }),
    );
  }
  // PORT, when Bolt does not own it: every ops path (no OPS_PORT) or only /healthz, plus WeCom's callback.
  const publicServer =
    boltOwnsPort || (config.OPS_PORT !== undefined && !callbacks)
      ? undefined
      : await startOpsServer({
          port: config.PORT,
          handler: withCallbacks(
            callbacks,
            config.OPS_PORT === undefined
              ? core.ops.publicHandler
              : onlyPaths(core.ops.publicHandler, [HEALTH_PATH]),
            logger,
          ),
          logger,
        });
  if (publicServer) servers.push(publicServer);
  const callbackPort = boltOwnsPort ? slack?.port : publicServer?.port;
  if (callbacks && callbackPort !== undefined)
    announceCallbacks({ callbacks, port: callbackPort, logger, sandbox: core.sandbox });
  logger.info({ adapters: adapters.map((a) => a.name) }, 'contactway is running');

  const stop = (signal: string) => void shutdown({ signal, core, adapters, servers, logger });
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
 * those in flight finish for up to SHUTDOWN_TIMEOUT_MS, then stop the adapters and the ops server, close
 * the store (writing back journaled records first) and exit 0.
 */
async function shutdown(options: {
  signal: string;
  core: Core;
  adapters: RunningAdapter[];
  servers: OpsServer[];
  logger: Logger;
}): Promise<void> {
  if (stopping) return;
  stopping = true;
  const { core, logger } = options;
  const requests = core.ops.requests;
  logger.info({ signal: options.signal, inFlight: requests.count }, 'stopping: draining requests in flight');
  requests.drain();
  const timeoutMs = core.config.SHUTDOWN_TIMEOUT_MS;
  if (!(await requests.settled(timeoutMs)))
    logger.warn({ inFlight: requests.count, timeoutMs }, 'stopping with requests still in flight');
  let code = 0;
  try {
    await Promise.allSettled(options.adapters.map((a) => a.stop()));
    await Promise.all(options.servers.map((server) => server.close()));
    await core.close();
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
