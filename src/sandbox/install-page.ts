import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxCore } from './core.js';
import { readBody, send } from './http-io.js';
import type { ProviderPlatform } from './provider.js';
import { escapeHtml, page } from './qr.js';
import { Rejection } from './wecom-reply.js';

/** WeCom's install URL path (D-90597): https://open.work.weixin.qq.com/3rdapp/install?suite_id&pre_auth_code&… */
export const INSTALL_PATH = '/3rdapp/install';
/** "state … a-zA-Z0-9, ≤128 bytes" (D-90597). */
const STATE = /^[a-zA-Z0-9]{0,128}$/;

interface InstallRequest {
  preAuthCode: string;
  redirectUri: URL;
  state: string;
  authType: number;
}

/**
 * The install page a corp admin lands on, and its redirect: GET shows the customer corps, each with an install
 * button (the admin "scans" as that corp); POST installs, redirects to `redirect_uri?auth_code&expires_in=600
 * &state` and, unless turned off, also pushes create_auth. Returns false when the path is not ours.
 */
export async function handleInstallPage(
  core: SandboxCore,
  provider: ProviderPlatform,
  method: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  if (url.pathname !== INSTALL_PATH) return false;
  if (method === 'GET') {
    const checked = check(provider, url.searchParams);
    if (typeof checked === 'string') send(res, 400, 'text/html; charset=utf-8', refusal(checked));
    else send(res, 200, 'text/html; charset=utf-8', installPage(provider, url.searchParams));
    return true;
  }
  if (method !== 'POST') return false;
  const form = new URLSearchParams(await readBody(req));
  const checked = check(provider, form);
  const corpId = form.get('corp_id') ?? '';
  if (typeof checked === 'string' || !provider.customer(corpId)) {
    send(
      res,
      400,
      'text/html; charset=utf-8',
      refusal(typeof checked === 'string' ? checked : 'unknown corp'),
    );
    return true;
  }
  const authCode = provider.issueAuthCode(corpId, checked.state || undefined, checked.authType);
  const target = new URL(checked.redirectUri);
  target.searchParams.set('auth_code', authCode);
  target.searchParams.set('expires_in', '600');
  target.searchParams.set('state', checked.state);
  send(res, 302, 'text/html; charset=utf-8', page('<p>Installed; redirecting…</p>'), {
    location: target.toString(),
  });
  if (provider.createAuthOnRedirect) {
    provider
      .pushCreateAuth(authCode, checked.state || undefined)
      .catch((error: unknown) => core.logger.warn({ err: error }, 'sandbox: create_auth push failed'));
  }
  return true;
}

/** The request's fields, or why WeCom would refuse it. */
function check(provider: ProviderPlatform, params: URLSearchParams): InstallRequest | string {
  if (params.get('suite_id') !== provider.suite.suiteId) return 'invalid suite_id (40083)';
  let authType: number;
  try {
    authType = provider.credentials.checkPreAuth(params.get('pre_auth_code')).authType;
  } catch (error) {
    if (!(error instanceof Rejection)) throw error;
    return error.errcode === 42007 ? 'pre_auth_code expired (42007)' : 'invalid pre_auth_code (40077)';
  }
  let redirectUri: URL;
  try {
    redirectUri = new URL(params.get('redirect_uri') ?? '');
  } catch {
    return 'redirect_uri must be an absolute URL';
  }
  if (!/^https?:$/.test(redirectUri.protocol)) return 'redirect_uri must be http(s)';
  const state = params.get('state') ?? '';
  if (!STATE.test(state)) return 'state must be a-zA-Z0-9, at most 128 characters';
  return { preAuthCode: params.get('pre_auth_code') as string, redirectUri, state, authType };
}

function installPage(provider: ProviderPlatform, params: URLSearchParams): string {
  const hidden = ['suite_id', 'pre_auth_code', 'redirect_uri', 'state']
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(params.get(k) ?? '')}">`)
    .join('');
  const corps = provider.corpIds.map((corpId) => {
    const customer = provider.customer(corpId);
    const name = customer?.options.corpName ?? corpId;
    const admin = customer ? provider.admin(customer)?.name : undefined;
    return `<form method="post" action="${INSTALL_PATH}">${hidden}<input type="hidden" name="corp_id" value="${escapeHtml(corpId)}">
<button type="submit">Install into ${escapeHtml(name)}${admin ? ` as ${escapeHtml(admin)}` : ''} / 授权安装</button></form>`;
  });
  return page(`<h1>Authorize ${escapeHtml(provider.suite.suiteId)} / 授权应用</h1>
<p>You are a customer corp's admin. Pick the corp to install the app into.<br>你是客户企业的管理员，请选择要授权安装的企业。</p>
${corps.join('\n')}`);
}

function refusal(reason: string): string {
  return page(
    `<p class="spent">This install link does not work: ${escapeHtml(reason)}.<br>安装链接无效。</p>`,
  );
}
