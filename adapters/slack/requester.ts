import { z } from 'zod';
import type { ChatActor } from '../../src/chat/port.js';

/** A requester as the flow knows them (no roles: those are the caller's to add). */
type Requester = Omit<ChatActor, 'roles'>;

/** Who a Slack payload comes from, as records, forms and policies know them: `slack:{workspaceId}:{userId}`. */
export interface SlackIdentity {
  workspaceId: string;
  userId: string;
}

/**
 * Who is asking, as the store and the service know them: the Slack workspace (or org) and user id. The
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

const id = z.string().min(1);
const optionalId = id.nullish().catch(undefined);

/** A slash command's form fields; `is_enterprise_install` is the string `true` or `false` there. */
const commandSchema = z.object({
  command: z.string(),
  user_id: id,
  team_id: id,
  enterprise_id: optionalId,
  is_enterprise_install: z.string().optional(),
});

/** block_actions, block_suggestion, view_submission, view_closed, shortcut, message_action. */
const interactionSchema = z.object({
  type: z.string(),
  user: z.object({ id, team_id: optionalId }),
  team: z.object({ id: optionalId, enterprise_id: optionalId }).nullish().catch(undefined),
  enterprise: z.object({ id: optionalId }).nullish().catch(undefined),
  is_enterprise_install: z.boolean().optional().catch(undefined),
});

/** An Events API envelope of an event about a user (app_home_opened). */
const eventSchema = z.object({
  type: z.literal('event_callback'),
  team_id: optionalId,
  enterprise_id: optionalId,
  authorizations: z
    .array(
      z.object({
        team_id: optionalId,
        enterprise_id: optionalId,
        is_enterprise_install: z.boolean().optional(),
      }),
    )
    .optional()
    .catch(undefined),
  event: z.object({ user: id }),
});

/** Payloads whose `team` names where the person acted; on the others it names the app's workspace. */
const ACTED_IN_TEAM = new Set(['view_submission', 'view_closed']);

/**
 * Who sent a Slack payload, derived the same way for every kind, so that a person who opens a form by
 * command, submits it, and later clicks its buttons (in a channel, a DM or the App Home) or types in its
 * pickers is one requester throughout. The rule (see ../shared/wecom-provider-modes.md §6):
 *
 * - **Org-wide install** (`is_enterprise_install`): the org, `enterprise_id`/`enterprise.id`. The
 *   installation is the org, user ids are the org's, and its payloads disagree on the workspace: a command
 *   names the one typed in, a submission has `team: null`, `user.team_id` is the person's home workspace or
 *   the org itself.
 * - **Otherwise, the person's own workspace.** That is a command's `team_id` and a submission's `team.id`
 *   (where each was typed), and a click's or a picker's `team.id`, except that in a Slack Connect channel a
 *   click names the *app's* workspace as `team` and the guest's only as `user.team_id`: a `user.team_id`
 *   that differs from `team.id` is then the one taken. Never `view.app_installed_team_id` (Bolt's
 *   `context.teamId` for submissions): it names the installation, which for a Connect guest is the host,
 *   not where their command was filed.
 *
 * For a member of an ordinary workspace every one of these is the same `T…`, so the key of their existing
 * records (`slack:T…:U…`) is unchanged. When the payload names an org but the install is per workspace
 * (Grid, installed in one workspace) `user.team_id` is the org or the person's home workspace, so `team.id`
 * stays the answer there, as before. Undefined when the payload is not one of these kinds.
 */
export function slackIdentityOf(body: unknown): SlackIdentity | undefined {
  const command = commandSchema.safeParse(body);
  if (command.success) {
    const c = command.data;
    const org = c.is_enterprise_install === 'true' ? c.enterprise_id : undefined;
    return { workspaceId: org ?? c.team_id, userId: c.user_id };
  }
  const interaction = interactionSchema.safeParse(body);
  if (interaction.success) {
    const p = interaction.data;
    const enterpriseId = p.enterprise?.id ?? p.team?.enterprise_id ?? undefined;
    if (p.is_enterprise_install && enterpriseId) return { workspaceId: enterpriseId, userId: p.user.id };
    const team = p.team?.id ?? undefined;
    const own = p.user.team_id ?? undefined;
    const guest = !ACTED_IN_TEAM.has(p.type) && !enterpriseId && own && team && own !== team;
    const workspaceId = (guest ? own : team) ?? own ?? enterpriseId;
    return workspaceId ? { workspaceId, userId: p.user.id } : undefined;
  }
  const event = eventSchema.safeParse(body);
  if (event.success) {
    const e = event.data;
    const auth = e.authorizations?.[0];
    const org = auth?.is_enterprise_install ? (auth.enterprise_id ?? e.enterprise_id) : undefined;
    const workspaceId = org ?? e.team_id ?? auth?.team_id;
    return workspaceId ? { workspaceId, userId: e.event.user } : undefined;
  }
  return undefined;
}

/**
 * The requester of any Slack request, by {@link slackIdentityOf}; the user id is always the signed payload's.
 * `fallback` (Bolt's context) only serves a payload of a shape Slack never sent us.
 */
export function slackRequesterOf(
  body: unknown,
  fallback: { teamId?: string | undefined; enterpriseId?: string | undefined; userId: string },
  displayName?: string,
): Requester {
  const identity = slackIdentityOf(body) ?? {
    workspaceId: fallback.teamId ?? fallback.enterpriseId ?? 'unknown',
    userId: fallback.userId,
  };
  return slackRequester(identity.workspaceId, identity.userId, displayName);
}
