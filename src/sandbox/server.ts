import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_IMAGE_BYTES } from '../media/image-kind.js';
import { CUSTOMER_ENDPOINTS, type CustomerEndpoint } from '../wecom/customer-schemas.js';
import { ENDPOINTS, type Endpoint } from '../wecom/schemas.js';
import { handleControl } from './control-routes.js';
import type { SandboxCore } from './core.js';
import { directoryApiOf, directoryCall } from './directory-routes.js';
import type { ApiName } from './faults.js';
import { BodyTooLarge, callerIp, readBody, readBytes, send, sendJson } from './http-io.js';
import { isPlainObject } from './rules.js';
import type { FaultSpec } from './types.js';
import { errmsgFor, Rejection, wrongJson } from './wecom-reply.js';

const ENDPOINT_PATH = /^\/cgi-bin\/externalcontact\/([a-z_]+(?:\/[a-z_]+)?)$/;

/** Routes one HTTP request: WeCom's API under /cgi-bin, the sandbox's own pages and controls under /sandbox. */
export function createRequestHandler(core: SandboxCore) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    route(core, req, res)
      .catch((error: unknown) => {
        core.logger.error({ err: error }, 'sandbox: request failed');
        send(res, 500, 'text/plain; charset=utf-8', 'sandbox internal error');
      })
      .finally(() => core.changed());
  };
}

async function route(core: SandboxCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const method = req.method ?? 'GET';
  if (url.pathname === '/cgi-bin/gettoken') return api(core, 'gettoken', req, res, url);
  const endpoint = ENDPOINT_PATH.exec(url.pathname)?.[1];
  if (endpoint && (ENDPOINTS as readonly string[]).includes(endpoint))
    return api(core, endpoint as Endpoint, req, res, url);
  if (endpoint && (CUSTOMER_ENDPOINTS as readonly string[]).includes(endpoint))
    return api(core, endpoint as CustomerEndpoint, req, res, url);
  if (url.pathname === '/cgi-bin/media/upload') return api(core, 'media/upload', req, res, url);
  const directoryApi = directoryApiOf(url.pathname);
  if (directoryApi) return api(core, directoryApi, req, res, url);
  if (url.pathname.startsWith('/sandbox/') && (await handleControl(core, method, url.pathname, req, res)))
    return;
  send(res, 404, 'text/plain; charset=utf-8', 'not found');
}

async function api(
  core: SandboxCore,
  name: ApiName,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  core.count(name);
  if (core.latencyMs > 0) {
    try {
      await sleep(core.latencyMs, undefined, { signal: core.closing.signal });
    } catch {
      return; // closing: the connection is being destroyed anyway
    }
  }
  const fault = core.faults.take(name);
  if (fault) return serveFault(core, fault, req, res);
  let result: Record<string, unknown>;
  try {
    result =
      name === 'gettoken'
        ? gettoken(core, url)
        : name === 'media/upload'
          ? await mediaUpload(core, req, url)
          : isEndpoint(name)
            ? await endpointCall(core, name, req, url)
            : await directoryCall(core, name, req, url);
  } catch (error) {
    if (!(error instanceof Rejection)) throw error;
    return answer(
      core,
      req,
      res,
      error.errcode,
      errmsgFor(error.errcode, error.detail, callerIp(req), core.now()),
    );
  }
  core.logger.debug({ api: name, errcode: 0 }, 'sandbox call');
  sendJson(res, 200, { errcode: 0, errmsg: 'ok', ...result });
}

function isEndpoint(name: ApiName): name is Endpoint | CustomerEndpoint {
  return (
    (ENDPOINTS as readonly string[]).includes(name) ||
    (CUSTOMER_ENDPOINTS as readonly string[]).includes(name)
  );
}

/** The multipart part may carry a 10 MB image; a little more for the part headers and boundaries. */
const MAX_UPLOAD_BODY_BYTES = MAX_IMAGE_BYTES + 64 * 1024;

async function mediaUpload(
  core: SandboxCore,
  req: IncomingMessage,
  url: URL,
): Promise<Record<string, unknown>> {
  core.tokens.check(url.searchParams.get('access_token'));
  if (req.method !== 'POST') throw new Rejection(40058, 'media/upload requires POST');
  let body: Buffer;
  try {
    body = await readBytes(req, MAX_UPLOAD_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLarge) throw new Rejection(40006, 'an image must be at most 10 MB');
    throw error;
  }
  const answer = core.media.upload(url.searchParams.get('type'), req.headers['content-type'], body);
  core.remember('media/upload', { type: answer.type, media_id: answer.media_id, bytes: body.length });
  return answer;
}

function gettoken(core: SandboxCore, url: URL): Record<string, unknown> {
  const corpid = url.searchParams.get('corpid');
  const secret = url.searchParams.get('corpsecret');
  if (!corpid) throw new Rejection(41002);
  if (corpid !== core.corpId) throw new Rejection(40013);
  if (!secret) throw new Rejection(41004);
  if (secret !== core.corpSecret) throw new Rejection(40001);
  return core.tokens.issue();
}

async function endpointCall(
  core: SandboxCore,
  endpoint: Endpoint | CustomerEndpoint,
  req: IncomingMessage,
  url: URL,
): Promise<Record<string, unknown>> {
  core.tokens.check(url.searchParams.get('access_token'));
  // externalcontact/get is WeCom's one GET among them: its parameter is in the query.
  if (endpoint === 'get') return core.customers.handle('get', url.searchParams, {});
  // The reference lists both 40003 and 40058 for "GET instead of POST"; 40003 means a bad userid to every
  // client, so the sandbox answers the generic invalid-parameter code.
  if (req.method !== 'POST') throw new Rejection(40058, `${endpoint} requires POST`);
  let text: string;
  try {
    text = await readBody(req);
  } catch (error) {
    if (error instanceof BodyTooLarge) throw wrongJson('body too large');
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw wrongJson('invalid json');
  }
  if (!isPlainObject(body)) throw wrongJson('body must be a JSON object');
  core.remember(endpoint, body);
  if ((CUSTOMER_ENDPOINTS as readonly string[]).includes(endpoint))
    return core.customers.handle(endpoint as CustomerEndpoint, url.searchParams, body);
  return core.api.handle(endpoint as Endpoint, body);
}

function answer(
  core: SandboxCore,
  req: IncomingMessage,
  res: ServerResponse,
  errcode: number,
  errmsg: string,
  status = 200,
): void {
  core.logger.debug({ path: new URL(req.url ?? '/', 'http://sandbox').pathname, errcode }, 'sandbox call');
  // WeCom answers errors with HTTP 200 and the errcode in the body.
  sendJson(res, status, { errcode, errmsg });
}

function serveFault(core: SandboxCore, fault: FaultSpec, req: IncomingMessage, res: ServerResponse): void {
  if (fault.hang) {
    core.hanging.add(res);
    res.on('close', () => core.hanging.delete(res));
    return;
  }
  if (fault.garbage) {
    // Labelled JSON but not JSON, like a captive portal or a broken proxy: the client must not trust the header.
    send(res, 200, 'application/json; charset=UTF-8', '<html><body>502 upstream garbage</body></html>');
    return;
  }
  if (fault.errcode !== undefined) {
    const errmsg = fault.errmsg ?? errmsgFor(fault.errcode, undefined, callerIp(req), core.now());
    answer(core, req, res, fault.errcode, errmsg, fault.status ?? 200);
    return;
  }
  const status = fault.status ?? 502;
  send(res, status, 'text/html', `<html><head><title>${status}</title></head><body>${status}</body></html>`);
}
