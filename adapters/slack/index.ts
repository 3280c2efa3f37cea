import type { AddressInfo } from 'node:net';
import type { RunningAdapter } from '../../src/adapter.js';
import type { Core } from '../../src/app.js';
import { createIdempotency } from '../../src/service/idempotency.js';
import { createStoreLock } from '../../src/store/index.js';
import { registerActions } from './action-handler.js';
import { registerAdmission } from './admission.js';
import { registerCommand } from './command-handler.js';
import { createSlackApp, type SlackTransport } from './create-app.js';
import { createDeliverer } from './deliver.js';
import { createLocaleResolver } from './locale.js';
import { registerReplayGuard } from './replay-guard.js';
import type { SlackSettings } from './settings.js';
import { createUsergroupResolver } from './usergroups.js';
import { registerViewSubmission } from './view-handler.js';

export { slackValuesToFormValues } from './read-values.js';
export { formToSlackView } from './render-form.js';
export { replyToBlocks } from './render-reply.js';
export { readSlackSettings, type SlackSettings, slackAccessRule } from './settings.js';

/** Test and deployment overrides; every field defaults to the core's config. */
export interface SlackAdapterOptions {
  /** Port for `/slack/events` and the ops endpoints (HTTP mode); default config.PORT (0 = any free port). */
  port?: number;
}

/** The running Slack adapter. */
export interface SlackAdapter extends RunningAdapter {
  readonly transport: SlackTransport;
  /** The port the HTTP server listens on (HTTP mode), once started. */
  readonly port: number | undefined;
}

/**
 * Starts the Slack adapter on the wired core: checks the token (auth.test), registers `/contactway`, the
 * form submission and the reply buttons, and listens (HTTP on PORT with the ops endpoints, or Socket Mode).
 * Shutdown drains `core.ops.requests` first, then calls `stop()`.
 */
export async function startSlackAdapter(
  core: Core,
  settings: SlackSettings,
  options: SlackAdapterOptions = {},
): Promise<SlackAdapter> {
  const { config } = core;
  const logger = core.logger.child({ adapter: 'slack' });
  const { app, transport } = createSlackApp(
    settings,
    config,
    logger,
    options.port ?? config.PORT,
    core.ops.handler,
  );
  await app.init();

  const deps = {
    core,
    logger,
    locales: createLocaleResolver({ client: app.client, fallback: config.DEFAULT_LOCALE, logger }),
    deliverer: createDeliverer({ client: app.client, logger }),
    usergroups: createUsergroupResolver({
      client: app.client,
      groups: settings.access.usergroups,
      logger,
    }),
  };
  const cachedLocale = (teamId: string, userId: string) =>
    deps.locales.peek(teamId, userId) ?? config.DEFAULT_LOCALE;
  // Before the listeners: request scope, in-flight tracking, and refusal while shutting down.
  registerAdmission(app, { requests: core.ops.requests, logger, locale: cachedLocale });
  // Then replays of a command or click are dropped, remembered in the shared store across instances.
  registerReplayGuard(app, {
    replays: createIdempotency(core.keyv, createStoreLock(core.keyv, { logger })),
    logger,
    locale: cachedLocale,
  });
  registerCommand(app, deps);
  registerViewSubmission(app, deps);
  registerActions(app, deps);
  app.error(async (error) => {
    logger.error({ err: error }, 'Slack listener failed');
  });

  const started: unknown = await app.start();
  const address =
    transport === 'http' && started && typeof started === 'object' && 'address' in started
      ? ((started as { address(): AddressInfo | string | null }).address() as AddressInfo | null)
      : null;
  const port = address && typeof address === 'object' ? address.port : undefined;
  logger.info({ transport, port }, 'Slack adapter listening');

  return {
    name: 'slack',
    transport,
    port,
    async stop() {
      await app.stop();
    },
  };
}
