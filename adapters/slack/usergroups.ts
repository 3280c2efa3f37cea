import type { webApi } from '@slack/bolt';
import type { Logger } from '../../src/base/logger.js';

/**
 * Which of the policy's Slack user groups (ACCESS_SLACK_USERGROUPS) a user belongs to. Slack puts no
 * group membership in its payloads, so members are read with `usergroups.users.list` (scope
 * usergroups:read), one call per group, cached for a few minutes and only ever after the ack.
 */
export interface UsergroupResolver {
  groupsOf(userId: string): Promise<string[]>;
}

export function createUsergroupResolver(options: {
  client: webApi.WebClient;
  groups: string[];
  logger: Logger;
  ttlMs?: number;
  now?: () => number;
}): UsergroupResolver {
  const { client, groups, logger } = options;
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { members: Promise<Set<string>>; until: number }>();

  function membersOf(group: string): Promise<Set<string>> {
    const hit = cache.get(group);
    if (hit && hit.until > now()) return hit.members;
    const members = client.usergroups.users
      .list({ usergroup: group })
      .then((answer) => new Set(answer.users ?? []))
      .catch((error: unknown) => {
        // Unknown group or missing scope: nobody is let in through it, and the admin reads why.
        logger.warn(
          { err: error, usergroup: group },
          'Slack usergroups.users.list failed (is usergroups:read granted?)',
        );
        return new Set<string>();
      });
    cache.set(group, { members, until: now() + ttlMs });
    return members;
  }

  return {
    async groupsOf(userId) {
      if (groups.length === 0) return [];
      const memberships = await Promise.all(
        groups.map(async (g) => ((await membersOf(g)).has(userId) ? g : undefined)),
      );
      return memberships.filter((g): g is string => g !== undefined);
    },
  };
}
