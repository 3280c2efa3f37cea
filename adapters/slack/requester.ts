import type { Requester } from '../../src/store/index.js';

/**
 * Who is asking, as the store and the service know them: the Slack workspace (team id) and user id. The
 * name is only for display. Both always come from the signed payload itself, never from private_metadata.
 */
export function slackRequester(teamId: string, userId: string, displayName?: string): Requester {
  return {
    platform: 'slack',
    workspaceId: teamId,
    userId,
    ...(displayName ? { displayName: displayName.slice(0, 256) } : {}),
  };
}

/** The user block of interactive payloads (view_submission, block_actions). */
export interface InteractiveUser {
  id: string;
  name?: string;
  username?: string;
  team_id?: string;
}

/**
 * The requester of an interactive payload. The payload's team is the workspace the interaction happened in,
 * the same one a slash command reports as `team_id` (the user's own `team_id` can differ on Enterprise Grid,
 * which would split one person's records in two).
 */
export function requesterFromInteraction(
  user: InteractiveUser,
  team: { id: string } | null | undefined,
): Requester {
  return slackRequester(team?.id ?? user.team_id ?? 'unknown', user.id, user.username ?? user.name);
}
