import type { ButtonInteraction, ChatInputCommandInteraction } from 'discord.js';
import { type Command, type Form, type FormValues, findCommand } from '../../commands/index.js';
import { optionFieldsOf } from './command-definitions.js';
import { type HandlerContext, ownerOf } from './context.js';
import { encodeCustomId } from './custom-id.js';
import { formToDiscordModal } from './render-modal.js';

/**
 * What a modal must carry to be completed later: the command, its arguments, and the form fields that
 * were given as slash options (they are not in the modal). One flat map: argument names and field ids
 * never overlap (a unit test checks it).
 */
export interface FormContext {
  command: string;
  params: Record<string, string>;
}

/** Splits a context's params back into the command's arguments and the option-given field values. */
export function splitParams(
  command: Command,
  params: Record<string, string>,
): { args: Record<string, string>; fixed: FormValues } {
  const argNames = new Set(command.args.map((a) => a.name));
  const fieldIds = new Set(optionFieldsOf(command).map((f) => f.id));
  const args: Record<string, string> = {};
  const fixed: FormValues = {};
  for (const [key, value] of Object.entries(params)) {
    if (argNames.has(key)) args[key] = value;
    else if (fieldIds.has(key)) fixed[key] = value;
  }
  return { args, fixed };
}

/** The command a context names, if we still know it. */
export function commandOf(context: FormContext): Command | undefined {
  return findCommand(context.command);
}

/**
 * Answers an interaction with the form's modal. The context goes into the custom_id when it fits (no
 * storage, survives restarts); otherwise it is stored under `draftId` (or a new draft) and only the id
 * travels. Either way the id names its owner, the requester it is shown to. Nothing is awaited before
 * `showModal`: Discord accepts a modal only as the first response, within 3 s, and a store write could be
 * slow. The new draft is written in the background.
 */
export async function openForm(
  ctx: HandlerContext,
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  context: FormContext,
  form: Form,
  prefill: FormValues = {},
  draftId?: string,
): Promise<void> {
  const owner = ownerOf(interaction);
  let customId = encodeCustomId({ kind: 'form', owner, command: context.command, params: context.params });
  let written: Promise<boolean> | undefined;
  if (!customId) {
    let id = draftId;
    if (!id) {
      const saved = ctx.drafts.save({ ...context, owner });
      id = saved.id;
      written = saved.written;
    }
    customId = encodeCustomId({ kind: 'formref', owner, id }) as string;
  }
  await interaction.showModal(formToDiscordModal(form, customId, prefill));
  await written;
}
