import type { BaseInteraction } from 'discord.js';
import type { CommandContext } from '../../commands/index.js';
import { type Locale, toLocale } from '../../src/i18n.js';
import type { Logger } from '../../src/logger.js';
import type { CommandObserver } from '../../src/ops/index.js';
import type { ContactWayService } from '../../src/service/contact-way-service.js';
import type { Requester } from '../../src/store/index.js';
import { ownerTag } from './custom-id.js';
import type { DraftStore } from './form-drafts.js';

/** What every interaction handler needs from the core, and nothing more. */
export interface HandlerContext {
  service: ContactWayService;
  logger: Logger;
  drafts: DraftStore;
  /** The bot runs on the WeCom sandbox: replies say so. */
  sandbox: boolean;
  /** Used when Discord sends a locale we have no texts for. */
  defaultLocale: Locale;
  /** The core's command metrics and log line (`core.ops.commands`). */
  observer?: CommandObserver;
}

/** Who is asking: guild + user. In a DM there is no guild, so all DMs share the `dm` workspace. */
export function requesterOf(interaction: BaseInteraction): Requester {
  return {
    platform: 'discord',
    workspaceId: interaction.guildId ?? 'dm',
    userId: interaction.user.id,
    displayName: interaction.user.username,
  };
}

/** The owner tag (see custom-id.ts) of whoever sent this interaction. */
export function ownerOf(interaction: BaseInteraction): string {
  return ownerTag(requesterOf(interaction));
}

/** The requester's own client language (`zh-CN`, `zh-TW` → zh; `en-US` → en), not the guild's. */
export function localeOf(interaction: BaseInteraction, fallback: Locale): Locale {
  return toLocale(interaction.locale, fallback);
}

/**
 * The requester's role ids, for the access policy (DISCORD_ROLES). discord.js hands over a GuildMember
 * when the guild is cached and the raw API member (roles as an id array) when it is not.
 */
export function rolesOf(interaction: BaseInteraction): string[] {
  const member = interaction.member;
  if (!member) return [];
  return Array.isArray(member.roles) ? [...member.roles] : [...member.roles.cache.keys()];
}

/**
 * The neutral command context for one interaction. The interaction id is the idempotency key: each modal
 * submit or button click is its own interaction, so a redelivered one creates one contact way.
 */
export function commandContext(
  ctx: HandlerContext,
  interaction: BaseInteraction,
  locale: Locale,
): CommandContext {
  return {
    requester: requesterOf(interaction),
    locale,
    service: ctx.service,
    sandbox: ctx.sandbox,
    roles: rolesOf(interaction),
    idempotencyKey: interaction.id,
    observer: ctx.observer,
  };
}
