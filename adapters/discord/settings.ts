import { z } from 'zod';
import { commaList, httpUrl, optionalText, parseEnv, policyList } from '../../src/base/settings.js';
import type { AccessRule } from '../../src/chat/port.js';

/** How requesters from here are named in records, USER_MAP and ADMINS (`discord:workspace:user`). */
export const DISCORD_PLATFORM = 'discord';

/** The variables the Discord adapter reads (see `.env.example`); composed with the core’s by src/compose.ts. */
export const discordEnvSchema = z
  .object({
    DISCORD_TOKEN: optionalText,
    DISCORD_APPLICATION_ID: optionalText,
    DISCORD_GUILD_ID: optionalText,
    DISCORD_API_URL: optionalText.pipe(httpUrl.optional()),
    ACCESS_DISCORD_GUILDS: commaList,
    ACCESS_DISCORD_ROLES: commaList,
  })
  .superRefine((env, ctx) => {
    if (env.DISCORD_TOKEN && !env.DISCORD_APPLICATION_ID) {
      ctx.addIssue({
        code: 'custom',
        path: ['DISCORD_APPLICATION_ID'],
        message: 'is required when DISCORD_TOKEN is set',
      });
    }
  });

/** Who may use the bot from Discord: guilds, roles (any one suffices). Empty lists mean "anyone". */
export interface DiscordAccess {
  guilds: string[];
  roles: string[];
}

export interface DiscordSettings {
  token: string;
  applicationId: string;
  /** Register the command in this guild only (instant); globally when unset. */
  guildId?: string | undefined;
  /** The REST base (proxies, tests); the gateway URL is then asked from it too. */
  apiUrl?: string | undefined;
  access: DiscordAccess;
}

/** The Discord settings, or undefined when DISCORD_TOKEN is not set (Discord does not run). */
export function readDiscordSettings(
  env: NodeJS.ProcessEnv,
  policyFile: Record<string, unknown> = {},
): DiscordSettings | undefined {
  const e = parseEnv(discordEnvSchema, env);
  const access = {
    guilds: policyList(policyFile, 'discordGuilds', e.ACCESS_DISCORD_GUILDS),
    roles: policyList(policyFile, 'discordRoles', e.ACCESS_DISCORD_ROLES),
  };
  if (!e.DISCORD_TOKEN || !e.DISCORD_APPLICATION_ID) return undefined;
  return {
    token: e.DISCORD_TOKEN,
    applicationId: e.DISCORD_APPLICATION_ID,
    guildId: e.DISCORD_GUILD_ID,
    apiUrl: e.DISCORD_API_URL,
    access,
  };
}

/** Discord's access rule: the guild must be listed (when any is), and the member must hold a listed role. */
export function discordAccessRule(access: DiscordAccess): AccessRule {
  return {
    platform: DISCORD_PLATFORM,
    allows(actor) {
      if (access.guilds.length > 0 && !access.guilds.includes(actor.workspaceId)) return false;
      return access.roles.length === 0 || (actor.roles ?? []).some((r) => access.roles.includes(r));
    },
  };
}

/** Discord's credentials, for the secrets registry: scrubbed from every log line and error. */
export function discordSecrets(settings: DiscordSettings | undefined): string[] {
  return settings ? [settings.token] : [];
}
