import type { AddressInfo } from 'node:net';
import type { RunningAdapter } from '../../src/chat/adapter-module.js';
import type { FlowOptions } from '../../src/chat/flow.js';
import type { ChatPort } from '../../src/chat/port.js';
import type { OpsHandler } from '../../src/ops/index.js';
import { createSlackApp, type ExtraRoute, type SlackTransport } from './create-app.js';

export type { ExtraRoute } from './create-app.js';

import { createDeliverer } from './deliver.js';
import { slackFileSource } from './download-file.js';
import { registerHome } from './home.js';
import { registerListeners } from './listeners.js';
import { createLocaleResolver } from './locale.js';
import { registerOptions } from './options.js';
import { MAX_METADATA_CHARS } from './render-form.js';
import { MAX_BUTTON_VALUE } from './render-reply.js';
import { SLACK_PLATFORM, type SlackSettings } from './settings.js';
import { registerShortcut } from './shortcut.js';
import { createUsergroupResolver } from './usergroups.js';

export { homeToSlackView } from './home.js';
export { slackValuesToFormValues } from './read-values.js';
export { formToSlackView } from './render-form.js';
export { replyToBlocks } from './render-reply.js';
export { readSlackSettings, type SlackSettings, slackAccessRule } from './settings.js';

/** Where the HTTP mode listens, and which ops endpoints it serves beside `/slack/events`. */
export interface SlackAdapterOptions {
  /** Port for `/slack/events` (HTTP mode); 0 = any free port. */
  port: number;
  /** The ops endpoints to serve on that port (all, or only /healthz when OPS_PORT moves the rest). */
  ops?: { handler: OpsHandler; paths: readonly string[] } | undefined;
  /** More routes on that port in HTTP mode (WeCom's `/wecom/callback`); ignored in Socket Mode. */
  routes?: readonly ExtraRoute[] | undefined;
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
  chatPort: (options: FlowOptions) => ChatPort,
  settings: SlackSettings,
  options: SlackAdapterOptions,
): Promise<SlackAdapter> {
  // A button's value holds 2000 characters, and its confirm dialog asks before Delete and End session.
  const chat = chatPort({ stateChars: MAX_METADATA_CHARS, actionChars: MAX_BUTTON_VALUE, confirm: 'native' });
  const logger = chat.logger.child({ adapter: 'slack' });
  const { app, transport } = createSlackApp(settings, logger, options.port, options.ops, options.routes);
  await app.init();

  const locales = createLocaleResolver({ client: app.client, fallback: chat.defaultLocale, logger });
  const deliverer = createDeliverer({ client: app.client, logger });
  const groups = settings.access.usergroups;
  const deps = {
    port: chat,
    deliverer,
    locales,
    usergroups:
      groups.length > 0 ? createUsergroupResolver({ client: app.client, groups, logger }) : undefined,
    files: slackFileSource({ botToken: settings.botToken, apiUrl: settings.apiUrl }),
  };
  registerListeners(app, deps);
  registerOptions(app, deps);
  registerHome(app, deps);
  registerShortcut(app, deps);
  // Outside any request (a customer scanned a QR): a DM with the app, in the person's language and zone as
  // their profile says now (one cached users.info), else as they were when they made the way.
  chat.registerNotifier(SLACK_PLATFORM, {
    async notify(requester, build, remembered) {
      const told = await locales.profile(requester.workspaceId, requester.userId);
      const viewer = {
        locale: told.locale ?? remembered.locale,
        timeZone: told.timeZone ?? remembered.timeZone,
      };
      await deliverer.direct(requester.userId, await build(viewer), viewer.locale);
      return true;
    },
  });
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
