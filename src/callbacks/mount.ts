import type { Logger } from '../logger.js';
import type { OpsHandler } from '../ops/index.js';
import type { Callbacks } from './index.js';

/** One handler for a server on PORT: WeCom's callback path first, every other path to `fallback`. */
export function withCallbacks(
  callbacks: Callbacks | undefined,
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
}): void {
  const { callbacks, port, logger, sandbox } = options;
  if (sandbox) {
    sandbox.connectCallbacks({ url: `http://127.0.0.1:${port}${callbacks.path}`, ...callbacks.secrets });
    logger.info({ path: callbacks.path, port }, 'WeCom callbacks: the sandbox posts its events here');
    return;
  }
  logger.info(
    { path: callbacks.path, port },
    `WeCom callbacks: in WeCom's admin console set the app's 接收事件服务器 URL to https://<public host>${callbacks.path} (served on PORT ${port}), with the Token and EncodingAESKey from WECOM_CALLBACK_TOKEN / WECOM_CALLBACK_AES_KEY`,
  );
}
