import { z } from 'zod';
import { commaList, httpUrl, optionalText, parseEnv, policyList } from '../../src/base/settings.js';
import type { AccessRule } from '../../src/chat/port.js';

/** How requesters from here are named in records, USER_MAP and ADMINS (`slack:workspace:user`). */
export const SLACK_PLATFORM = 'slack';

/** The variables the Slack adapter reads (see `.env.example`); composed with the core’s by src/compose.ts. */
export const slackEnvSchema = z
  .object({
    SLACK_BOT_TOKEN: optionalText,
    SLACK_SIGNING_SECRET: optionalText,
    SLACK_APP_TOKEN: optionalText,
    SLACK_API_URL: optionalText.pipe(httpUrl.optional()),
    ACCESS_SLACK_TEAMS: commaList,
    ACCESS_SLACK_USERS: commaList,
    ACCESS_SLACK_USERGROUPS: commaList,
  })
  .superRefine((env, ctx) => {
    if (env.SLACK_BOT_TOKEN && !env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'or SLACK_APP_TOKEN is required when SLACK_BOT_TOKEN is set',
      });
    }
    if ((env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN) && !env.SLACK_BOT_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_BOT_TOKEN'],
        message: 'is required to run the Slack adapter',
      });
    }
  });

/** Who may use the bot from Slack: workspaces, users, user groups. Empty lists mean "anyone installed". */
export interface SlackAccess {
  teams: string[];
  users: string[];
  usergroups: string[];
}

export interface SlackSettings {
  botToken: string;
  /** HTTP mode (Events API on PORT) when set; otherwise Socket Mode with `appToken`. */
  signingSecret?: string | undefined;
  appToken?: string | undefined;
  apiUrl?: string | undefined;
  access: SlackAccess;
}

/**
 * The Slack settings, or undefined when SLACK_BOT_TOKEN is not set (Slack does not run). Access lists come
 * from POLICY_FILE's `slackTeams`, `slackUsers`, `slackUsergroups` when the file has them, else from ACCESS_SLACK_*.
 */
export function readSlackSettings(
  env: NodeJS.ProcessEnv,
  policyFile: Record<string, unknown> = {},
): SlackSettings | undefined {
  const e = parseEnv(slackEnvSchema, env);
  const access = {
    teams: policyList(policyFile, 'slackTeams', e.ACCESS_SLACK_TEAMS),
    users: policyList(policyFile, 'slackUsers', e.ACCESS_SLACK_USERS),
    usergroups: policyList(policyFile, 'slackUsergroups', e.ACCESS_SLACK_USERGROUPS),
  };
  if (!e.SLACK_BOT_TOKEN) return undefined;
  return {
    botToken: e.SLACK_BOT_TOKEN,
    signingSecret: e.SLACK_SIGNING_SECRET,
    appToken: e.SLACK_APP_TOKEN,
    apiUrl: e.SLACK_API_URL,
    access,
  };
}

/**
 * Slack's access rule: the workspace must be listed (when any is), and when users or user groups are listed
 * the person must be in one of them (`roles` carries their user groups).
 */
export function slackAccessRule(access: SlackAccess): AccessRule {
  return {
    platform: SLACK_PLATFORM,
    allows(actor) {
      if (access.teams.length > 0 && !access.teams.includes(actor.workspaceId)) return false;
      if (access.users.length === 0 && access.usergroups.length === 0) return true;
      return (
        access.users.includes(actor.userId) || (actor.roles ?? []).some((g) => access.usergroups.includes(g))
      );
    },
  };
}

/** Slack's credentials, for the secrets registry: scrubbed from every log line and error. */
export function slackSecrets(settings: SlackSettings | undefined): string[] {
  if (!settings) return [];
  return [settings.botToken, settings.signingSecret, settings.appToken].filter((v): v is string => !!v);
}
