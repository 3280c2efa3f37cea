import type Keyv from 'keyv';
import { type Logger, silentLogger } from '../base/logger.js';
import type { Requester } from '../store/index.js';
import { DIRECTORY_PREFIX } from '../store/keys.js';
import type { DirectoryApi } from '../wecom/directory-api.js';
import { fetchSnapshot, type Notices } from './fetch.js';
import {
  type DirectoryIndex,
  type DirectoryMember,
  type DirectorySnapshot,
  indexSnapshot,
  memberOf,
  searchIndex,
  snapshotSchema,
  type Verdict,
  verdictOf,
} from './snapshot.js';

/** The store key of the shared snapshot. */
export const DIRECTORY_KEY = `${DIRECTORY_PREFIX}members`;
/** Pickers never show more (Slack's external_select and Discord's autocomplete allow at most 100 and 25). */
export const MAX_SEARCH_RESULTS = 100;
/**
 * How long the store keeps a snapshot nobody refreshes. Long on purpose: while WeCom is down the last known
 * list is what pickers and pre-flight use (flagged stale); the refresh interval, not this, keeps it current.
 */
export const DIRECTORY_STORE_TTL_MS = 7 * 24 * 3600_000;

export interface MemberDirectoryOptions {
  api: DirectoryApi;
  /** The shared store: instances share one snapshot and refresh it in turn. */
  store: Keyv;
  /** How often the snapshot is refreshed; older than twice this, it is flagged stale. */
  refreshMs: number;
  /** Which members a requester may create for (the service's `memberScope`, CREATE_FOR): undefined = any. */
  scope: (requester: Requester) => readonly string[] | undefined;
  /** Where the snapshot is kept (default DIRECTORY_KEY; a provider mode keeps one per corp). */
  key?: string;
  /** Runs each WeCom read (a provider mode: in the corp's scope, so the corp's token is used). */
  run?: <T>(work: () => Promise<T>) => Promise<T>;
  now?: () => number;
  logger?: Logger;
}

export interface DirectorySearch {
  members: DirectoryMember[];
  /** The list may be out of date: the last refresh failed or is long past. */
  stale: boolean;
}

export interface DirectoryStatus {
  /** A snapshot is loaded (from the store or WeCom). */
  loaded: boolean;
  stale: boolean;
  fetchedAtMs: number | undefined;
  members: number;
  addressBook: boolean;
  names: boolean;
}

/**
 * WeCom's members, for pickers and pre-flight: read from memory on every request (synchronous, so it never
 * delays a form), filled from the shared store and refreshed from WeCom in the background only. Survives
 * WeCom being down by keeping the last known list, flagged stale.
 */
export interface MemberDirectory {
  /** Eligible members matching `query` by userid or name, within the requester's CREATE_FOR scope. */
  search(query: string, options: { limit: number; requester: Requester }): DirectorySearch;
  /**
   * What the directory says about a member. `requester` picks the corp in a provider mode (ignored when
   * self-built, where there is one corp).
   */
  verdict(userid: string, requester?: Requester): Verdict;
  status(requester?: Requester): DirectoryStatus;
  /** The member `typed` names: their userid as the app sees it, or a name only one member has. */
  member(typed: string, requester?: Requester): DirectoryMember | undefined;
  /**
   * Makes the requester's corp answer synchronously from now on (a provider mode: reads the workspace's
   * binding and the corp's copy, and learns the open ids of `members` as typed, so pre-flight knows them);
   * resolves at once when self-built.
   */
  prepare(requester: Requester, members?: readonly string[]): Promise<void>;
  /**
   * Starts the first fill (store copy, then WeCom if it is old) and the refresh timer; returns at once. The
   * promise it returns settles when the first fill is done, for tests and logs; nothing awaits it on a request.
   */
  start(): Promise<void>;
  /** Reads WeCom now (single-flight); resolves false when WeCom failed (the last list is kept). */
  refresh(): Promise<boolean>;
  close(): void;
}

export function createMemberDirectory(options: MemberDirectoryOptions): MemberDirectory {
  const { api, store, refreshMs, scope } = options;
  const key = options.key ?? DIRECTORY_KEY;
  const run = options.run ?? ((work) => work());
  const now = options.now ?? Date.now;
  const logger = (options.logger ?? silentLogger()).child({ component: 'directory' });
  const said = new Set<string>();
  const notices: Notices = {
    once(key, say) {
      if (said.has(key)) return;
      said.add(key);
      say();
    },
  };
  let index: DirectoryIndex | undefined;
  let failing = false;
  let flight: Promise<boolean> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function adopt(snapshot: DirectorySnapshot) {
    if (index && index.snapshot.fetchedAtMs >= snapshot.fetchedAtMs) return;
    index = indexSnapshot(snapshot);
  }

  async function readStore(): Promise<DirectorySnapshot | undefined> {
    try {
      const parsed = snapshotSchema.safeParse(await store.get(key));
      return parsed.success ? parsed.data : undefined;
    } catch (error) {
      logger.warn({ err: error }, 'directory: could not read the stored copy');
      return undefined;
    }
  }

  function fresh(snapshot: DirectorySnapshot | undefined): boolean {
    return snapshot !== undefined && now() - snapshot.fetchedAtMs < refreshMs;
  }

  function fromWecom(): Promise<boolean> {
    flight ??= (async () => {
      try {
        const snapshot = await run(() => fetchSnapshot(api, { now, logger, notices }));
        // Closed meanwhile: the store may be closed too, and nobody reads this copy any more.
        if (closed) return false;
        adopt(snapshot);
        failing = false;
        logger.info(
          { members: snapshot.members.length, addressBook: snapshot.addressBook, names: snapshot.names },
          'directory refreshed',
        );
        await store.set(key, snapshot, DIRECTORY_STORE_TTL_MS).catch((error: unknown) => {
          logger.warn({ err: error }, 'directory: could not store the refreshed copy; kept in memory');
        });
        return true;
      } catch (error) {
        if (closed) return false;
        failing = true;
        logger.warn(
          { err: error, members: index?.snapshot.members.length ?? 0 },
          'directory: refresh from WeCom failed; keeping the last known list (stale)',
        );
        return false;
      } finally {
        flight = undefined;
      }
    })();
    return flight;
  }

  /** One background round: another instance may have refreshed the shared copy already. */
  async function tick(): Promise<void> {
    if (closed) return;
    const stored = await readStore();
    if (stored) adopt(stored);
    if (!closed && !fresh(index?.snapshot)) await fromWecom();
  }

  return {
    search(query, { limit, requester }) {
      const cap = Math.min(Math.max(0, Math.trunc(limit)), MAX_SEARCH_RESULTS);
      return { members: searchIndex(index, query, cap, scope(requester)), stale: isStale() };
    },

    verdict: (userid) => verdictOf(index, userid),

    member: (typed) => memberOf(index, typed),

    prepare: () => Promise.resolve(),

    status() {
      const snapshot = index?.snapshot;
      return {
        loaded: snapshot !== undefined,
        stale: isStale(),
        fetchedAtMs: snapshot?.fetchedAtMs,
        members: snapshot?.members.length ?? 0,
        addressBook: snapshot?.addressBook ?? false,
        names: snapshot?.names ?? false,
      };
    },

    start() {
      if (!timer && !closed) {
        timer = setInterval(() => void tick(), refreshMs);
        timer.unref();
      }
      return tick();
    },

    refresh: fromWecom,

    close() {
      closed = true;
      clearInterval(timer);
      timer = undefined;
    },
  };

  function isStale(): boolean {
    const snapshot = index?.snapshot;
    return snapshot === undefined || failing || now() - snapshot.fetchedAtMs > 2 * refreshMs;
  }
}
