import { type ButtonInteraction, MessageFlags } from 'discord.js';
import { say } from '../../src/i18n.js';
import { baseRequest, type HandlerContext } from './context.js';
import type { ButtonId } from './custom-id.js';
import { renderDeleteConfirm, renderNotice } from './render-reply.js';
import { discordSurface } from './surface.js';
import { TEXTS } from './texts.js';

/**
 * Buttons under our replies, already known to be the clicker's own (index.ts checks the owner in the id).
 * Show, a confirmed delete and reopen go to the flow (the service still answers "not found" for another
 * requester's config_id). Deleting asks first, since Discord buttons have no confirm dialog of their own:
 * the question and "keep it" are rendering only.
 */
export async function handleButton(
  ctx: HandlerContext,
  interaction: ButtonInteraction,
  id: ButtonId,
): Promise<void> {
  const base = baseRequest(interaction, ctx.defaultLocale);
  const locale = base.locale;
  switch (id.kind) {
    case 'delete':
      await interaction.reply({
        ...renderDeleteConfirm(id.configId, locale, id.owner),
        flags: MessageFlags.Ephemeral,
      });
      return;
    case 'delete-no':
      await interaction.update(renderNotice(say(TEXTS.kept(id.configId), locale)));
      return;
    default: {
      // A confirmed delete replaces the question it answers; showing and reopening answer anew.
      const surface = discordSurface(interaction, {
        locale,
        owner: id.owner,
        inPlace: id.kind === 'delete-yes',
      });
      const request =
        id.kind === 'reopen'
          ? { ...base, kind: 'reopen' as const, value: id.state }
          : {
              ...base,
              kind: id.kind === 'show' ? ('show' as const) : ('delete' as const),
              value: id.configId,
            };
      await ctx.port.flow.action(request, surface);
    }
  }
}
