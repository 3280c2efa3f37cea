/**
 * Chat users linked to WeCom members by `link` (commands/link.ts), and the requests waiting for an admin.
 * USER_MAP stays the seed; a stored link wins over it (policy.ts), so an admin fixes a wrong seed without a
 * restart. The policy asks synchronously (a form must open within 3 s), so links are kept in memory: loaded
 * at start, refreshed after every change made here, and re-read every `refreshMs` for changes another
 * instance made (a link made elsewhere is seen here within that interval).
 */
import { createHash } from 'node:crypto';
import type { Keyv } from 'keyv';
import { z } from 'zod';
import { storeCall } from '../base/store-call.js';
import type { StoreLogger } from '../base/store-logger.js';
import { LINK_PREFIX, LINK_REQUEST_PREFIX } from './keys.js';
import { readValid } from './read-valid.js';
import { scanKeys } from './scan-keys.js';

const isoDateTime = z.iso.datetime({ offset: true });

/** One link: a chat identity (requester key) → a WeCom userid, who made it and when. */
export const linkSchema = z.object({ userid: z.string().min(1).max(64), by: z.string(), at: isoDateTime });
export type Link = z.infer<typeof linkSchema>;

/** A requester's `link <userid>` waiting for an admin. */
export const linkRequestSchema = z.object({
  requester: z.string().min(1).max(512),
  userid: z.string().min(1).max(64),
  at: isoDateTime,
});
export type LinkRequest = z.infer<typeof linkRequestSchema>;

/** How long a request waits for an admin: as long as the Approve button it is sent with works. */
export const LINK_REQUEST_TTL_MS = 15 * 86_400_000;

/**
 * The id of a requester's pending request: a digest of their key, so one requester has at most one request
 * (a new one replaces it) and the id fits where a button carries a config_id.
 */
export function linkRequestId(requester: string): string {
  return createHash('sha256').update(requester).digest('base64url').slice(0, 22);
}

export interface LinkStore {
  /** The linked WeCom userid of a requester key, from memory (undefined: none stored). */
  lookup(requester: string): string | undefined;
  set(requester: string, link: Link): Promise<void>;
  /** Removes the stored link; resolves with the userid it linked to (undefined: there was none). */
  remove(requester: string): Promise<string | undefined>;
  request(request: LinkRequest): Promise<string>;
  pending(id: string): Promise<LinkRequest | undefined>;
  dropRequest(id: string): Promise<void>;
  /** Reads every link into memory; the start awaits it once. */
  load(): Promise<void>;
  close(): void;
}

const linkKey = (requester: string) => `${LINK_PREFIX}${requester}`;
const requestKey = (id: string) => `${LINK_REQUEST_PREFIX}${id}`;

export function createLinkStore(
  keyv: Keyv,
  options: { refreshMs?: number; logger?: StoreLogger } = {},
): LinkStore {
  let links = new Map<string, string>();

  async function load(): Promise<void> {
    const keys = await storeCall(() => scanKeys(keyv, LINK_PREFIX));
    const read = await storeCall(() => readValid(keyv, keys, linkSchema, options.logger));
    const next = new Map<string, string>();
    for (const r of read) if (r.state === 'ok') next.set(r.key.slice(LINK_PREFIX.length), r.value.userid);
    links = next;
  }

  const timer =
    options.refreshMs && options.refreshMs > 0
      ? setInterval(() => {
          load().catch((error: unknown) =>
            options.logger?.warn({ err: error }, 'links: refresh failed; the last known links are kept'),
          );
        }, options.refreshMs)
      : undefined;
  timer?.unref();

  return {
    lookup: (requester) => links.get(requester),
    async set(requester, link) {
      await storeCall(() => keyv.set(linkKey(requester), link));
      links.set(requester, link.userid);
    },
    async remove(requester) {
      // Read from the store, not memory: another instance may have made the link since the last refresh.
      const [read] = await storeCall(() => readValid(keyv, [linkKey(requester)], linkSchema, options.logger));
      await storeCall(() => keyv.delete(linkKey(requester)));
      links.delete(requester);
      return read?.state === 'ok' ? read.value.userid : undefined;
    },
    async request(request) {
      const id = linkRequestId(request.requester);
      await storeCall(() => keyv.set(requestKey(id), request, LINK_REQUEST_TTL_MS));
      return id;
    },
    async pending(id) {
      const [read] = await storeCall(() =>
        readValid(keyv, [requestKey(id)], linkRequestSchema, options.logger),
      );
      return read?.state === 'ok' ? read.value : undefined;
    },
    async dropRequest(id) {
      await storeCall(() => keyv.delete(requestKey(id)));
    },
    load,
    close: () => clearInterval(timer),
  };
}
