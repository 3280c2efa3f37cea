import { WecomError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { type DirectoryApi, isNotAllowed, type WecomMember } from '../wecom/directory-api.js';
import type { DirectoryMember, DirectorySnapshot, IneligibleReason } from './snapshot.js';

/** user/get calls in flight at once during a refresh: fast enough for thousands, gentle on WeCom's limits. */
const MEMBER_CONCURRENCY = 4;

/** What to say once per process, not at every refresh. */
export interface Notices {
  once(key: string, say: () => void): void;
}

/**
 * Reads the directory from WeCom: the follow-user list (required: without it nothing is known), then, where
 * the secret allows, every member id (user/list_id) and each member's name and status (user/get). Permission
 * refusals narrow what is known; any other failure fails the whole refresh, so a half-read directory never
 * replaces a whole one.
 */
export async function fetchSnapshot(
  api: DirectoryApi,
  options: { now: () => number; logger: Logger; notices: Notices },
): Promise<DirectorySnapshot> {
  const { logger, notices } = options;
  const followers = dedupe(await api.followUsers());
  let everyone: string[] = [];
  let addressBook = true;
  try {
    const ids: string[] = [];
    for await (const id of api.allUserIds()) ids.push(id);
    everyone = dedupe(ids);
  } catch (error) {
    if (!isNotAllowed(error)) throw error;
    addressBook = false;
    notices.once('address-book', () =>
      logger.info(
        { errcode: error.errcode },
        'directory: the app may not list the address book (user/list_id); only members enabled for customer contact are known, and pre-flight cannot tell who is not',
      ),
    );
  }
  const following = new Set(followers.map((u) => u.toLowerCase()));
  const ids = dedupe([...followers, ...everyone]);
  const details = await readMembers(api, ids);
  const names = details.readable;
  if (!names) {
    notices.once('names', () =>
      logger.info('directory: the app may not read member names (user/get); pickers show userids only'),
    );
  }
  const members: DirectoryMember[] = [];
  for (const userid of ids) {
    const detail = details.byId.get(userid);
    const follows = following.has(userid.toLowerCase());
    const reason = classify(follows, detail, names);
    // Outside the follow list and not classified: nothing useful to say about them.
    if (!follows && reason === undefined) continue;
    members.push({
      userid,
      ...(detail?.member?.name ? { name: detail.member.name } : {}),
      ...(reason ? { ineligible: reason } : {}),
    });
  }
  return { version: 1, fetchedAtMs: options.now(), addressBook, names, members };
}

interface Detail {
  member?: WecomMember;
  /** user/get answered 60011 for this member while it answered for others. */
  outsideRange?: boolean;
}

/**
 * A status that rules a member out wins over the follow list (WeCom refuses them anyway: 41054 for not
 * activated). Outside the follow list, an active member is simply not enabled for customer contact.
 */
function classify(
  follows: boolean,
  detail: Detail | undefined,
  names: boolean,
): IneligibleReason | undefined {
  const status = detail?.member?.status;
  if (status === 2) return 'disabled';
  if (status === 4) return 'not_activated';
  if (status === 5) return 'left';
  // 60011 only says "outside the visible range" once user/get is known to work for this secret at all.
  if (names && detail?.outsideRange) return 'outside_visible_range';
  if (!follows && status === 1) return 'not_enabled';
  return undefined;
}

/**
 * user/get for every id, a few at a time. A permission refusal for the API as a whole (48001/48002, or 60011
 * for everyone) stops asking; 60011 for some members marks them; 60111 (gone since list_id) skips them.
 */
async function readMembers(
  api: DirectoryApi,
  ids: readonly string[],
): Promise<{ byId: Map<string, Detail>; readable: boolean }> {
  const byId = new Map<string, Detail>();
  let forbidden = false;
  let failed = false;
  let answered = 0;
  let next = 0;
  async function worker() {
    while (!forbidden && !failed && next < ids.length) {
      const userid = ids[next++] as string;
      try {
        byId.set(userid, { member: await api.member(userid) });
        answered += 1;
      } catch (error) {
        if (error instanceof WecomError && error.errcode === 60011) byId.set(userid, { outsideRange: true });
        else if (isNotAllowed(error)) forbidden = true;
        else if (!(error instanceof WecomError && error.errcode === 60111)) {
          // The refresh fails as a whole: the other workers stop instead of calling on for nothing.
          failed = true;
          throw error;
        }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(MEMBER_CONCURRENCY, ids.length) }, worker));
  const readable = !forbidden && answered > 0;
  return { byId: readable ? byId : new Map(), readable };
}

function dedupe(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => {
    const key = id.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
