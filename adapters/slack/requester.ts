import type { Context } from '@slack/bolt';
import type { ChatActor } from '../../src/chat/port.js';

/** A requester as the flow knows them (no roles: those are the caller's to add). */
type Requester = Omit<ChatActor, 'roles'>;

/**
 * Who is asking, as the store and the service know them: the Slack workspace (team id) and user id. The
 * name is only for display.
 */
export function slackRequester(teamId: string, userId: string, displayName?: string): Requester {
  return {
    platform: 'slack',
    workspaceId: teamId,
    userId,
    ...(displayName ? { displayName: displayName.slice(0, 256) } : {}),
  };
}

/**
 * The requester of any Slack request, commands, form submissions and buttons alike: the user id from the
 * signed payload and the workspace as Bolt derives it for its own installation lookup, `context.teamId`.
 * That is a command's `team_id`; for a view submission `view.app_installed_team_id`, else `team.id`, else
 * `user.team_id`; for a button `team.id`, else `user.team_id`. On an org-wide Enterprise Grid install a
 * submission's `team` is null and `user.team_id` is the person's home workspace, which can differ from the
 * workspace the command came from: taking it would file her new QR where her next `list` does not look.
 * Never from private_metadata, which is only compared with it.
 */
export function slackRequesterOf(
  context: Pick<Context, 'teamId' | 'enterpriseId'>,
  userId: string,
  displayName?: string,
): Requester {
  return slackRequester(context.teamId ?? context.enterpriseId ?? 'unknown', userId, displayName);
}
