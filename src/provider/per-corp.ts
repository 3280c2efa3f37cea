import { currentCorp } from '../base/corp-scope.js';
import type { TokenSource } from '../wecom/token-source.js';

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
