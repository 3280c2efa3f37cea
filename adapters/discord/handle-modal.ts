import type { ModalSubmitInteraction } from 'discord.js';
import { actorOf, type HandlerContext, localeOf } from './context.js';
import { modalSubmitToFormValues } from './read-values.js';
import { modalFieldsOf } from './render-modal.js';
import { discordSurface } from './surface.js';

/**
 * A submitted modal → the flow: its state token (from the custom_id) and what was typed in the modal's
 * fields. The interaction id names the submission, so a redelivered one creates one contact way.
 */
export async function handleModalSubmit(
  ctx: HandlerContext,
  interaction: ModalSubmitInteraction,
  state: string,
): Promise<void> {
  const locale = localeOf(interaction, ctx.defaultLocale);
  const surface = discordSurface(interaction, { locale });
  await ctx.port.flow.submit(
    {
      actor: actorOf(interaction),
      locale,
      state,
      values: (form) => modalSubmitToFormValues(modalFieldsOf(form), interaction.components),
      submissionId: interaction.id,
      ...(ctx.files ? { files: ctx.files } : {}),
    },
    () => surface,
  );
}
