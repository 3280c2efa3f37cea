import { MessageFlags, type ModalSubmitInteraction } from 'discord.js';
import {
  checkSubmission,
  errorReply,
  FIX_FIELDS,
  type FieldError,
  type Form,
  formFor,
  type Invocation,
  parseOptions,
  type Reply,
  runCommand,
} from '../../commands/index.js';
import { type Locale, say } from '../../src/i18n.js';
import { commandContext, type HandlerContext, localeOf, ownerOf } from './context.js';
import type { CustomId } from './custom-id.js';
import { compactValues, type FormDraft } from './form-drafts.js';
import { refuseNotYours } from './not-yours.js';
import { commandOf, type FormContext, splitParams } from './open-form.js';
import { modalSubmitToFormValues } from './read-values.js';
import { modalFieldsOf } from './render-modal.js';
import { renderReply } from './render-reply.js';
import { TEXTS } from './texts.js';

/**
 * A submitted modal. Deferred first (ephemeral), because creating the contact way waits on WeCom and a
 * modal submit, like a command, must be answered within 3 s; the result is then edited in.
 *
 * Discord cannot show errors under a modal's fields, nor answer a submit with another modal, so invalid
 * values come back as an ephemeral reply naming each bad field, with a button that reopens the form
 * prefilled with what was typed (stored as a draft, see form-drafts.ts).
 *
 * The modal is the submitter's own (index.ts checks the owner in its custom_id); a context kept
 * server-side is checked again against the owner stored with it.
 */
export async function handleModalSubmit(
  ctx: HandlerContext,
  interaction: ModalSubmitInteraction,
  id: Extract<CustomId, { kind: 'form' | 'formref' }>,
): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const locale = localeOf(interaction, ctx.defaultLocale);
  const owner = ownerOf(interaction);
  const draft: FormDraft | undefined = id.kind === 'formref' ? await ctx.drafts.load(id.id) : undefined;
  if (draft && draft.owner !== owner) {
    await refuseNotYours(ctx, interaction, locale);
    return;
  }
  const context: FormContext | undefined =
    id.kind === 'form' ? { command: id.command, params: id.params } : draft;
  const command = context && commandOf(context);
  if (!context || !command) {
    await interaction.editReply(renderReply(info(say(TEXTS.formExpired, locale)), { locale, owner }));
    return;
  }

  const { args, fixed } = splitParams(command, context.params);
  let invocation: Invocation;
  try {
    invocation = parseOptions(command.name, args);
  } catch (error) {
    await interaction.editReply(renderReply(errorReply(error, locale), { locale, owner }));
    return;
  }
  const form = formFor(invocation, locale);
  const typed = form ? modalSubmitToFormValues(modalFieldsOf(form), interaction.components) : {};
  const checked = checkSubmission(invocation, { ...fixed, ...typed }, locale);
  const reply = checked.ok
    ? await runCommand(commandContext(ctx, interaction, locale), invocation, checked.input)
    : invalidReply(checked.errors, locale);

  // Errors in fields the modal shows can be fixed there: keep what was typed and offer to reopen it.
  // Errors only in arguments or option-given fields cannot: those need the command run again.
  const fixable = form !== undefined && fixableIn(form, reply.fieldErrors);
  if (!checked.ok && !fixable) reply.text = say(TEXTS.rerun, locale);
  const reopenId = fixable ? await saveDraft(ctx, context, typed, owner) : undefined;
  await interaction.editReply(
    renderReply(reply, { locale, owner, reopenId, fieldLabels: labelsOf(form, invocation, locale) }),
  );
}

function invalidReply(errors: FieldError[], locale: Locale): Reply {
  return {
    status: 'error',
    title: say(FIX_FIELDS, locale),
    facts: [],
    actions: [],
    fieldErrors: errors,
  };
}

function info(title: string): Reply {
  return { status: 'info', title, facts: [], actions: [] };
}

function fixableIn(form: Form, errors: FieldError[] | undefined): boolean {
  const inModal = new Set(modalFieldsOf(form).map((f) => f.id));
  return (errors ?? []).some((e) => inModal.has(e.field));
}

async function saveDraft(
  ctx: HandlerContext,
  context: FormContext,
  typed: Record<string, string | undefined>,
  owner: string,
): Promise<string | undefined> {
  const saved = ctx.drafts.save({
    command: context.command,
    params: context.params,
    values: compactValues(typed),
    owner,
  });
  return (await saved.written) ? saved.id : undefined;
}

/** Labels by field id and argument name, so an error names what the requester saw. */
function labelsOf(form: Form | undefined, invocation: Invocation, locale: Locale): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const arg of invocation.command.args) labels[arg.name] = say(arg.label, locale);
  for (const field of form?.fields ?? []) labels[field.id] = field.label;
  return labels;
}
