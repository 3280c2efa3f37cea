import {
  CheckboxBuilder,
  LabelBuilder,
  ModalBuilder,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import type { Form, FormField, FormValues } from '../../commands/index.js';
import { clip } from '../../src/base/text.js';
import { MAX_MODAL_FIELDS, splitFields } from './command-definitions.js';

/** Discord's limits for modal texts. */
const MAX_TITLE = 45;
const MAX_LABEL = 45;
const MAX_DESCRIPTION = 100;
const MAX_PLACEHOLDER = 100;
const MAX_TEXT_VALUE = 4000;

/** The modal fields of a form: those not taken as slash options (see command-definitions.ts). */
export function modalFieldsOf(form: Form): FormField[] {
  return splitFields(form.command, form.fields).modal;
}

/**
 * Renders a neutral form as a Discord modal with Label components (text inputs for text, durations and
 * lists; a checkbox for booleans; a string select for choices). Pure: no I/O, so the command handler can
 * call it and answer with the modal before anything else (the modal must be the first response).
 *
 * `values` prefill the inputs (what the requester typed, when reopening after a validation error); fields
 * without a value open with their default.
 */
export function formToDiscordModal(form: Form, customId: string, values: FormValues = {}): ModalBuilder {
  const fields = modalFieldsOf(form);
  if (fields.length > MAX_MODAL_FIELDS)
    throw new Error(`${form.command}: ${fields.length} modal fields, Discord allows ${MAX_MODAL_FIELDS}`);
  const modal = new ModalBuilder().setCustomId(customId).setTitle(clip(form.title, MAX_TITLE));
  for (const field of fields) modal.addLabelComponents(renderField(field, values[field.id] ?? field.default));
  return modal;
}

function renderField(field: FormField, value: string): LabelBuilder {
  const label = new LabelBuilder().setLabel(clip(field.label, MAX_LABEL));
  if (field.help) label.setDescription(clip(field.help, MAX_DESCRIPTION));
  // A checkbox cannot say "unchanged": a boolean without a default (keep as is) becomes a yes/no select.
  if (field.kind === 'boolean' && value !== '') {
    return label.setCheckboxComponent(
      new CheckboxBuilder().setCustomId(field.id).setDefault(value === 'true'),
    );
  }
  if (field.kind === 'choice' || field.kind === 'boolean') {
    return label.setStringSelectMenuComponent(renderSelect(field, value));
  }
  return label.setTextInputComponent(renderTextInput(field, value));
}

function renderSelect(field: FormField, value: string): StringSelectMenuBuilder {
  // Boolean labels are not in the neutral model; both languages fit in one short label.
  const options = field.options ?? [
    { value: 'true', label: 'Yes / 是' },
    { value: 'false', label: 'No / 否' },
  ];
  const select = new StringSelectMenuBuilder()
    .setCustomId(field.id)
    .setRequired(!field.optional)
    .setMinValues(field.optional ? 0 : 1)
    .setMaxValues(1)
    .addOptions(
      options.map((o) => ({ label: clip(o.label, 100), value: o.value, default: o.value === value })),
    );
  if (field.placeholder) select.setPlaceholder(clip(field.placeholder, MAX_PLACEHOLDER));
  return select;
}

function renderTextInput(field: FormField, value: string): TextInputBuilder {
  const maxLength = Math.min(field.maxLength ?? MAX_TEXT_VALUE, MAX_TEXT_VALUE);
  const long = field.kind === 'multiline' || field.kind === 'members' || field.kind === 'departments';
  const input = new TextInputBuilder()
    .setCustomId(field.id)
    .setStyle(long ? TextInputStyle.Paragraph : TextInputStyle.Short)
    // Fields with a default are optional too: an emptied field falls back to WeCom's default.
    .setRequired(!field.optional)
    .setMaxLength(maxLength);
  // Discord rejects a modal whose prefilled value is longer than the input allows, and a clipped one would be
  // saved clipped: too long, it opens empty, which an edit reads as "keep" (as Slack's form does).
  if (value !== '' && [...value].length <= maxLength) input.setValue(value);
  if (field.placeholder) input.setPlaceholder(clip(field.placeholder, MAX_PLACEHOLDER));
  return input;
}
