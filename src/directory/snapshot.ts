import { z } from 'zod';
import { userIdSchema } from '../wecom/schemas.js';

/** Why a member known to the directory cannot be given a contact way, each with what an admin must do. */
export const INELIGIBLE_REASONS = [
  'not_enabled',
  'not_activated',
  'disabled',
  'left',
  'outside_visible_range',
] as const;
export type IneligibleReason = (typeof INELIGIBLE_REASONS)[number];

/** What the directory says about a userid. `unknown` is never a refusal: WeCom decides after the form. */
export type Verdict =
  | { kind: 'eligible' }
  | { kind: 'ineligible'; reason: IneligibleReason }
  | { kind: 'unknown' };

const memberSchema = z.object({
  userid: userIdSchema,
  /** Absent when the app's secret may not read names. */
  name: z.string().optional(),
  /** Absent for an eligible member. */
  ineligible: z.enum(INELIGIBLE_REASONS).optional(),
});
export type DirectoryMember = z.infer<typeof memberSchema>;

/**
 * What the store keeps (one key, shared by every instance). Validated on read: the store is shared and may
 * hold another version's shape, which is then simply ignored.
 */
export const snapshotSchema = z.object({
  version: z.literal(1),
  fetchedAtMs: z.number(),
  /** user/list_id answered: members outside the follow list are known and classified. */
  addressBook: z.boolean(),
  /** user/get gave names. */
  names: z.boolean(),
  members: z.array(memberSchema),
});
export type DirectorySnapshot = z.infer<typeof snapshotSchema>;

/** The snapshot indexed for lookups on every keystroke. */
export interface DirectoryIndex {
  snapshot: DirectorySnapshot;
  byId: Map<string, DirectoryMember>;
  /** Members by lower-cased name; a name two members share maps to undefined (never a guess). */
  byName: Map<string, DirectoryMember | undefined>;
  /** Eligible members, ordered by name then userid, with their lower-cased search text. */
  eligible: { member: DirectoryMember; text: string }[];
}

export function indexSnapshot(snapshot: DirectorySnapshot): DirectoryIndex {
  const byId = new Map(snapshot.members.map((m) => [m.userid.toLowerCase(), m]));
  const eligible = snapshot.members
    .filter((m) => m.ineligible === undefined)
    .sort(
      (a, b) => (a.name ?? a.userid).localeCompare(b.name ?? b.userid, 'zh') || compare(a.userid, b.userid),
    )
    .map((member) => ({ member, text: `${member.userid} ${member.name ?? ''}`.toLowerCase() }));
  const byName = new Map<string, DirectoryMember | undefined>();
  for (const m of snapshot.members) {
    if (!m.name) continue;
    const key = m.name.toLowerCase();
    byName.set(key, byName.has(key) ? undefined : m);
  }
  return { snapshot, byId, byName, eligible };
}

/** The member `typed` names: their userid as this app sees it, or else a name only one member has. */
export function memberOf(index: DirectoryIndex | undefined, typed: string): DirectoryMember | undefined {
  const key = typed.trim().toLowerCase();
  return index?.byId.get(key) ?? index?.byName.get(key);
}

export function verdictOf(index: DirectoryIndex | undefined, userid: string): Verdict {
  // WeCom matches userids without regard to case.
  const member = index?.byId.get(userid.toLowerCase());
  if (!member) return { kind: 'unknown' };
  return member.ineligible ? { kind: 'ineligible', reason: member.ineligible } : { kind: 'eligible' };
}

/**
 * Eligible members whose userid or name contains every word of `query` (case-insensitive; Chinese names
 * match by substring, `张` finds 张三), limited to `scope` when the requester may create only for some, at
 * most `limit`. Members whose userid starts with the query come first, in userid order: typing an id
 * narrows to it; the others follow in name order.
 */
export function searchIndex(
  index: DirectoryIndex | undefined,
  query: string,
  limit: number,
  scope: readonly string[] | undefined,
): DirectoryMember[] {
  if (!index || limit <= 0) return [];
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const allowed = scope ? new Set(scope.map((u) => u.toLowerCase())) : undefined;
  const head = words[0] ?? '';
  const prefixed: DirectoryMember[] = [];
  const rest: DirectoryMember[] = [];
  for (const { member, text } of index.eligible) {
    if (allowed && !allowed.has(member.userid.toLowerCase())) continue;
    if (!words.every((w) => text.includes(w))) continue;
    if (head !== '' && member.userid.toLowerCase().startsWith(head)) prefixed.push(member);
    else if (rest.length < limit) rest.push(member);
  }
  prefixed.sort((a, b) => compare(a.userid, b.userid));
  return [...prefixed, ...rest].slice(0, limit);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
