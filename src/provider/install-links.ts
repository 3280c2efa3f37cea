import { z } from 'zod';
import { ProviderError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import type { WecomCaller } from '../wecom/caller.js';

/** WeCom's page where a corp admin authorizes the app: its URL and how long it works. */
export interface WecomInstallPage {
  url: string;
  expiresInS: number;
}

/**
 * A third-party app's install page (D-90597): a pre_auth_code with its session (auth_type), and the redirect
 * back to us carrying the state.
 */
export async function thirdPartyInstallPage(args: {
  suite: Pick<WecomCaller, 'call'>;
  installBase: string;
  suiteId: string;
  redirectUri: string;
  state: string;
  authType: 0 | 1;
}): Promise<WecomInstallPage> {
  const { suite } = args;
  const { pre_auth_code: code, expires_in: expiresInS } = await suite.call(
    'get_pre_auth_code',
    (token) => ({
      endpoint: 'get_pre_auth_code',
      method: 'GET',
      path: '/cgi-bin/service/get_pre_auth_code',
      query: { suite_access_token: token },
      secrets: [token],
    }),
    z.looseObject({ pre_auth_code: z.string().min(1).max(512), expires_in: z.number().int() }),
  );
  await suite.call(
    'set_session_info',
    (token) => ({
      endpoint: 'set_session_info',
      method: 'POST',
      path: '/cgi-bin/service/set_session_info',
      query: { suite_access_token: token },
      body: { pre_auth_code: code, session_info: { auth_type: args.authType } },
      secrets: [token],
    }),
    z.unknown(),
  );
  const link = new URL('/3rdapp/install', args.installBase);
  link.searchParams.set('suite_id', args.suiteId);
  link.searchParams.set('pre_auth_code', code);
  link.searchParams.set('redirect_uri', args.redirectUri);
  link.searchParams.set('state', args.state);
  return { url: link.toString(), expiresInS };
}

/**
 * A 代开发 template's authorization QR carrying our state (`get_customized_auth_url`, D-98744): 代开发 has no
 * install page or redirect, so the state comes back only in the create_auth push. It needs the provider token,
 * hence WECOM_PROVIDER_SECRET; without it the admin is told how else to install.
 */
export async function customizedAuthPage(args: {
  provider: Pick<WecomCaller, 'call'> | undefined;
  templateId: string;
  state: string;
}): Promise<WecomInstallPage> {
  if (!args.provider) throw needsProviderSecret();
  const { qrcode_url: url, expires_in: expiresInS } = await args.provider.call(
    'get_customized_auth_url',
    (token) => ({
      endpoint: 'get_customized_auth_url',
      method: 'POST',
      path: '/cgi-bin/service/get_customized_auth_url',
      query: { provider_access_token: token },
      body: { state: args.state, templateid_list: [args.templateId] },
      secrets: [token],
    }),
    z.looseObject({ qrcode_url: z.url({ protocol: /^https?$/ }), expires_in: z.number().int() }),
  );
  return { url, expiresInS };
}

function needsProviderSecret(): ProviderError {
  return new ProviderError(
    'provider.no_provider_secret',
    t(
      'A 代开发 app is installed from its template’s authorization QR code. To make one from chat (bound to this workspace), the bot needs WECOM_PROVIDER_SECRET (服务商管理后台 → 通用开发参数 → ProviderSecret). Without it, a corp admin scans the template’s QR in the provider console and an admin binds nothing: the only installed corp serves every workspace.',
      '代开发应用通过模板的授权二维码安装。要在聊天中生成（并绑定到本工作区）的二维码，机器人需要 WECOM_PROVIDER_SECRET（服务商管理后台 → 通用开发参数 → ProviderSecret）。否则请企业管理员扫描服务商后台中的模板二维码，此时不绑定工作区：唯一安装的企业服务所有工作区。',
    ),
  );
}
