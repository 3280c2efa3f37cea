import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_IMAGE_BYTES } from '../media/image-kind.js';
import { CUSTOMER_ENDPOINTS, type CustomerEndpoint } from '../wecom/customer-schemas.js';
import { ENDPOINTS, type Endpoint } from '../wecom/schemas.js';
import { handleControl } from './control-routes.js';
import type { SandboxCore } from './core.js';
import type { CorpWorld } from './corp-world.js';
import { handleCustomizedAuthPage } from './customized-auth.js';
import { type DirectoryApiName, directoryApiOf, directoryCall } from './directory-routes.js';
import type { ApiName } from './faults.js';
import { BodyTooLarge, callerIp, readBytes, send, sendJson } from './http-io.js';
import { handleInstallPage } from './install-page.js';
import { jsonBody } from './json-body.js';
import {
  customizedToken,
  NO_ERRCODE_ON_SUCCESS,
  PROVIDER_API_NAMES,
  type ProviderApiName,
  providerApiOf,
  providerCall,
} from './provider-api.js';
import { handleProviderControl } from './provider-controls.js';
import type { FaultSpec } from './types.js';
import { errmsgFor, Rejection } from './wecom-reply.js';

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
  // The provider platform exists only when the sandbox was started with `provider`: self-built stays as it was.
  if (core.provider) {
    const providerApi = providerApiOf(url.pathname);
    if (providerApi) return api(core, providerApi, req, res, url);
    if (await handleInstallPage(core, core.provider, method, url, req, res)) return;
    if (await handleCustomizedAuthPage(core, core.provider, method, url, req, res)) return;
    if (await handleProviderControl(core.provider, method, url.pathname, req, res)) return;
  }
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
            : isProviderApi(name)
              ? await providerCall(
                  core.provider as NonNullable<SandboxCore['provider']>,
                  name,
                  req,
                  url,
                  core.url,
                )
              : await worldDirectoryCall(core, name, req, url);
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
  sendJson(res, 200, NO_ERRCODE_ON_SUCCESS.has(name) ? result : { errcode: 0, errmsg: 'ok', ...result });
}

function isProviderApi(name: ApiName): name is ProviderApiName {
  return (PROVIDER_API_NAMES as readonly string[]).includes(name);
}

/** The corp an access token reaches (the self-built one, or a provider's customer), after WeCom's checks. */
function worldOf(core: SandboxCore, url: URL): CorpWorld {
  const token = url.searchParams.get('access_token');
  const world = core.worldOf(token);
  world.tokens.check(token);
  return world;
}

async function worldDirectoryCall(
  core: SandboxCore,
  name: DirectoryApiName,
  req: IncomingMessage,
  url: URL,
): Promise<Record<string, unknown>> {
  const world = worldOf(core, url);
  if (!world.ids) return directoryCall(world, name, req, url.searchParams);
  if (name === 'userid_to_openuserid') {
    if (req.method !== 'POST') throw new Rejection(40058, `${name} requires POST`);
    return world.ids.openUserIds(await jsonBody(req));
  }
  const { query } = world.ids.inbound(name, {}, url.searchParams);
  return world.ids.outbound(name, await directoryCall(world, name, req, query));
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
  // The media_id belongs to the corp whose token uploaded it (checked at each use).
  const world = worldOf(core, url);
  if (req.method !== 'POST') throw new Rejection(40058, 'media/upload requires POST');
  let body: Buffer;
  try {
    body = await readBytes(req, MAX_UPLOAD_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLarge) throw new Rejection(40006, 'an image must be at most 10 MB');
    throw error;
  }
  const answer = core.media.upload(
    world.corpId,
    url.searchParams.get('type'),
    req.headers['content-type'],
    body,
  );
  core.remember('media/upload', { type: answer.type, media_id: answer.media_id, bytes: body.length });
  return answer;
}

function gettoken(core: SandboxCore, url: URL): Record<string, unknown> {
  const corpid = url.searchParams.get('corpid');
  const secret = url.searchParams.get('corpsecret');
  if (!corpid) throw new Rejection(41002);
  // A 代开发 install: the corp id its app sees, and the permanent code as the secret (D-97164).
  const customized =
    core.provider && corpid !== core.corpId ? customizedToken(core.provider, corpid, secret) : undefined;
  if (customized) {
    if (!secret) throw new Rejection(41004);
    if (!customized.secretOk) throw new Rejection(40001);
    return customized.world.tokens.issue();
  }
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
  const world = worldOf(core, url);
  // externalcontact/get is WeCom's one GET among them: its parameter is in the query.
  if (endpoint === 'get') {
    if (!world.ids) return world.customers.handle('get', url.searchParams, {});
    const { query } = world.ids.inbound('get', {}, url.searchParams);
    return world.ids.outbound('get', world.customers.handle('get', query, {}));
  }
  // The reference lists both 40003 and 40058 for "GET instead of POST"; 40003 means a bad userid to every
  // client, so the sandbox answers the generic invalid-parameter code.
  if (req.method !== 'POST') throw new Rejection(40058, `${endpoint} requires POST`);
  const body = await jsonBody(req);
  core.remember(endpoint, body);
  // A provider app's token: open ids in, plaintext to the corp, open ids out.
  const inbound = world.ids
    ? world.ids.inbound(endpoint, body, url.searchParams)
    : { body, query: url.searchParams };
  const result = (CUSTOMER_ENDPOINTS as readonly string[]).includes(endpoint)
    ? world.customers.handle(endpoint as CustomerEndpoint, inbound.query, inbound.body)
    : world.api.handle(endpoint as Endpoint, inbound.body);
  return world.ids ? world.ids.outbound(endpoint, result) : result;
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
