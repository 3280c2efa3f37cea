import type { Sandbox } from '../../src/sandbox/index.js';

export type Json = Record<string, unknown>;
/** A restarted sandbox listens on the same port: a kept-alive socket to the one before would be dead. */
const headers = { connection: 'close' };

/** A provider endpoint over HTTP: GET with query only, POST with a JSON body. */
export async function service(
  sb: Sandbox,
  path: string,
  query: Record<string, string>,
  body?: unknown,
): Promise<Json> {
  const url = `${sb.url}/cgi-bin/service/${path}?${new URLSearchParams(query)}`;
  const res = await fetch(
    url,
    body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) },
  );
  return (await res.json()) as Json;
}

/** A corp-token WeCom API call (externalcontact/*, user/*). */
export async function wecom(sb: Sandbox, path: string, token: string, body?: unknown, query: Json = {}) {
  const q = new URLSearchParams({ access_token: token, ...(query as Record<string, string>) });
  const res = await fetch(
    `${sb.url}/cgi-bin/${path}?${q}`,
    body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) },
  );
  return (await res.json()) as Json;
}

/** A ticket pushed now, then the suite token it buys. */
export async function suiteToken(sb: Sandbox): Promise<string> {
  const provider = sb.provider!;
  const { ticket } = await provider.pushTicket();
  const res = await service(
    sb,
    'get_suite_token',
    {},
    {
      suite_id: provider.suite.suiteId,
      suite_secret: provider.suite.suiteSecret,
      suite_ticket: ticket,
    },
  );
  return res.suite_access_token as string;
}

/**
 * The admin's side of an install from our own link: pre_auth_code, the install page, the click. Answers the
 * auth_code and state the redirect carried.
 */
export async function installViaPage(
  sb: Sandbox,
  suiteAccessToken: string,
  corpId: string,
  state = 'abc123',
  preAuthCode?: string,
): Promise<{ authCode: string; location: URL }> {
  const pre =
    preAuthCode ??
    (await service(sb, 'get_pre_auth_code', { suite_access_token: suiteAccessToken })).pre_auth_code;
  const params = {
    suite_id: sb.provider!.suite.suiteId,
    pre_auth_code: pre as string,
    redirect_uri: 'https://bot.example/wecom/install',
    state,
  };
  const form = new URLSearchParams({ ...params, corp_id: corpId });
  const res = await fetch(`${sb.url}/3rdapp/install`, { method: 'POST', body: form, redirect: 'manual' });
  if (res.status !== 302) throw new Error(`install answered ${res.status}`);
  const location = new URL(res.headers.get('location') ?? '');
  return { authCode: location.searchParams.get('auth_code') ?? '', location };
}
