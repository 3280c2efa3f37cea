import type Keyv from 'keyv';
import type { Logger } from '../base/logger.js';
import { DIRECTORY_PREFIX } from '../store/keys.js';
import { type DirectoryApi, isNotAllowed } from '../wecom/directory-api.js';
import type { DirectoryMember } from './snapshot.js';

/** Where a corp's learned plaintext → open userid pairs are kept (shared by instances; they never change). */
export const openIdsKey = (corp: string) => `${DIRECTORY_PREFIX}open-ids:${encodeURIComponent(corp)}`;
/** Long: an open userid is stable for the app's life in the corp; the TTL only drops a corp that left. */
const OPEN_IDS_TTL_MS = 30 * 24 * 3600_000;
/**
 * How long an id WeCom listed as invalid is not asked again: "若出错的次数较多,会导致1天不可调用" (§1.10),
 * so a mistyped id retried in a loop must not lock the corp out of the API for a day.
 */
const INVALID_FOR_MS = 10 * 60_000;
/** Typed garbage must not grow memory without end: past this many remembered refusals they are forgotten. */
const MAX_INVALID = 10_000;

/** A member as the requester typed them, and the id the corp's token accepts. */
export interface ResolvedMember {
  typed: string;
  /** The id to send: the member's open userid when known, else `typed` unchanged (WeCom then decides). */
  id: string;
  name?: string | undefined;
}

/**
 * Typed members → the ids a provider app's token accepts (the 2022 id upgrade: plaintext is refused with
 * 60111). The corp's directory answers first (its open ids, and names only one member has); plaintext
 * userids are converted with batch/userid_to_openuserid, once per corp and id, the answers kept in the store.
 * Runs in the corp's scope (the api is the corp's). Never throws on WeCom's account: an id it cannot convert
 * is sent as typed and WeCom's refusal names it.
 */
export function createOpenIdResolver(options: {
  api: Pick<DirectoryApi, 'openUserIds'>;
  store: Keyv;
  logger: Logger;
  now?: () => number;
}) {
  const { api, store, logger } = options;
  const now = options.now ?? Date.now;
  const learned = new Map<string, Map<string, string>>();
  const invalidUntil = new Map<string, number>();
  const loading = new Map<string, Promise<Map<string, string>>>();

  function pairsOf(corp: string): Promise<Map<string, string>> {
    const have = learned.get(corp);
    if (have) return Promise.resolve(have);
    let load = loading.get(corp);
    if (!load) {
      load = (async () => {
        const stored = await store.get(openIdsKey(corp)).catch((error: unknown) => {
          logger.warn({ err: error }, 'directory: stored open userids unreadable; asking WeCom again');
          return undefined;
        });
        const pairs = new Map<string, string>();
        if (stored && typeof stored === 'object') {
          for (const [k, v] of Object.entries(stored as Record<string, unknown>))
            if (typeof v === 'string') pairs.set(k, v);
        }
        learned.set(corp, pairs);
        return pairs;
      })().finally(() => loading.delete(corp));
      loading.set(corp, load);
    }
    return load;
  }

  return {
    /** The open userid learned for a plaintext userid in this corp, from memory (synchronous; pre-flight). */
    known(corp: string, userid: string): string | undefined {
      return learned.get(corp)?.get(userid.toLowerCase());
    },

    async resolve(
      corp: string,
      typed: readonly string[],
      lookup: (typed: string) => DirectoryMember | undefined,
    ): Promise<ResolvedMember[]> {
      const pairs = await pairsOf(corp);
      const ask = new Set<string>();
      for (const t of typed) {
        const key = t.toLowerCase();
        if (lookup(t) || pairs.has(key)) continue;
        if ((invalidUntil.get(`${corp}\n${key}`) ?? 0) > now()) continue;
        ask.add(t);
      }
      if (ask.size > 0) {
        try {
          const { open, invalid } = await api.openUserIds([...ask]);
          for (const [userid, openId] of open) pairs.set(userid.toLowerCase(), openId);
          if (invalidUntil.size + invalid.length > MAX_INVALID) invalidUntil.clear();
          for (const userid of invalid)
            invalidUntil.set(`${corp}\n${userid.toLowerCase()}`, now() + INVALID_FOR_MS);
          if (open.size > 0) {
            await store
              .set(openIdsKey(corp), Object.fromEntries(pairs), OPEN_IDS_TTL_MS)
              .catch((error: unknown) => {
                logger.warn({ err: error }, 'directory: open userids not stored; kept in memory');
              });
          }
        } catch (error) {
          // 代开发 installs from before the upgrade keep plaintext ids (48001 here): typed ids are theirs.
          if (isNotAllowed(error))
            logger.info(
              { errcode: error.errcode },
              'directory: userid_to_openuserid not allowed; members sent as typed',
            );
          else logger.warn({ err: error }, 'directory: userid_to_openuserid failed; members sent as typed');
        }
      }
      return typed.map((t) => {
        const member = lookup(t);
        const openId = pairs.get(t.toLowerCase());
        const named = member ?? (openId ? lookup(openId) : undefined);
        return { typed: t, id: member?.userid ?? openId ?? t, name: named?.name };
      });
    },
  };
}

export type OpenIdResolver = ReturnType<typeof createOpenIdResolver>;
