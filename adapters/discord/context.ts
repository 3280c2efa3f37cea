import type { BaseInteraction } from 'discord.js';
import { type Locale, toLocale } from '../../src/base/i18n.js';
import type { Logger } from '../../src/base/logger.js';
import type { BaseRequest, ChatActor, ChatPort } from '../../src/chat/port.js';
import type { FileSource } from '../../src/ui/model.js';

/**
 * Who is asking: guild + user, with their role ids for the access policy (DISCORD_ROLES). In a DM there is
 * no guild, so all DMs share the `dm` workspace and have no roles. Discord sends the roles with every
 * interaction, so the flow can check access before the form.
 */
export function actorOf(interaction: BaseInteraction): ChatActor {
  return {
    platform: 'discord',
    workspaceId: interaction.guildId ?? 'dm',
    userId: interaction.user.id,
    displayName: interaction.user.username,
    roles: rolesOf(interaction),
  };
}

/** The requester's own client language (`zh-CN`, `zh-TW` → zh; `en-US` → en), not the guild's. */
export function localeOf(interaction: BaseInteraction, fallback: Locale): Locale {
  return toLocale(interaction.locale, fallback);
}

/** What every flow request says about this interaction; its id names the delivery. */
export function baseRequest(interaction: BaseInteraction, fallback: Locale): BaseRequest {
  return { actor: actorOf(interaction), locale: localeOf(interaction, fallback), deliveryId: interaction.id };
}

/**
 * discord.js hands over a GuildMember when the guild is cached and the raw API member (roles as an id
 * array) when it is not.
 */
function rolesOf(interaction: BaseInteraction): string[] {
  const member = interaction.member;
  if (!member) return [];
  return Array.isArray(member.roles) ? [...member.roles] : [...member.roles.cache.keys()];
}

/** What every handler needs: the core's port, the adapter's logger, the language when Discord sends none we know. */
export interface HandlerContext {
  port: ChatPort;
  logger: Logger;
  defaultLocale: Locale;
  /** Downloads an `image:` attachment at submit (download-file.ts). */
  files?: FileSource;
}
