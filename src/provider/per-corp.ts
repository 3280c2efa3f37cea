import { AsyncLocalStorage } from 'node:async_hooks';
import { ProviderError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import type { ContactWayService } from '../service/types.js';
import type { Requester } from '../store/record-schema.js';
import type { TokenSource } from '../wecom/token-source.js';
import type { Binding } from './installs.js';

/**
 * Many corps in one process: the corp a request works in, from the workspace its requester came from (the
 * binding `install` made), carried through every await of that request. WeCom clients built with `perCorp`
 * read it at each call, so one workspace's requests use only its own corp's token.
 */
const storage = new AsyncLocalStorage<{ authCorpId: string }>();

export function inCorp<T>(authCorpId: string, work: () => T): T {
  return storage.run({ authCorpId }, work);
}

export function currentCorp(): string | undefined {
  return storage.getStore()?.authCorpId;
}

/**
 * A client that, at each call, is the one of the current corp (made on first use with that corp's token
 * source), or `sole` outside any corp (the one installed corp, or a clear error when several are).
 */
export function perCorp<T extends object>(
  tokens: { sole: TokenSource; of: (authCorpId: string) => TokenSource },
  make: (tokens: TokenSource) => T,
): T {
  const sole = make(tokens.sole);
  const clients = new Map<string, T>();
  const pick = (): T => {
    const corp = currentCorp();
    if (corp === undefined) return sole;
    let client = clients.get(corp);
    if (!client) {
      client = make(tokens.of(corp));
      clients.set(corp, client);
    }
    return client;
  };
  return new Proxy(sole, {
    get(_target, property) {
      const client = pick();
      const value: unknown = Reflect.get(client, property);
      return typeof value === 'function' ? value.bind(client) : value;
    },
  });
}

/** The service calls that reach WeCom: each runs in the corp its requester's workspace is bound to. */
const REACHES_WECOM = [
  'create',
  'show',
  'update',
  'delete',
  'closeTempChat',
  'closeSession',
  'sync',
] as const satisfies readonly (keyof ContactWayService)[];

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

export function scopeByWorkspace(
  service: ContactWayService,
  installs: {
    bindingOf: (platform: string, workspaceId: string) => Promise<Binding | undefined>;
    anyBound: () => Promise<boolean>;
  },
): ContactWayService {
  const scoped = { ...service };
  for (const name of REACHES_WECOM) {
    const method = service[name] as (requester: Requester, ...rest: unknown[]) => Promise<unknown>;
    (scoped as Record<string, unknown>)[name] = async (requester: Requester, ...rest: unknown[]) => {
      const binding = await installs.bindingOf(requester.platform, requester.workspaceId);
      const run = () => method.call(service, requester, ...rest);
      if (binding) return inCorp(binding.authCorpId, run);
      // Unbound: the one corp installed (from the app market, unbound) serves it, unless it is someone's.
      if (await installs.anyBound()) throw notBound();
      return run();
    };
  }
  return scoped;
}
