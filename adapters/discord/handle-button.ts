import { type ButtonInteraction, Routes } from 'discord.js';
import type { ActionRequest } from '../../src/chat/port.js';
import { baseRequest, type HandlerContext } from './context.js';
import type { CustomId } from './custom-id.js';
import { discordSurface } from './surface.js';

/**
 * A click on one of our buttons → the flow, with the token its custom_id carries (an id of ours that does
 * not decode, from an older release or tampered with, goes as an empty token: the flow says it expired).
 * The flow reads whose it is and what it does, and asks before Delete and End session. A click in a DM
 * (a notification's button) comes from no guild: the flow acts in the guild the notification was sent
 * for, and the clicker's roles there are fetched, since a DM carries none.
 */
export async function handleButton(
  ctx: HandlerContext,
  interaction: ButtonInteraction,
  id: CustomId | undefined,
): Promise<void> {
  const base = baseRequest(interaction, ctx.defaultLocale);
  const request: ActionRequest =
    id?.kind === 'reopen'
      ? { ...base, token: id.state, reopen: true }
      : {
          ...base,
          token: id?.kind === 'action' ? id.token : '',
          ...(interaction.guildId
            ? {}
            : { elsewhere: { roles: (guildId: string) => guildRoles(interaction, guildId) } }),
        };
  await ctx.port.flow.action(request, discordSurface(interaction, { locale: base.locale }));
}

/** The clicker's roles in the guild the way was made in; none when Discord will not say (left the guild). */
async function guildRoles(interaction: ButtonInteraction, guildId: string): Promise<string[]> {
  const member = (await interaction.client.rest.get(Routes.guildMember(guildId, interaction.user.id))) as {
    roles?: string[];
  };
  return member.roles ?? [];
}
