/**
 * Many corps in one process: every service call a requester makes runs in the corp its workspace is bound to
 * (per-corp.ts carries it through the call), so it uses that corp's token and sees only that corp's records.
 */

import { inCorp, inNoCorp } from '../base/corp-scope.js';
import { ProviderError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import type { ContactWayService } from '../service/types.js';
import type { Requester } from '../store/record-schema.js';
import type { Binding } from './installs.js';

/**
 * A workspace bound to no corp while others are: it may not fall back to the one installed corp, which is
 * another workspace's.
 */
export function notBound(): ProviderError {
  return new ProviderError(
    'provider.not_bound',
    t(
      'This workspace is bound to no WeCom corp yet: an admin runs /contactway install.',
      '本工作区尚未绑定企业微信企业：请管理员运行 /contactway install。',
    ),
  );
}

/**
 * Each asynchronous method whose first argument is the requester (or actor): `bound` ones refuse an unbound
 * workspace while others are bound; `any` ones (the access check, and how a workspace gets bound at all) run
 * in the bound corp if there is one and otherwise in none. The synchronous policy answers need no corp. A
 * method added to the service does not compile until it is placed here.
 */
const RULES = {
  create: 'bound',
  list: 'bound',
  show: 'bound',
  update: 'bound',
  delete: 'bound',
  closeTempChat: 'bound',
  closeSession: 'bound',
  way: 'bound',
  usage: 'bound',
  sync: 'bound',
  auditTrail: 'bound',
  requestLink: 'bound',
  decideLink: 'bound',
  linkUser: 'bound',
  unlink: 'bound',
  checkAccess: 'any',
  installLink: 'any',
  providerStatus: 'any',
} as const satisfies Record<
  Exclude<keyof ContactWayService, 'accessDenied' | 'isAdmin' | 'mappedUser' | 'memberScope'>,
  'bound' | 'any'
>;

export function scopeByWorkspace(
  service: ContactWayService,
  installs: {
    bindingOf: (platform: string, workspaceId: string) => Promise<Binding | undefined>;
    anyBound: () => Promise<boolean>;
  },
  /** The one active installed corp, undefined when none or several are. */
  soleCorp: () => Promise<string | undefined>,
): ContactWayService {
  const scoped = { ...service };
  for (const [name, rule] of Object.entries(RULES)) {
    const method = service[name as keyof typeof RULES] as (
      requester: Requester,
      ...rest: unknown[]
    ) => Promise<unknown>;
    (scoped as Record<string, unknown>)[name] = async (requester: Requester, ...rest: unknown[]) => {
      const binding = await installs.bindingOf(requester.platform, requester.workspaceId);
      const run = () => method.call(service, requester, ...rest);
      if (binding) return inCorp(binding.authCorpId, run);
      if (rule === 'any') return inNoCorp(run);
      // Unbound: the one corp installed (from the app market, unbound) serves it, unless it is someone's.
      if (await installs.anyBound()) throw notBound();
      const sole = await soleCorp();
      return sole ? inCorp(sole, run) : inNoCorp(run);
    };
  }
  return scoped;
}
