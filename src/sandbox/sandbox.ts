import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxCore } from './core.js';
import { providerControls } from './provider-controls.js';
import { createRequestHandler } from './server.js';
import type { Sandbox, SandboxOptions } from './types.js';

/**
 * Starts a WeCom look-alike on `host:port` (default 127.0.0.1, any free port) that speaks gettoken and the six
 * contact-way endpoints with WeCom's rules and errcodes, so the product can be demoed and tested without
 * credentials. Point the client's API base at `sandbox.url`.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const core = new SandboxCore(options);
  const server = createServer(createRequestHandler(core));
  const host = options.host ?? '127.0.0.1';
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  // Any port will do, but the last one keeps the qr_code URLs the bot already handed out working.
  const previous = options.port ? undefined : core.restored?.port;
  if (previous === undefined) await listen(options.port ?? 0);
  else
    await listen(previous).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      core.logger.warn({ port: previous }, 'sandbox: the last port is taken; QR URLs from before now fail');
      await listen(0);
    });
  const { port } = server.address() as AddressInfo;
  core.port = port;
  core.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  core.logger.info({ url: core.url }, 'sandbox listening');
  core.changed();

  let closed: Promise<void> | undefined;
  return {
    url: core.url,
    corpId: core.corpId,
    corpSecret: core.corpSecret,
    inject: (fault) => core.inject(fault),
    setLatency: (ms) => core.setLatency(ms),
    clearFaults: () => core.faults.clear(),
    expireTokens: (code = 42001) => {
      core.revokeAllTokens(code);
      core.changed();
    },
    simulateScan: (configId, externalUserId) => core.simulateScan(configId, externalUserId),
    connectCallbacks: (target) => core.customers.connect(target),
    disconnectCallbacks: () => core.customers.disconnect(),
    scan: (configId, options) => core.scan(configId, options),
    ...(core.provider ? { provider: providerControls(core, core.provider) } : {}),
    customer: (externalUserId) => core.customer(externalUserId),
    stats: () => core.stats(),
    received: (endpoint) => core.received(endpoint),
    contactWay: (configId) => core.contactWay(configId),
    advanceClock: (ms) => {
      core.advanceClock(ms);
      core.changed();
    },
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        core.closing.abort();
        core.provider?.stop();
        for (const res of core.hanging) res.destroy();
        core.hanging.clear();
        server.close((error) => {
          // After the last request, so what it changed is in the file the next start reads.
          core.stateFile?.flush();
          if (error) reject(error);
          else resolve();
        });
        // Keep-alive sockets would hold close() open until they time out.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
