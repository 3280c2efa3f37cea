import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  MessageFlags,
  type ModalSubmitInteraction,
} from 'discord.js';
import { FIX_FIELDS, type FieldError, findCommand, type Reply } from '../../commands/index.js';
import { type Locale, say } from '../../src/base/i18n.js';
import type { OpenForm, Surface } from '../../src/chat/port.js';
import { encodeCustomId } from './custom-id.js';
import { formToDiscordModal, modalFieldsOf } from './render-modal.js';
import { type DiscordMessage, renderNotice, renderReply } from './render-reply.js';
import { TEXTS } from './texts.js';

export type AnswerableInteraction = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

export interface SurfaceOptions {
  locale: Locale;
}

/**
 * How one Discord interaction answers the flow. Everything is ephemeral: only the requester sees it.
 * A modal can only be the first answer (the flow never defers before `openForm`); `defer` is a deferred
 * ephemeral reply (or a deferred update, in place), and every later answer edits it.
 */
export function discordSurface(interaction: AnswerableInteraction, options: SurfaceOptions): Surface {
  const { locale } = options;
  const send = async (message: DiscordMessage) => {
    if (interaction.deferred || interaction.replied) await interaction.editReply(message);
    else await interaction.reply({ ...message, flags: MessageFlags.Ephemeral });
  };
  const self: Surface = {
    async defer(how) {
      if (interaction.deferred || interaction.replied) return;
      // The answer to a question replaces it (its buttons would otherwise stay clickable).
      if (how?.inPlace && interaction.isButton()) await interaction.deferUpdate();
      else await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    },
    // Discord's acknowledgement is `defer` itself: the flow calls it where no modal can follow.
    acknowledge: async () => undefined,
    async openForm(open) {
      const customId = encodeCustomId({ kind: 'form', state: open.state });
      // STATE_CHARS keeps every token within the custom_id; a longer one is a bug, not a user error.
      if (!customId || interaction.isModalSubmit()) throw new Error('a Discord modal cannot carry this form');
      await interaction.showModal(formToDiscordModal(open.form, customId, open.prefill));
    },
    async showFieldErrors(errors, open, reopen) {
      // Only errors in fields the modal shows can be fixed by reopening it (not arguments or slash options).
      const inModal = new Set(modalFieldsOf(open.form).map((f) => f.id));
      const fixable = reopen !== undefined && errors.some((e) => inModal.has(e.field));
      await self.defer();
      await send(
        renderReply(fieldErrorsReply(errors, locale, fixable), {
          locale,
          reopen: fixable ? reopen : undefined,
          fieldLabels: labelsOf(open, locale),
        }),
      );
    },
    reply: (reply) => send(renderReply(reply, { locale })),
    async update(content) {
      if (!('reply' in content)) {
        // Discord cannot replace a modal with another; the form in the new language opens next time.
        if (!interaction.replied && !interaction.deferred) await self.openForm(content.form);
        return;
      }
      const message = renderReply(content.reply, { locale });
      // A modal was the first answer: there is no message to edit, so the reply follows it.
      if (interaction.replied && !interaction.deferred && !interaction.isModalSubmit())
        await interaction.followUp({ ...message, flags: MessageFlags.Ephemeral });
      else await send(message);
    },
    decline: (text) => send(renderNotice(text)),
  };
  return self;
}

function fieldErrorsReply(errors: FieldError[], locale: Locale, fixable: boolean): Reply {
  return {
    status: 'error',
    title: say(FIX_FIELDS, locale),
    facts: [],
    actions: [],
    fieldErrors: errors,
    ...(fixable ? {} : { text: say(TEXTS.rerun, locale) }),
  };
}

/** Labels by field id and argument name, so an error names what the requester saw. */
function labelsOf(open: OpenForm, locale: Locale): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const arg of findCommand(open.form.command)?.args ?? []) labels[arg.name] = say(arg.label, locale);
  for (const field of open.form.fields) labels[field.id] = field.label;
  return labels;
}
