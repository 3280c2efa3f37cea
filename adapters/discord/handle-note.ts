import { type ButtonInteraction, MessageFlags, Routes } from 'discord.js';
import type { ActionRequest, ChatActor } from '../../src/chat/port.js';
import { type Locale, say } from '../../src/i18n.js';
import { type HandlerContext, localeOf } from './context.js';
import { type NoteButtonId, ownerTag } from './custom-id.js';
import { refuseNotYours } from './not-yours.js';
import { loadNote } from './notify-buttons.js';
import { renderCloseConfirm, renderNotice } from './render-reply.js';
import { discordSurface } from './surface.js';
import { TEXTS } from './texts.js';

/**
 * A click on a notification's button (a DM). Its entry names the requester it was sent to: only that user
 * may click, and they act as themselves in the guild they made the way in, with that guild's roles
 * (fetched, since a DM carries none). End session asks first, like Delete; the flow then runs `close`,
 * so the service's rule (the way's owner or an admin) decides.
 */
export async function handleNoteButton(
  ctx: HandlerContext,
  interaction: ButtonInteraction,
  id: NoteButtonId,
): Promise<void> {
  const locale = localeOf(interaction, ctx.defaultLocale);
  const note = await loadNote(ctx.port.state, id.note);
  if (!note) {
    await interaction.reply({
      ...renderNotice(say(TEXTS.noteExpired, locale)),
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  if (note.requester.platform !== 'discord' || note.requester.userId !== interaction.user.id) {
    await refuseNotYours(ctx, interaction, locale);
    return;
  }
  switch (id.kind) {
    case 'nclose':
      await interaction.reply({
        ...renderCloseConfirm(id.note, note.confirm ?? endSessionTexts(locale)),
        flags: MessageFlags.Ephemeral,
      });
      return;
    case 'nclose-no':
      await interaction.update(renderNotice(say(TEXTS.sessionKept, locale)));
      return;
    default: {
      const guildId = note.requester.workspaceId;
      const here = interaction.guildId === guildId;
      const actor: ChatActor = {
        platform: 'discord',
        workspaceId: guildId,
        userId: interaction.user.id,
        displayName: interaction.user.username,
        ...(here ? { roles: rolesHere(interaction) } : {}),
      };
      const request: ActionRequest = {
        actor,
        locale,
        deliveryId: interaction.id,
        ...(here ? {} : { later: { roles: () => guildRoles(interaction, guildId) } }),
        kind: id.kind === 'nclose-yes' ? 'close' : 'show',
        value: note.configId,
        customer: note.customer,
      };
      const surface = discordSurface(interaction, {
        locale,
        owner: ownerTag(actor),
        inPlace: id.kind === 'nclose-yes',
      });
      await ctx.port.flow.action(request, surface);
    }
  }
}

function endSessionTexts(locale: Locale) {
  const e = TEXTS.endSession;
  return {
    title: say(e.title, locale),
    text: say(e.text, locale),
    yes: say(e.yes, locale),
    no: say(e.no, locale),
  };
}

function rolesHere(interaction: ButtonInteraction): string[] {
  const member = interaction.member;
  if (!member) return [];
  return Array.isArray(member.roles) ? [...member.roles] : [...member.roles.cache.keys()];
}

/** The clicker's roles in the guild the way was made in; none when Discord will not say (left the guild). */
async function guildRoles(interaction: ButtonInteraction, guildId: string): Promise<string[]> {
  const member = (await interaction.client.rest.get(Routes.guildMember(guildId, interaction.user.id))) as {
    roles?: string[];
  };
  return member.roles ?? [];
}
