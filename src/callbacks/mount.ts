import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../base/logger.js';
import type { OpsHandler } from '../ops/index.js';
import type { Callbacks } from './index.js';

/** A handler that answers its own path and resolves false for any other (the callbacks, the install redirect). */
export interface PathHandler {
  handler(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

/** One handler for a server on PORT: WeCom's callback path first, every other path to `fallback`. */
export function withCallbacks(
  callbacks: PathHandler | undefined,
  fallback: OpsHandler,
  logger: Logger,
): OpsHandler {
  if (!callbacks) return fallback;
  return (req, res) => {
    callbacks.handler(req, res).then(
      (handled) => {
        if (!handled) fallback(req, res);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'wecom callback handler failed');
        if (!res.headersSent) res.writeHead(500).end();
      },
    );
  };
}

/** 404 for any path: what a server mounting only the callback answers elsewhere. */
const notFound: OpsHandler = (_req, res) => {
  res.writeHead(404).end();
};

/**
 * The callback as a route for a server someone else owns (an adapter's HTTP receiver on PORT): the path,
 * its methods, and a handler that answers 404 to anything else it is handed.
 */
export function callbackRoute(
  callbacks: PathHandler & { path: string },
  logger: Logger,
): { path: string; methods: ('GET' | 'POST')[]; handler: OpsHandler } {
  return {
    path: callbacks.path,
    methods: ['GET', 'POST'],
    handler: withCallbacks(callbacks, notFound, logger),
  };
}

/** Only the given ops paths (e.g. /healthz) of `ops`, 404 elsewhere: PORT beside an internal OPS_PORT. */
export function onlyPaths(ops: OpsHandler, paths: readonly string[]): OpsHandler {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (paths.includes(path)) ops(req, res);
    else notFound(req, res);
  };
}

/** What WeCom's end of the callback needs to know: where to post and with which secrets. */
export interface CallbackTarget {
  url: string;
  token: string;
  encodingAesKey: string;
}

/**
 * Once the server listens: the log line naming the path to paste into WeCom's admin console, and the
 * embedded sandbox (when it runs) learns where to post its events, as WeCom learns it from that console.
 */
export function announceCallbacks(options: {
  callbacks: Callbacks;
  port: number;
  logger: Logger;
  sandbox?: { connectCallbacks(target: CallbackTarget): void } | undefined;
  /** 代开发 (WECOM_MODE=customized): the URL is set per app in the provider console, not the corp's. */
  customized?: boolean;
}): void {
  const { callbacks, port, logger, sandbox } = options;
  if (sandbox) {
    sandbox.connectCallbacks({ url: `http://127.0.0.1:${port}${callbacks.path}`, ...callbacks.secrets });
    logger.info({ path: callbacks.path, port }, 'WeCom callbacks: the sandbox posts its events here');
    return;
  }
  if (options.customized) {
    logger.info(
      { path: callbacks.path, port },
      `WeCom callbacks (代开发): in the provider console (服务商后台 → 代开发应用 → each app's 回调配置) set the URL to https://<public host>${callbacks.path} (served on PORT ${port}), with the Token and EncodingAESKey from WECOM_CALLBACK_TOKEN / WECOM_CALLBACK_AES_KEY, the same for every app`,
    );
    return;
  }
  logger.info(
    { path: callbacks.path, port },
    `WeCom callbacks: in WeCom's admin console set the app's 接收事件服务器 URL to https://<public host>${callbacks.path} (served on PORT ${port}), with the Token and EncodingAESKey from WECOM_CALLBACK_TOKEN / WECOM_CALLBACK_AES_KEY`,
  );
}
