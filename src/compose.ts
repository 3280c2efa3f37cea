import { type Core, startCore } from './app.js';
import { ConfigError } from './base/errors.js';
import { t } from './base/i18n.js';
import { createLogger, type Logger } from './base/logger.js';
import { createSecrets, type Secrets } from './base/secrets.js';
import { announceCallbacks, callbackRoute, onlyPaths, withCallbacks } from './callbacks/mount.js';
import type { AdapterHost, ChatAdapterModule, HostRoute, RunningAdapter } from './chat/adapter-module.js';
import { workerFleetMetrics } from './cluster/fleet-metrics.js';
import { workersAdapterRefusal } from './cluster/refusal.js';
import { type Config, loadConfig } from './config.js';
import { HEALTH_PATH, OPS_PATHS, type OpsHandler, type OpsServer, startOpsServer } from './ops/index.js';

/**
 * The composer: from the environment and the list of adapter modules (adapters/index.ts) to a running bot.
 * src/main.ts and the tests start the bot through it, so both run the same wiring.
 *
 * /healthz, /readyz and /metrics are served on PORT: by the adapter's own server when one answers PORT
 * (Slack in HTTP mode: one port for Slack and the probes), else by a small ops server. With OPS_PORT set,
 * the ops server serves all three on OPS_HOST:OPS_PORT instead, and PORT keeps only /healthz: readiness
 * details and metrics stay off the port anyone reaches.
 *
 * WeCom's callback (`/wecom/callback`, when configured) is always on PORT, which WeCom reaches: a route of
 * the adapter's server when one answers PORT, else on the ops server; with OPS_PORT set, PORT keeps a small
 * server of its own for the callback and /healthz, never the internal ops port.
 */

/** A module that runs, with its parsed settings. */
export interface ConfiguredAdapter {
  module: ChatAdapterModule;
  settings: unknown;
}

export interface BotSettings {
  config: Config;
  /** The modules that run: every configured one, or the fallback when none is. */
  adapters: ConfiguredAdapter[];
  /** Every credential read so far (the core adds its own and the access tokens it obtains). */
  secrets: Secrets;
  /**
   * Set in a worker of WORKERS > 1 (src/cluster): its slot, in every log line with its pid; only slot 0 runs
   * the fleet's housekeeping (store sweep, audit prune, callback retries).
   */
  worker?: { slot: number } | undefined;
}

/**
 * The core's variables and every module's own, parsed. Throws one ConfigError naming every bad variable
 * of every fragment (values never echoed: some are secrets).
 */
export function readBotSettings(
  env: NodeJS.ProcessEnv,
  modules: readonly ChatAdapterModule[],
  secrets: Secrets = createSecrets(),
): BotSettings {
  const errors: ConfigError[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      errors.push(error);
      return undefined;
    }
  };
  const config = attempt(() => loadConfig(env, { platforms: modules.map((m) => m.platform) }));
  const policyFile = config?.policyFile ?? {};
  const read = modules.map((module) => ({
    module,
    settings: attempt(() => module.readSettings(env, policyFile)),
  }));
  if (!config || errors.length > 0) throw oneError(errors);
  const configured = read.filter((r) => r.settings !== undefined);
  for (const { module, settings } of configured) secrets.add(...(module.secrets?.(settings) ?? []));
  const chosen = configured.filter((r) => !r.module.fallback);
  const adapters = chosen.length > 0 ? chosen : configured.filter((r) => r.module.fallback);
  const refused = workersAdapterRefusal(
    config.WORKERS,
    adapters.map((a) => a.module),
  );
  if (refused) throw refused;
  return { config, adapters, secrets };
}

function oneError(errors: ConfigError[]): ConfigError {
  if (errors.length === 1) return errors[0] as ConfigError;
  return new ConfigError(
    t(errors.map((e) => e.human.en).join('; '), errors.map((e) => e.human.zh).join('；')),
  );
}

/** A running bot. */
export interface Bot {
  config: Config;
  core: Core;
  logger: Logger;
  adapters: RunningAdapter[];
  servers: OpsServer[];
  /** Resolves when a terminal adapter has ended (the console's `exit`); undefined: runs until stopped. */
  ended: Promise<void> | undefined;
  /** Stops the adapters, closes the servers, then the core (writing back journaled records first). */
  stop(): Promise<void>;
}

export interface ComposeOptions {
  /** Every module this build knows (adapters/index.ts's ADAPTERS). */
  adapters: readonly ChatAdapterModule[];
  /** The logger to use (tests); else one at LOG_LEVEL on stdout, or on stderr for a terminal adapter. */
  logger?: Logger | undefined;
  /** The registry that logger scrubs (tests that give their own logger); else a new one. */
  secrets?: Secrets | undefined;
}

/** Reads the settings, then starts the bot: see startBot. */
export function composeBot(env: NodeJS.ProcessEnv, options: ComposeOptions): Promise<Bot> {
  return startBot(readBotSettings(env, options.adapters, options.secrets), options.logger);
}

/** Starts the core with each running platform's access rule, then the adapters and the servers on PORT. */
export async function startBot(settings: BotSettings, givenLogger?: Logger): Promise<Bot> {
  const { config, adapters: chosen } = settings;
  const terminal = chosen.some((c) => c.module.terminal);
  // A terminal's person reads stdout, so its logs go to stderr, only warnings unless asked, and as lines
  // to read when stderr is that terminal; piped or on a server, JSON for whatever collects it.
  const base =
    givenLogger ??
    createLogger({
      level: config.LOG_LEVEL ?? (terminal ? 'warn' : 'info'),
      destination: terminal ? process.stderr : undefined,
      secrets: settings.secrets,
      format: config.LOG_FORMAT ?? (terminal && process.stderr.isTTY ? 'pretty' : 'json'),
    });
  // The workers share one stdout: each line says which one wrote it.
  const logger = settings.worker ? base.child({ worker: settings.worker.slot, pid: process.pid }) : base;
  const core = await startBotCore(settings, logger);
  const adapters: RunningAdapter[] = [];
  const servers: OpsServer[] = [];
  const stop = async () => {
    await Promise.allSettled(adapters.map((a) => a.stop()));
    await Promise.all(servers.map((server) => server.close()));
    await core.close();
  };
  try {
    const served: HostRoute[] = [];
    const host = hostFor(core, served);
    if (terminal) {
      servers.push(...(await serveTerminalCallbacks(core)));
      for (const { module, settings } of chosen) adapters.push(await start(module, core, host, settings));
      const ended = Promise.all(adapters.map((a) => a.ended)).then(() => undefined);
      return { config, core, logger, adapters, servers, ended, stop };
    }
    core.ops.metrics.collectProcessMetrics();
    // One at a time, in the list's order: a bad token fails the start before the next platform logs in.
    for (const { module, settings } of chosen) adapters.push(await start(module, core, host, settings));
    servers.push(...(await servePorts(core, adapters, served)));
    logger.info({ adapters: adapters.map((a) => a.name) }, 'contactway is running');
    return { config, core, logger, adapters, servers, ended: undefined, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** The core, with the access rule of each platform that runs. */
export function startBotCore(settings: BotSettings, logger: Logger): Promise<Core> {
  const accessRules = settings.adapters.flatMap(({ module, settings }) =>
    module.accessRule ? [module.accessRule(settings)] : [],
  );
  return startCore(settings.config, logger, {
    accessRules,
    secrets: settings.secrets,
    housekeeping: (settings.worker?.slot ?? 0) === 0,
    ...(settings.worker ? { metrics: { render: workerFleetMetrics } } : {}),
  });
}

/** Imports the adapter (only now: a bot that does not run a platform never loads its SDK) and starts it. */
async function start(
  module: ChatAdapterModule,
  core: Core,
  host: AdapterHost,
  settings: unknown,
): Promise<RunningAdapter> {
  const starter = await module.load();
  return starter.start(core.chatPort, host, settings);
}

function hostFor(core: Core, served: HostRoute[]): AdapterHost {
  const config = core.config;
  return {
    port: config.PORT,
    // With OPS_PORT, /readyz and /metrics live on that internal port only; PORT keeps /healthz.
    // PORT is public: there /metrics answers only this host (or METRICS_TOKEN), /readyz only its status.
    ops: {
      handler: core.ops.publicHandler,
      paths: config.OPS_PORT === undefined ? OPS_PATHS : [HEALTH_PATH],
    },
    routes: [core.callbacks, core.provider?.callback, core.provider?.installs]
      .filter((c) => c !== undefined)
      .map((c) => callbackRoute(c, core.logger)),
    locale: config.DEFAULT_LOCALE,
    sandbox: core.sandbox !== undefined,
    qrDir: config.QR_DIR,
    serve: (route) => void served.push(route),
  };
}

/**
 * A terminal opens no port for itself, but WeCom's callbacks need one: PORT when configured for a real
 * corp, else (the sandbox's made-up pair) any free loopback port, so a console beside a running bot never
 * collides.
 */
async function serveTerminalCallbacks(core: Core): Promise<OpsServer[]> {
  const { callbacks, config, logger } = core;
  const suite = core.provider?.callback;
  if (!callbacks && !suite) return [];
  const server = await startOpsServer({
    ...(config.WECOM_CALLBACK_TOKEN || (suite && !core.sandbox)
      ? { port: config.PORT }
      : { port: 0, host: '127.0.0.1' }),
    handler: withCallbacks(
      core.provider?.installs,
      withCallbacks(suite, withCallbacks(callbacks, core.ops.publicHandler, logger), logger),
      logger,
    ),
    logger,
  });
  if (callbacks)
    announceCallbacks({
      callbacks,
      port: server.port,
      logger,
      sandbox: core.sandbox,
      customized: core.provider?.settings.mode === 'customized',
    });
  if (suite) await announceSuite(core, server.port);
  return [server];
}

/** OPS_PORT's server when set, and PORT's when no adapter answers it; WeCom's callbacks told where they land. */
async function servePorts(core: Core, adapters: RunningAdapter[], routes: HostRoute[]): Promise<OpsServer[]> {
  const { callbacks, config, logger } = core;
  const suite = core.provider?.callback;
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
  const adapterPort = adapters.find((a) => a.servesPort !== undefined)?.servesPort;
  // PORT, when no adapter answers it: every ops path (no OPS_PORT) or only /healthz, plus WeCom's callback
  // and the adapters' routes.
  const publicServer =
    adapterPort !== undefined ||
    (config.OPS_PORT !== undefined && !callbacks && !suite && routes.length === 0)
      ? undefined
      : await startOpsServer({
          port: config.PORT,
          handler: withRoutes(
            routes,
            withCallbacks(
              core.provider?.installs,
              withCallbacks(
                suite,
                withCallbacks(
                  callbacks,
                  config.OPS_PORT === undefined
                    ? core.ops.publicHandler
                    : onlyPaths(core.ops.publicHandler, [HEALTH_PATH]),
                  logger,
                ),
                logger,
              ),
              logger,
            ),
          ),
          logger,
        });
  if (publicServer) servers.push(publicServer);
  const callbackPort = adapterPort ?? publicServer?.port;
  if (callbacks && callbackPort !== undefined)
    announceCallbacks({
      callbacks,
      port: callbackPort,
      logger,
      sandbox: core.sandbox,
      customized: core.provider?.settings.mode === 'customized',
    });
  if (suite && callbackPort !== undefined) await announceSuite(core, callbackPort);
  return servers;
}

/**
 * The line naming what to paste into the provider console as the 指令回调URL. On the sandbox, its provider
 * platform is told that URL (as the console is) and pushes the first suite_ticket at once (刷新ticket), so the
 * bot can install a corp without waiting WeCom's ten minutes.
 */
async function announceSuite(core: Core, port: number): Promise<void> {
  const path = core.provider?.callback.path;
  const platform = core.sandbox?.provider;
  if (platform) {
    const local = `http://127.0.0.1:${port}`;
    platform.connectSuite(`${local}${path}`);
    core.provider?.installs.serveAt(local);
    const pushed = await platform.pushTicket().catch((error: unknown) => {
      core.logger.warn({ err: error }, 'sandbox provider: the first suite_ticket was not delivered');
      return undefined;
    });
    core.logger.info(
      { path, port, ticketDelivered: pushed?.delivered?.status === 200 },
      'WeCom provider (sandbox): the simulated provider platform posts suite_ticket and install events here',
    );
    const installed = (await core.provider?.tenants.list())?.some((x) => x.status === 'active');
    if (!installed) {
      core.logger.warn(
        'WeCom provider (sandbox): no corp has installed the app yet. An admin (ADMINS, e.g. console:local:<your login>) runs `install` (/contactway install in chat), opens the link, picks a simulated corp; that corp is then bound to the workspace, and `status` shows it.',
      );
    }
    return;
  }
  const url = `${(core.config.PUBLIC_URL ?? 'https://<public host>').replace(/\/+$/, '')}${path}`;
  core.logger.info(
    { path, port },
    `WeCom provider: in the provider console set the app's 指令回调URL to ${url} (served on PORT ${port}), with the Token and EncodingAESKey from WECOM_SUITE_TOKEN / WECOM_SUITE_AES_KEY`,
  );
}

/** The adapters' routes first (path and method), every other request to `fallback`. */
function withRoutes(routes: readonly HostRoute[], fallback: OpsHandler): OpsHandler {
  if (routes.length === 0) return fallback;
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.path === path && r.methods.some((m) => m === req.method));
    (route?.handler ?? fallback)(req, res);
  };
}
