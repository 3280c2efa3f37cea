/** Admin-only provider actions (`install`, `status`): what the service asks of the provider modes. */
import { ForbiddenError, ProviderError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import type { Requester } from '../store/index.js';
import type { ServiceContext } from './context.js';
import type { ContactWayService } from './types.js';

/** What `/contactway status` shows of a workspace's provider binding. */
export interface ProviderStatus {
  mode: 'customized' | 'third-party';
  suiteId: string;
  /** The corp this workspace is bound to, if any. */
  binding?:
    | {
        authCorpId: string;
        corpName?: string | undefined;
        agentId?: number | undefined;
        /** The app's visible range (get_auth_info at install and at each change_auth); undefined if unknown. */
        visible?: { parties: number[]; users: number; tags: number[] } | undefined;
        tenant: 'active' | 'cancelled' | 'lost' | 'unknown';
        boundAtMs: number;
      }
    | undefined;
  /** The newest suite_ticket: how old, and whether WeCom refused it; undefined when none is held. */
  ticket?: { ageMs: number; refused: boolean } | undefined;
  /** The corp token's state for this workspace. */
  token: 'waiting_for_ticket' | 'ok' | 'lost' | 'not_bound';
  /** How many corps installed (from WeCom's app market) no workspace is bound to; never which (other tenants). */
  unbound: number;
}

/** The provider side the service reaches (src/provider implements it); absent in self-built mode. */
export interface ProviderAdmin {
  /** A one-time install link for the requester's workspace: WeCom's install page, with a stored state. */
  installLink(requester: Requester, locale: 'en' | 'zh'): Promise<{ url: string; expiresInS: number }>;
  status(requester: Requester): Promise<ProviderStatus>;
}

export function notProviderMode(): ProviderError {
  return new ProviderError(
    'provider.not_provider_mode',
    t(
      'This bot runs as one corp’s own app (WECOM_MODE=self-built): there is nothing to install.',
      '本机器人以企业自建应用运行（WECOM_MODE=self-built），无需安装。',
    ),
  );
}

export function providerActions(
  ctx: ServiceContext,
): Pick<ContactWayService, 'installLink' | 'providerStatus'> {
  const { audited, isAdmin } = ctx;
  const admin = (requester: Requester, what: 'install' | 'status') => {
    if (!isAdmin(requester)) {
      throw new ForbiddenError(
        what === 'install'
          ? t(
              'Only admins can install the app into a corp: ADMINS lists them as platform:workspace:user (on the console: console:local:<login>).',
              '只有管理员可以将应用安装到企业：管理员由 ADMINS 指定，格式为 平台:工作区:用户（控制台为 console:local:<登录名>）。',
            )
          : t(
              'Only admins can see the provider status: ADMINS lists them.',
              '只有管理员可以查看服务商状态：管理员由 ADMINS 指定。',
            ),
      );
    }
    if (!ctx.provider) throw notProviderMode();
    return ctx.provider;
  };
  return {
    installLink(requester, locale) {
      return audited(requester, 'install', undefined, () =>
        admin(requester, 'install').installLink(requester, locale),
      );
    },
    providerStatus(requester) {
      return audited(requester, 'status', undefined, () => admin(requester, 'status').status(requester));
    },
  };
}
