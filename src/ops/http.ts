import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../base/logger.js';
import type { OpsAccessCheck } from './access.js';
import type { Metrics } from './metrics.js';
import type { Readiness } from './readiness.js';

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';
export const METRICS_PATH = '/metrics';
/** The operations endpoints, served on PORT by Bolt (Slack HTTP mode) or by `startOpsServer`. */
export const OPS_PATHS = [HEALTH_PATH, READY_PATH, METRICS_PATH] as const;

/** A plain Node request handler, so the same routes mount on Bolt's server and on our own. */
export type OpsHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * `GET /healthz`: the process answers (200 `ok`). `GET /readyz`: 200 with the checks as JSON when the store
 * and WeCom answer, 503 naming what failed, or while draining. `GET /metrics`: Prometheus text format.
 * Anything else: 404; a method other than GET or HEAD: 405.
 *
 * With `access` (the handler PORT serves when no OPS_PORT exists), a request it does not grant gets
 * `/metrics` refused (401 or 403) and `/readyz` as its status code and `{"status"}` alone, which is all a
 * load balancer needs; error codes of the checks (`errcode 40001`: the corp secret is wrong) stay inside.
 */
export function createOpsHandler(deps: {
  metrics: Metrics;
  readiness: Readiness;
  logger: Logger;
  access?: OpsAccessCheck;
}): OpsHandler {
  const { access } = deps;
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    [HEALTH_PATH]: async (_req, res) => send(res, 200, 'text/plain; charset=utf-8', 'ok'),
    [READY_PATH]: async (req, res) => {
      const report = await deps.readiness.check();
      const status = report.status === 'ready' ? 200 : 503;
      const body = !access || access(req) === 'granted' ? report : { status: report.status };
      send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
    },
    [METRICS_PATH]: async (req, res) => {
      const allowed = access?.(req) ?? 'granted';
      if (allowed === 'unauthorized') {
        res.setHeader('www-authenticate', 'Bearer realm="metrics"');
        return send(res, 401, 'text/plain; charset=utf-8', 'unauthorized');
      }
      if (allowed === 'forbidden') return send(res, 403, 'text/plain; charset=utf-8', 'forbidden');
      const { contentType, text } = await deps.metrics.render();
      send(res, 200, contentType, text);
    },
  };
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes[path];
    if (!route) return send(res, 404, 'text/plain; charset=utf-8', 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed');
    }
    route(req, res).catch((error: unknown) => {
      deps.logger.error({ err: error, path }, 'ops endpoint failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'error');
      else res.end();
    });
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
