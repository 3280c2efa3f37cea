import { App, type CustomRoute, HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../../src/base/logger.js';
import type { OpsHandler } from '../../src/ops/index.js';
import { limitRequestBodies } from './body-limit.js';
import { boltLogger } from './bolt-logger.js';
import type { SlackSettings } from './settings.js';

/** Where Slack sends commands, view submissions and button clicks in HTTP mode. */
export const EVENTS_PATH = '/slack/events';

/**
 * The largest request body read on `/slack/events`; larger ones get 413 before the signature is checked.
 * Bolt's default (4 MB) let a flood of unsigned POSTs hold megabytes each in memory; Slack's own requests to
 * us (a slash command, a modal with its state, a button click) stay far below this.
 */
export const MAX_BODY_BYTES = 512 * 1024;

export type SlackTransport = 'http' | 'socket';

/** A route of the composition root's served beside `/slack/events` in HTTP mode (WeCom's callback). */
export interface ExtraRoute {
  path: string;
  methods: readonly ('GET' | 'POST' | 'HEAD')[];
  /** Reads the request body itself: Bolt hands custom routes the request unread. */
  handler: OpsHandler;
}

export interface SlackApp {
  app: App;
  transport: SlackTransport;
}

/**
 * Builds the Bolt App: HTTP mode (Bolt's HTTPReceiver on PORT, `/slack/events`, signatures checked, stale
 * or forged requests refused with 401, bodies over 512 kB with 413, and /healthz, /readyz, /metrics from
 * `ops` on the same port, or only /healthz when OPS_PORT moves the others to an internal port) when
 * SLACK_SIGNING_SECRET is set, otherwise Socket Mode with SLACK_APP_TOKEN: Bolt then opens no port, and
 * the composition root serves the ops endpoints on PORT itself. config.ts guarantees one of the two.
 */
export function createSlackApp(
  settings: SlackSettings,
  logger: Logger,
  port: number,
  ops?: { handler: OpsHandler; paths: readonly string[] },
  routes: readonly ExtraRoute[] = [],
): SlackApp {
  const token = settings.botToken;
  const common = {
    token,
    logger: boltLogger(logger),
    // auth.test runs in init(), awaited at startup: a bad token fails the start, not the first command.
    deferInitialization: true,
    clientOptions: {
      ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
      // The default (10 retries over ~30 min) would hold a reply for half an hour; a trigger_id lives 3 s.
      retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2_000 },
      timeout: 10_000,
    },
  };
  const transport: SlackTransport = settings.signingSecret ? 'http' : 'socket';
  if (transport === 'http') {
    // Our own HTTPReceiver, the one App would build, because only its options take a body limit.
    const receiver = new HTTPReceiver({
      signingSecret: settings.signingSecret ?? '',
      endpoints: EVENTS_PATH,
      port,
      logger: common.logger,
      bodyLimit: MAX_BODY_BYTES,
      // With OPS_PORT, /readyz and /metrics live on that internal port only; PORT keeps /healthz, which
      // tells nothing and which load balancers in front of Slack's URL need. Extra routes (WeCom's
      // callback) stay on PORT whatever OPS_PORT says: WeCom must reach them from outside.
      customRoutes: [
        ...(ops
          ? ops.paths.map((path): CustomRoute => ({ path, method: ['GET', 'HEAD'], handler: ops.handler }))
          : []),
        ...routes.map((r): CustomRoute => ({ path: r.path, method: [...r.methods], handler: r.handler })),
      ],
      // Ack is the HTTP response itself, sent as soon as a listener calls ack(); work continues after it.
      processBeforeResponse: false,
    });
    limitRequestBodies(receiver, MAX_BODY_BYTES);
    const app = new App({ ...common, receiver });
    return { app, transport };
  }
  // No port: with neither customRoutes nor an OAuth installer, Socket Mode opens no HTTP server.
  const app = new App({ ...common, socketMode: true, appToken: settings.appToken });
  return { app, transport };
}
