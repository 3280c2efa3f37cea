import { type ButtonInteraction, MessageFlags } from 'discord.js';
import { formFor, parseOptions, runCommand } from '../../commands/index.js';
import { say } from '../../src/i18n.js';
import { commandContext, type HandlerContext, localeOf, ownerOf } from './context.js';
import type { CustomId } from './custom-id.js';
import { refuseNotYours } from './not-yours.js';
import { commandOf, openForm, splitParams } from './open-form.js';
import { renderDeleteConfirm, renderNotice, renderReply } from './render-reply.js';
import { TEXTS } from './texts.js';

/** How long reopening may wait on the store: the modal must still go out within Discord's 3 s. */
const DRAFT_LOAD_TIMEOUT_MS = 1_500;

type ButtonId = Exclude<CustomId, { kind: 'form' | 'formref' }>;

/**
 * Buttons under our replies, already known to be the clicker's own (index.ts checks the owner in the id).
 * Ownership of the config_id stays the service's job: another requester's answers "not found", exactly as
 * the slash commands do. Deleting asks first, since Discord buttons have no confirm dialog of their own.
 */
export async function handleButton(
  ctx: HandlerContext,
  interaction: ButtonInteraction,
  id: ButtonId,
): Promise<void> {
  const locale = localeOf(interaction, ctx.defaultLocale);
  const owner = ownerOf(interaction);
  switch (id.kind) {
    case 'show':
    case 'delete-yes': {
      const name = id.kind === 'show' ? 'show' : 'delete';
      // Showing answers with a new message; a confirmed delete replaces the question it answers.
      if (id.kind === 'show') await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      else await interaction.deferUpdate();
      const reply = await runCommand(
        commandContext(ctx, interaction, locale),
        parseOptions(name, { config_id: id.configId }),
      );
      await interaction.editReply(renderReply(reply, { locale, owner }));
      return;
    }
    case 'delete':
      await interaction.reply({
        ...renderDeleteConfirm(id.configId, locale, owner),
        flags: MessageFlags.Ephemeral,
      });
      return;
    case 'delete-no':
      await interaction.update(renderNotice(say(TEXTS.kept(id.configId), locale)));
      return;
    case 'reopen':
      await reopen(ctx, interaction, id.id);
      return;
  }
}

/**
 * Reopens a form with what the requester typed. The one place a store read comes before a modal: the
 * typed values do not fit in a custom_id. It is bounded so the modal still answers within Discord's 3 s.
 */
async function reopen(ctx: HandlerContext, interaction: ButtonInteraction, draftId: string): Promise<void> {
  const locale = localeOf(interaction, ctx.defaultLocale);
  const draft = await ctx.drafts.load(draftId, DRAFT_LOAD_TIMEOUT_MS);
  if (draft && draft.owner !== ownerOf(interaction)) {
    await refuseNotYours(ctx, interaction, locale);
    return;
  }
  const command = draft && commandOf(draft);
  const form =
    draft && command
      ? formFor({ command, args: splitParams(command, draft.params).args }, locale)
      : undefined;
  if (!draft || !form) {
    await interaction.reply({
      ...renderNotice(say(TEXTS.formExpired, locale)),
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  await openForm(ctx, interaction, draft, form, draft.values, draftId);
}
