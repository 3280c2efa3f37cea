import type { IncomingMessage } from 'node:http';
import type { CorpWorld } from './corp-world.js';
import { customizedAuthUrl } from './customized-auth.js';
import { jsonBody } from './json-body.js';
import type { ProviderPlatform } from './provider.js';
import { Rejection } from './wecom-reply.js';

/** The provider endpoints by path, with the names faults and stats use. */
export const PROVIDER_APIS = {
  '/cgi-bin/service/get_suite_token': 'get_suite_token',
  '/cgi-bin/service/get_pre_auth_code': 'get_pre_auth_code',
  '/cgi-bin/service/set_session_info': 'set_session_info',
  '/cgi-bin/service/get_permanent_code': 'get_permanent_code',
  '/cgi-bin/service/v2/get_permanent_code': 'get_permanent_code_v2',
  '/cgi-bin/service/get_auth_info': 'get_auth_info',
  '/cgi-bin/service/v2/get_auth_info': 'get_auth_info_v2',
  '/cgi-bin/service/get_corp_token': 'get_corp_token',
  '/cgi-bin/service/get_provider_token': 'get_provider_token',
  '/cgi-bin/service/get_customized_auth_url': 'get_customized_auth_url',
} as const;
export type ProviderApiName = (typeof PROVIDER_APIS)[keyof typeof PROVIDER_APIS];
export const PROVIDER_API_NAMES = Object.values(PROVIDER_APIS);

/** "因历史原因,该接口在调用失败时才返回errcode" (D-90605, D-97162): these answer success without errcode. */
export const NO_ERRCODE_ON_SUCCESS: ReadonlySet<string> = new Set([
  'get_suite_token',
  'get_corp_token',
  'get_provider_token',
]);

export function providerApiOf(pathname: string): ProviderApiName | undefined {
  return Object.hasOwn(PROVIDER_APIS, pathname)
    ? PROVIDER_APIS[pathname as keyof typeof PROVIDER_APIS]
    : undefined;
}

/** One provider endpoint's answer (merged into `{errcode: 0, errmsg: 'ok'}` unless listed above). */
export async function providerCall(
  provider: ProviderPlatform,
  name: ProviderApiName,
  req: IncomingMessage,
  url: URL,
  /** The sandbox's own base URL, for the links it hands out. */
  base: string,
): Promise<Record<string, unknown>> {
  const creds = provider.credentials;
  if (name === 'get_pre_auth_code') {
    creds.checkSuiteToken(url.searchParams.get('suite_access_token'));
    return creds.preAuthCode();
  }
  if (req.method !== 'POST') throw new Rejection(40058, `${name} requires POST`);
  const body = await jsonBody(req);
  switch (name) {
    case 'get_suite_token':
      return creds.suiteToken(body);
    case 'get_provider_token':
      return creds.providerAccessToken(body, provider.providerCorpId, provider.providerSecret);
    case 'get_customized_auth_url':
      creds.checkProviderToken(url.searchParams.get('provider_access_token'));
      return customizedAuthUrl(provider, body, base);
    default:
      break;
  }
  creds.checkSuiteToken(url.searchParams.get('suite_access_token'));
  switch (name) {
    case 'set_session_info':
      creds.sessionInfo(body);
      return {};
    case 'get_permanent_code':
    case 'get_permanent_code_v2':
      return permanentCode(provider, body, name === 'get_permanent_code');
    case 'get_auth_info':
    case 'get_auth_info_v2': {
      const customer = provider.authorized(body.auth_corpid, body.permanent_code);
      return {
        auth_corp_info: corpInfo(provider, customer.install.corpId, 'full'),
        auth_info: authInfo(provider, customer.install.corpId),
      };
    }
    case 'get_corp_token': {
      // A 代开发 permanent code is the app's secret, for gettoken: get_corp_token refuses it (easywechat #2569).
      if (provider.suite.kind === 'customized') throw new Rejection(40084, 'a customized app uses gettoken');
      const customer = provider.authorized(body.auth_corpid, body.permanent_code);
      return customer.world.tokens.issue();
    }
  }
}

/**
 * gettoken for a 代开发 install: corpid = the corp id the app sees, corpsecret = the permanent code (D-97164).
 * Undefined when the corpid is none of the provider's customers (the self-built corp answers then).
 */
export function customizedToken(
  provider: ProviderPlatform,
  corpid: string,
  secret: string | null,
): { world: CorpWorld; secretOk: boolean } | undefined {
  const customer = provider.customer(corpid);
  if (!customer || customer.world.ids.corp() !== corpid) return undefined;
  const install = customer.install;
  const secretOk = provider.suite.kind === 'customized' && provider.permanentCodeOk(install, secret);
  return { world: customer.world, secretOk };
}

function permanentCode(
  provider: ProviderPlatform,
  body: Record<string, unknown>,
  v1: boolean,
): Record<string, unknown> {
  const { customer, permanentCode } = provider.exchange(body.auth_code);
  const { install } = customer;
  const admin = provider.admin(customer);
  const open = admin ? customer.world.ids.user(admin.userid) : undefined;
  const common = {
    permanent_code: permanentCode,
    ...(admin ? { auth_user_info: { userid: open, open_userid: open, name: admin.name, avatar: '' } } : {}),
    ...(install.state ? { state: install.state } : {}),
  };
  // v2 carries the corp's id and name only: get_corp_token and get_auth_info v2 come next (D-100776).
  if (!v1) return { ...common, auth_corp_info: corpInfo(provider, install.corpId, 'short') };
  return {
    // v1 includes a corp token, except for 代开发 (is_customized_app, no access_token).
    ...(provider.suite.kind === 'third-party' ? customer.world.tokens.issue() : {}),
    ...common,
    auth_corp_info: corpInfo(provider, install.corpId, 'full'),
    auth_info: authInfo(provider, install.corpId),
  };
}

function corpInfo(
  provider: ProviderPlatform,
  corpId: string,
  shape: 'short' | 'full',
): Record<string, unknown> {
  const customer = provider.customer(corpId);
  if (!customer) throw new Rejection(2000002);
  const short = { corpid: customer.world.ids.corp(), corp_name: customer.options.corpName };
  if (shape === 'short') return short;
  return {
    ...short,
    corp_type: 'verified',
    corp_square_logo_url: '',
    corp_user_max: 200,
    corp_full_name: customer.options.corpName,
    verified_end_time: 0,
    subject_type: 1,
    corp_wxqrcode: '',
    corp_scale: '1-50人',
    corp_industry: '医疗',
    corp_sub_industry: '医院',
  };
}

/** The app's agent and its visible range (allow_user in open ids), as get_auth_info and v1 answer it. */
function authInfo(provider: ProviderPlatform, corpId: string): Record<string, unknown> {
  const customer = provider.customer(corpId);
  if (!customer?.install) throw new Rejection(40084);
  const range = customer.options.visible ?? { parties: [1] };
  return {
    agent: [
      {
        agentid: customer.install.agentId,
        name: 'contactway',
        square_logo_url: '',
        round_logo_url: '',
        appid: 1,
        auth_mode: 0,
        is_customized_app: provider.suite.kind === 'customized',
        auth_from_thirdapp: false,
        privilege: {
          level: 1,
          allow_party: range.parties ?? [],
          allow_user: (range.users ?? []).map((u) => customer.world.ids.user(u)),
          allow_tag: [],
          extra_party: [],
          extra_user: [],
          extra_tag: [],
        },
      },
    ],
  };
}
