import type { webApi } from '@slack/bolt';
import { type Locale, toLocale } from '../../src/base/i18n.js';
import type { Logger } from '../../src/base/logger.js';
import { isTimeZone } from '../../src/base/time.js';

/**
 * The requester's language and time zone, from their Slack profile (`users.info` with `include_locale`,
 * scope users:read: `locale` and `tz`). No Slack payload carries them and the lookup is an API call, so it
 * never runs before an ack or a `views.open`: `peek` answers synchronously from the cache, `lookup` and
 * `timeZone` fetch (once, for both) after the ack.
 */
export interface LocaleResolver {
  /** The cached locale, if known; never calls Slack. */
  peek(teamId: string, userId: string): Locale | undefined;
  /** The locale, from the cache or Slack; the configured default when Slack cannot say. Never throws. */
  lookup(teamId: string, userId: string): Promise<Locale>;
  /** The person's IANA zone (`tz`), from the cache or Slack; undefined when Slack cannot say. Never throws. */
  timeZone(teamId: string, userId: string): Promise<string | undefined>;
  /** What Slack told of the person, without defaults (a notifier falls back to what it remembers). */
  profile(teamId: string, userId: string): Promise<Profile>;
}

export interface Profile {
  locale: Locale | undefined;
  timeZone: string | undefined;
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
  const cache = new Map<string, Profile & { until: number }>();
  const inFlight = new Map<string, Promise<Profile>>();

  const cached = (teamId: string, userId: string) => {
    const hit = cache.get(`${teamId}:${userId}`);
    return hit && hit.until > now() ? hit : undefined;
  };

  async function fetchProfile(key: string, userId: string): Promise<Profile> {
    try {
      const info = await client.users.info({ user: userId, include_locale: true });
      const tz = info.user?.tz;
      const profile = {
        locale: info.user?.locale ? toLocale(info.user.locale, fallback) : undefined,
        timeZone: tz && isTimeZone(tz) ? tz : undefined,
      };
      cache.set(key, { ...profile, until: now() + ttlMs });
      return profile;
    } catch (error) {
      logger.warn(
        { err: error, userId },
        'Slack users.info failed; using DEFAULT_LOCALE (is the users:read scope granted?)',
      );
      const profile = { locale: undefined, timeZone: undefined };
      cache.set(key, { ...profile, until: now() + failureTtlMs });
      return profile;
    } finally {
      inFlight.delete(key);
    }
  }

  function profile(teamId: string, userId: string): Promise<Profile> {
    const known = cached(teamId, userId);
    if (known) return Promise.resolve(known);
    const key = `${teamId}:${userId}`;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = fetchProfile(key, userId);
      inFlight.set(key, pending);
    }
    return pending;
  }

  return {
    peek: (teamId, userId) => {
      const hit = cached(teamId, userId);
      return hit ? (hit.locale ?? fallback) : undefined;
    },
    lookup: async (teamId, userId) => (await profile(teamId, userId)).locale ?? fallback,
    profile,
    timeZone: async (teamId, userId) => (await profile(teamId, userId)).timeZone,
  };
}
