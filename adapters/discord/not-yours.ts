import { type ButtonInteraction, MessageFlags } from 'discord.js';
import { errorReply } from '../../commands/index.js';
import { ForbiddenError } from '../../src/errors.js';
import type { Locale } from '../../src/i18n.js';
import type { HandlerContext } from './context.js';
import { renderReply } from './render-reply.js';
import { TEXTS } from './texts.js';

/**
 * Refuses a click on a button made for another requester (another user, or the same user in another
 * guild): an ephemeral, bilingual "not yours", logged, and nothing done.
 */
export async function refuseNotYours(
  ctx: HandlerContext,
  interaction: ButtonInteraction,
  locale: Locale,
): Promise<void> {
  ctx.logger.warn(
    { interaction: interaction.id, user: interaction.user.id, guild: interaction.guildId },
    "discord button refused: it is someone else's",
  );
  const message = renderReply(errorReply(new ForbiddenError(TEXTS.notYours), locale), { locale });
  await interaction.reply({ ...message, flags: MessageFlags.Ephemeral });
}
