import type { types as slack } from '@slack/bolt';
import type { Form, FormField } from '../../commands/index.js';
import { type Locale, say, t } from '../../src/base/i18n.js';
import { clip } from '../../src/base/text.js';

/** The callback_id of every contactway modal; the command itself travels in private_metadata. */
export const FORM_CALLBACK_ID = 'contactway_form';

/** Slack's limit for a view's `private_metadata`, where the form's state token travels. */
export const MAX_METADATA_CHARS = 3000;

/** Every input has this action_id, so a value is found at `state.values[fieldId][FIELD_ACTION_ID]`. */
export const FIELD_ACTION_ID = 'value';

/** The value of a boolean's single checkbox: checked means `'true'`. */
export const CHECKED_VALUE = 'true';

// Slack's limits for modal views and their elements (docs.slack.dev/reference/views/modal-views).
const TITLE_MAX = 24;
const BUTTON_MAX = 24;
const LABEL_MAX = 2000;
const HINT_MAX = 2000;
const PLACEHOLDER_MAX = 150;
export const OPTION_TEXT_MAX = 75;
/** Slack's limit of options in a select, and of options an options request may answer with. */
export const MAX_OPTIONS = 100;
const INPUT_MAX = 3000;

export interface FormViewOptions {
  /** The language of the close button; the form's own texts are already localized. */
  locale?: Locale;
}

/**
 * Renders a neutral form as a Block Kit modal: one input block per field, `block_id` = field id so
 * `response_action: "errors"` lands under the right field, defaults prefilled. Pure.
 */
export function formToSlackView(
  form: Form,
  metadata: string,
  options: FormViewOptions = {},
): slack.ModalView {
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK_ID,
    private_metadata: metadata,
    title: plain(clip(form.title, TITLE_MAX)),
    submit: plain(clip(form.submit, BUTTON_MAX)),
    close: plain(clip(say(t('Cancel', '取消'), options.locale ?? 'en'), BUTTON_MAX)),
    blocks: [...(form.notice ? [noticeBlock(form.notice)] : []), ...form.fields.map(fieldToBlock)],
  };
}

function noticeBlock(text: string): slack.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, HINT_MAX), verbatim: true }] };
}

/** One field as an input block with the element that suits its kind. */
export function fieldToBlock(field: FormField): slack.InputBlock {
  const block: slack.InputBlock = {
    type: 'input',
    block_id: field.id,
    label: plain(clip(field.label, LABEL_MAX)),
    element: elementFor(field),
    // An unchecked box is an answer ("no"): a required checkbox block would refuse it.
    optional: field.optional || field.kind === 'boolean',
  };
  const hint = hintFor(field);
  if (hint) block.hint = plain(clip(hint, HINT_MAX));
  return block;
}

function elementFor(field: FormField): slack.InputBlockElement {
  switch (field.kind) {
    case 'number':
      return numberElement(field);
    case 'boolean':
      return checkboxElement(field);
    case 'choice':
      return selectElement(field);
    case 'multiline':
      return textElement(field, true);
    // WeCom members are not Slack users: their pickers are served from the member directory (options.ts).
    case 'member':
      return memberPicker(field);
    case 'members':
      return membersPicker(field);
    case 'file':
      return fileElement(field);
    default:
      // text, duration and departments are typed.
      return textElement(field, false);
  }
}

/**
 * Slack's file_input (needs files:read): one file of the kinds the field accepts. Slack's own filter and its
 * 10 MB cap are a convenience; the core checks the bytes again.
 */
function fileElement(field: FormField): slack.FileInput {
  return {
    type: 'file_input',
    action_id: FIELD_ACTION_ID,
    ...(field.accept ? { filetypes: field.accept.extensions } : {}),
    max_files: 1,
  };
}

function textElement(field: FormField, multiline: boolean): slack.PlainTextInput {
  const element: slack.PlainTextInput = { type: 'plain_text_input', action_id: FIELD_ACTION_ID, multiline };
  const max = Math.min(field.maxLength ?? INPUT_MAX, INPUT_MAX);
  if (field.maxLength !== undefined) element.max_length = max;
  // Slack refuses the whole view for a longer initial value: one (a synced way's) opens empty, which keeps it.
  if (field.default !== '' && [...field.default].length <= max) element.initial_value = field.default;
  if (field.placeholder) element.placeholder = plain(clip(field.placeholder, PLACEHOLDER_MAX));
  return element;
}

function numberElement(field: FormField): slack.NumberInput {
  const element: slack.NumberInput = {
    type: 'number_input',
    action_id: FIELD_ACTION_ID,
    is_decimal_allowed: false,
  };
  if (field.min !== undefined) element.min_value = String(field.min);
  if (field.max !== undefined) element.max_value = String(field.max);
  if (field.default !== '') element.initial_value = field.default;
  if (field.placeholder) element.placeholder = plain(clip(field.placeholder, PLACEHOLDER_MAX));
  return element;
}

/** The picker shows members as soon as it opens: a Chinese name is often one character long. */
const MIN_QUERY_LENGTH = 0;

function memberPicker(field: FormField): slack.ExternalSelect {
  const element: slack.ExternalSelect = {
    type: 'external_select',
    action_id: FIELD_ACTION_ID,
    min_query_length: MIN_QUERY_LENGTH,
  };
  const [initial] = memberOptions(field.default);
  if (initial) element.initial_option = initial;
  if (field.placeholder) element.placeholder = plain(clip(field.placeholder, PLACEHOLDER_MAX));
  return element;
}

function membersPicker(field: FormField): slack.MultiExternalSelect {
  const element: slack.MultiExternalSelect = {
    type: 'multi_external_select',
    action_id: FIELD_ACTION_ID,
    min_query_length: MIN_QUERY_LENGTH,
  };
  const initial = memberOptions(field.default);
  if (initial.length > 0) element.initial_options = initial;
  if (field.placeholder) element.placeholder = plain(clip(field.placeholder, PLACEHOLDER_MAX));
  return element;
}

/** Prefilled members (a form reopened with what was picked): the userid is both value and text. */
function memberOptions(text: string): slack.PlainTextOption[] {
  return text
    .split(/[\s,，、;；]+/)
    .filter(Boolean)
    .slice(0, MAX_OPTIONS)
    .map((userid) => ({ text: plain(clip(userid, OPTION_TEXT_MAX)), value: userid }));
}

function checkboxElement(field: FormField): slack.Checkboxes {
  const option = { text: plain(clip(checkboxText(field), OPTION_TEXT_MAX)), value: CHECKED_VALUE };
  const element: slack.Checkboxes = { type: 'checkboxes', action_id: FIELD_ACTION_ID, options: [option] };
  if (field.default === 'true') element.initial_options = [option];
  return element;
}

function selectElement(field: FormField): slack.StaticSelect {
  const options = (field.options ?? []).map((o) => ({
    text: plain(clip(o.label, OPTION_TEXT_MAX)),
    value: o.value,
  }));
  const element: slack.StaticSelect = { type: 'static_select', action_id: FIELD_ACTION_ID, options };
  const initial = options.find((o) => o.value === field.default);
  if (initial) element.initial_option = initial;
  if (field.placeholder) element.placeholder = plain(clip(field.placeholder, PLACEHOLDER_MAX));
  return element;
}

/** A checkbox's own text says what checking it means: the help when it is short enough, else the label. */
function checkboxText(field: FormField): string {
  return field.help && [...field.help].length <= OPTION_TEXT_MAX ? field.help : field.label;
}

function hintFor(field: FormField): string | undefined {
  if (field.kind === 'boolean' && checkboxText(field) === field.help) return undefined;
  return field.help || undefined;
}

function plain(text: string): slack.PlainTextElement {
  return { type: 'plain_text', text, emoji: true };
}
