import type { webApi } from '@slack/bolt';
import { type Locale, toLocale } from '../../src/base/i18n.js';
import type { Logger } from '../../src/base/logger.js';

/**
 * The requester's language, from their Slack locale (`users.info` with `include_locale`, scope users:read).
 * No Slack payload carries the locale and the lookup is an API call, so it never runs before an ack or a
 * `views.open`: `peek` answers synchronously from the cache, `lookup` fetches after the ack.
 */
export interface LocaleResolver {
  /** The cached locale, if known; never calls Slack. */
  peek(teamId: string, userId: string): Locale | undefined;
  /** The locale, from the cache or Slack; the configured default when Slack cannot say. Never throws. */
  lookup(teamId: string, userId: string): Promise<Locale>;
}

export interface LocaleResolverOptions {
  client: webApi.WebClient;
  fallback: Locale;
  logger: Logger;
  /** How long a known locale is kept; people rarely switch. Default 6 h. */
  ttlMs?: number;
  /** How long a failed lookup is not retried (e.g. the app lacks users:read). Default 10 min. */
  failureTtlMs?: number;
  now?: () => number;
}

/** Creates the per-user locale cache (in memory: losing it on restart costs one API call per user). */
export function createLocaleResolver(options: LocaleResolverOptions): LocaleResolver {
  const { client, fallback, logger } = options;
  const ttlMs = options.ttlMs ?? 6 * 3_600_000;
  const failureTtlMs = options.failureTtlMs ?? 600_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { locale: Locale; until: number }>();
  const inFlight = new Map<string, Promise<Locale>>();

  const peek = (teamId: string, userId: string) => {
    const hit = cache.get(`${teamId}:${userId}`);
    return hit && hit.until > now() ? hit.locale : undefined;
  };

  async function fetchLocale(key: string, userId: string): Promise<Locale> {
    try {
      const info = await client.users.info({ user: userId, include_locale: true });
      const locale = toLocale(info.user?.locale, fallback);
      cache.set(key, { locale, until: now() + ttlMs });
      return locale;
    } catch (error) {
      logger.warn(
        { err: error, userId },
        'Slack users.info failed; using DEFAULT_LOCALE (is the users:read scope granted?)',
      );
      cache.set(key, { locale: fallback, until: now() + failureTtlMs });
      return fallback;
    } finally {
      inFlight.delete(key);
    }
  }

  return {
    peek,
    lookup(teamId, userId) {
      const known = peek(teamId, userId);
      if (known) return Promise.resolve(known);
      const key = `${teamId}:${userId}`;
      let pending = inFlight.get(key);
      if (!pending) {
        pending = fetchLocale(key, userId);
        inFlight.set(key, pending);
      }
      return pending;
    },
  };
}
