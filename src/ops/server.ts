import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../base/logger.js';
import type { OpsHandler } from './http.js';

/** The ops server once listening. */
export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves /healthz, /readyz and /metrics: on PORT when no Slack HTTP server does (Discord only, or Slack in
 * Socket Mode), or on OPS_HOST:OPS_PORT when set. `host` unset listens on every interface. Resolves once
 * listening; a port already taken fails the start.
 */
export async function startOpsServer(options: {
  port: number;
  handler: OpsHandler;
  logger: Logger;
  host?: string;
}): Promise<OpsServer> {
  const server = createServer(options.handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  options.logger.info({ port, host: address }, 'ops server listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections from a scraper would hold close() open until they time out.
        server.closeIdleConnections();
      }),
  };
}
