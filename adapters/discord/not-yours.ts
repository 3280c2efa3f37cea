import { MessageFlags, type RepliableInteraction } from 'discord.js';
import { errorReply } from '../../commands/index.js';
import { ForbiddenError } from '../../src/errors.js';
import type { Locale } from '../../src/i18n.js';
import { type HandlerContext, ownerOf } from './context.js';
import { renderReply } from './render-reply.js';
import { TEXTS } from './texts.js';

/**
 * Refuses a modal submit or button click whose form or button was made for another requester (another
 * user, or the same user in another guild): an ephemeral, bilingual "not yours", logged, and nothing done.
 */
export async function refuseNotYours(
  ctx: HandlerContext,
  interaction: RepliableInteraction,
  locale: Locale,
): Promise<void> {
  ctx.logger.warn(
    { interaction: interaction.id, user: interaction.user.id, guild: interaction.guildId },
    "discord interaction refused: the form or button is someone else's",
  );
  const message = renderReply(errorReply(new ForbiddenError(TEXTS.notYours), locale), {
    locale,
    owner: ownerOf(interaction),
  });
  if (interaction.deferred || interaction.replied) await interaction.editReply(message);
  else await interaction.reply({ ...message, flags: MessageFlags.Ephemeral });
}
