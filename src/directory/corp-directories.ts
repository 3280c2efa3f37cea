import { currentCorp, inCorp } from '../base/corp-scope.js';
import type { Logger } from '../base/logger.js';
import type { Requester } from '../store/index.js';
import { DIRECTORY_PREFIX } from '../store/keys.js';
import {
  createMemberDirectory,
  type MemberDirectory,
  type MemberDirectoryOptions,
} from './member-directory.js';
import type { OpenIdResolver, ResolvedMember } from './open-ids.js';
import type { Verdict } from './snapshot.js';

/** A first fill a request waits for at most (a picker answers within 3 s); later fills are the timer's. */
const PREPARE_WAIT_MS = 1_000;

/** Waits for `work` at most PREPARE_WAIT_MS; never throws (what it fills is read from memory after). */
async function bounded(work: Promise<unknown>): Promise<void> {
  let timeout: NodeJS.Timeout | undefined;
  await Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timeout = setTimeout(resolve, PREPARE_WAIT_MS);
    }),
  ]);
  clearTimeout(timeout);
}

/** The key of one corp's snapshot. */
export const corpDirectoryKey = (corp: string) => `${DIRECTORY_PREFIX}corp:${encodeURIComponent(corp)}`;

export interface CorpDirectories extends MemberDirectory {
  /** The current corp's directory once filled (or after a bounded wait): a callback may come before any request. */
  ready(): Promise<void>;
  /** Typed members → the ids the current corp's token accepts (run in the corp's scope). */
  resolve(typed: readonly string[]): Promise<ResolvedMember[]>;
}

/**
 * The member directory of a provider mode: one directory per installed corp (its own snapshot key, refreshed
 * with that corp's token in its scope), answered for the requester's corp. A workspace's corp is its binding
 * (or the one corp installed while no workspace is bound, as scopeByWorkspace does); `prepare` reads it so the
 * synchronous reads (pickers' search, pre-flight) know it. Inside a corp's scope, that corp answers.
 */
export function createCorpDirectories(options: {
  base: Omit<MemberDirectoryOptions, 'key' | 'run'>;
  resolver: OpenIdResolver;
  /** The active installed corps. */
  corps: () => Promise<string[]>;
  bindingOf: (platform: string, workspaceId: string) => Promise<{ authCorpId: string } | undefined>;
  anyBound: () => Promise<boolean>;
  logger: Logger;
}): CorpDirectories {
  const { base, resolver, logger } = options;
  const directories = new Map<string, { directory: MemberDirectory; first: Promise<void> }>();
  const corpOfWorkspace = new Map<string, string | undefined>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function ensure(corp: string) {
    let entry = directories.get(corp);
    if (!entry) {
      const directory = createMemberDirectory({
        ...base,
        key: corpDirectoryKey(corp),
        run: (work) => inCorp(corp, work),
        // CREATE_FOR's userids are plaintext as an admin typed them: the corp's ids of them, once learned.
        scope: (requester) => base.scope(requester)?.map((u) => resolver.known(corp, u) ?? u),
        logger: base.logger?.child({ corp }),
      });
      entry = { directory, first: closed ? Promise.resolve() : directory.start() };
      directories.set(corp, entry);
    }
    return entry;
  }

  const workspaceKey = (r: Requester) => `${r.platform}\n${r.workspaceId}`;

  function corpOf(requester: Requester | undefined): string | undefined {
    return currentCorp() ?? (requester ? corpOfWorkspace.get(workspaceKey(requester)) : undefined);
  }

  function of(requester: Requester | undefined): MemberDirectory | undefined {
    const corp = corpOf(requester);
    return corp === undefined ? undefined : ensure(corp).directory;
  }

  async function learnCorp(requester: Requester): Promise<string | undefined> {
    const binding = await options.bindingOf(requester.platform, requester.workspaceId);
    let corp = binding?.authCorpId;
    if (!corp && !(await options.anyBound())) {
      const all = await options.corps();
      if (all.length === 1) corp = all[0];
    }
    corpOfWorkspace.set(workspaceKey(requester), corp);
    return corp;
  }

  /**
   * Every installed corp gets its directory (a corp installed since is picked up at the next round); a corp
   * that left (cancel_auth, 40084) stops being refreshed: its token is gone for good.
   */
  async function round(): Promise<void> {
    const corps = await options.corps().catch((error: unknown) => {
      logger.warn({ err: error }, 'directory: installed corps unreadable');
      return undefined;
    });
    if (!corps) return;
    for (const [corp, { directory }] of directories) {
      if (corps.includes(corp)) continue;
      directory.close();
      directories.delete(corp);
    }
    await Promise.all(corps.map((corp) => ensure(corp).first));
  }

  return {
    search(query, { limit, requester }) {
      return of(requester)?.search(query, { limit, requester }) ?? { members: [], stale: true };
    },

    verdict(typed, requester): Verdict {
      const corp = corpOf(requester);
      if (corp === undefined) return { kind: 'unknown' };
      const directory = ensure(corp).directory;
      const direct = directory.verdict(typed);
      if (direct.kind !== 'unknown') return direct;
      // A plaintext userid or a name: the member it stands for in this corp, when known.
      const id = directory.member(typed)?.userid ?? resolver.known(corp, typed);
      return id ? directory.verdict(id) : direct;
    },

    status(requester) {
      return (
        of(requester)?.status() ?? {
          loaded: false,
          stale: true,
          fetchedAtMs: undefined,
          members: 0,
          addressBook: false,
          names: false,
        }
      );
    },

    member(typed, requester) {
      return of(requester)?.member(typed);
    },

    async prepare(requester, members = []) {
      const key = workspaceKey(requester);
      const known = corpOfWorkspace.has(key);
      // Known already: answered now, re-read in the background (a workspace bound to another corp since).
      const learning = learnCorp(requester).catch((error: unknown) => {
        logger.warn({ err: error }, 'directory: the workspace’s corp is unknown for now');
        return corpOfWorkspace.get(key);
      });
      const corp = known ? corpOfWorkspace.get(key) : await learning;
      if (corp === undefined) return;
      const { directory, first } = ensure(corp);
      const typed = members.filter((t) => !directory.member(t) && !resolver.known(corp, t));
      const learned =
        typed.length > 0
          ? first.then(() => inCorp(corp, () => resolver.resolve(corp, typed, (t) => directory.member(t))))
          : first;
      await bounded(learned);
    },

    async ready() {
      const corp = currentCorp();
      if (corp !== undefined) await bounded(ensure(corp).first);
    },

    async resolve(typed) {
      const corp = currentCorp();
      if (corp === undefined || typed.length === 0) return typed.map((t) => ({ typed: t, id: t }));
      const directory = ensure(corp).directory;
      return resolver.resolve(corp, typed, (t) => directory.member(t));
    },

    start() {
      if (!timer && !closed) {
        timer = setInterval(() => void round(), base.refreshMs);
        timer.unref();
      }
      return round();
    },

    async refresh() {
      await round();
      const done = await Promise.all([...directories.values()].map((e) => e.directory.refresh()));
      return done.every(Boolean);
    },

    close() {
      closed = true;
      clearInterval(timer);
      timer = undefined;
      for (const { directory } of directories.values()) directory.close();
    },
  };
}
