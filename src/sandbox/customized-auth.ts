import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxCore } from './core.js';
import { readBody, send } from './http-io.js';
import type { ProviderPlatform } from './provider.js';
import { escapeHtml, page } from './qr.js';
import { Rejection } from './wecom-reply.js';

/** Where the sandbox's 带参 authorization "QR" opens: the page a corp admin's scan would lead to. */
export const CUSTOMIZED_AUTH_PATH = '/customized/auth';
/** get_customized_auth_url's qrcode_url lives 10 days (D-98744). */
const QRCODE_LIFE_S = 864_000;
/** "state … a-zA-Z0-9, ≤32 bytes" (D-98744). */
const STATE = /^[a-zA-Z0-9]{0,32}$/;

/** The QR codes handed out, by their code: the state each carries to create_auth. */
const issued = new WeakMap<ProviderPlatform, Map<string, { state: string }>>();

/**
 * `service/get_customized_auth_url` (provider_access_token): a 代开发 template's authorization QR carrying the
 * provider's state. The sandbox's qrcode_url is a page (WeCom's is the QR image a corp admin scans in the app).
 */
export function customizedAuthUrl(
  provider: ProviderPlatform,
  body: Record<string, unknown>,
  base: string,
): { qrcode_url: string; expires_in: number } {
  const state = body.state ?? '';
  if (typeof state !== 'string' || !STATE.test(state))
    throw new Rejection(40058, 'state must be a-zA-Z0-9, at most 32 bytes');
  const templates = body.templateid_list;
  if (!Array.isArray(templates) || templates.length === 0 || templates.length > 9)
    throw new Rejection(40058, 'templateid_list must list 1 to 9 template ids');
  // The sandbox plays one suite: only a 代开发 one is a template, and only its own id is known.
  if (provider.suite.kind !== 'customized' || templates.some((id) => id !== provider.suite.suiteId))
    throw new Rejection(40058, 'templateid_list names no 代开发 template of this provider');
  const code = randomBytes(16).toString('hex');
  const codes = issued.get(provider) ?? new Map<string, { state: string }>();
  issued.set(provider, codes);
  codes.set(code, { state });
  return { qrcode_url: `${base}${CUSTOMIZED_AUTH_PATH}?code=${code}`, expires_in: QRCODE_LIFE_S };
}

/**
 * The scan, played in a browser: GET lists the customer corps; POST authorizes the template in one of them and
 * pushes create_auth (AuthCode and the QR's State) to the template's callback URL, as WeCom does. 代开发 has no
 * redirect: the push is the only delivery. Returns false for another path.
 */
export async function handleCustomizedAuthPage(
  core: SandboxCore,
  provider: ProviderPlatform,
  method: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  if (url.pathname !== CUSTOMIZED_AUTH_PATH) return false;
  const html = (status: number, body: string) => send(res, status, 'text/html; charset=utf-8', page(body));
  const form = method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
  const code = form.get('code') ?? '';
  const qr = issued.get(provider)?.get(code);
  if (!qr) {
    html(404, '<p class="spent">This authorization QR code is unknown.<br>此授权二维码无效。</p>');
    return true;
  }
  if (method === 'GET') {
    html(200, corpsPage(provider, code));
    return true;
  }
  if (method !== 'POST') return false;
  const corpId = form.get('corp_id') ?? '';
  if (!provider.customer(corpId)) {
    html(400, '<p class="spent">Unknown corp.<br>未知的企业。</p>');
    return true;
  }
  const authCode = provider.issueAuthCode(corpId, qr.state || undefined);
  const delivered = await provider.pushCreateAuth(authCode, qr.state || undefined).catch((error: unknown) => {
    core.logger.warn({ err: error }, 'sandbox: create_auth push failed');
    return undefined;
  });
  html(
    200,
    `<p id="authorized">Authorized: WeCom ${delivered ? 'told' : 'could not reach'} the provider (create_auth).<br>已授权。</p>`,
  );
  return true;
}

function corpsPage(provider: ProviderPlatform, code: string): string {
  const corps = provider.corpIds.map((corpId) => {
    const customer = provider.customer(corpId);
    const name = customer?.options.corpName ?? corpId;
    return `<form method="post" action="${CUSTOMIZED_AUTH_PATH}"><input type="hidden" name="code" value="${escapeHtml(code)}"><input type="hidden" name="corp_id" value="${escapeHtml(corpId)}">
<button type="submit">Authorize in ${escapeHtml(name)} / 授权</button></form>`;
  });
  return `<h1>Authorize ${escapeHtml(provider.suite.suiteId)} / 授权代开发应用</h1>
<p>In WeCom a corp admin scans this QR code in the app. Here, pick the corp the scan is made as.<br>在企业微信中由企业管理员扫码授权；此处请选择扫码的企业。</p>
${corps.join('\n')}`;
}
