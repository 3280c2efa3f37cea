import type { Form, FormValues } from '../../commands/index.js';
import { FIELD_ACTION_ID } from './render-form.js';

/** One element's state in `view.state.values`, as Slack sends it (only the parts we read). */
export interface SlackStateValue {
  type: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[];
  /** file_input: the files attached (bolt-js PR #1995), each with the link the bot downloads it from. */
  files?: { id: string; name?: string; url_private_download?: string; url_private?: string }[];
}

/** `view.state.values`: by block_id, then action_id. */
export type SlackStateValues = Record<string, Record<string, SlackStateValue>>;

/**
 * Reads a submitted modal back into the neutral FormValues (text by field id), so the same validation as
 * on every platform decides what is valid. Pure. Nothing is judged here: an unexpected option value is
 * passed through and rejected by the shared rules, in the requester's language.
 */
export function slackValuesToFormValues(values: SlackStateValues, form: Form): FormValues {
  const out: FormValues = {};
  for (const field of form.fields) {
    const state = values[field.id]?.[FIELD_ACTION_ID];
    if (!state) continue;
    out[field.id] = readState(state);
  }
  return out;
}

function readState(state: SlackStateValue): string {
  switch (state.type) {
    case 'checkboxes': {
      // A single checkbox: unchecked is an explicit "no".
      const selected = state.selected_options ?? [];
      return selected.length === 0 ? 'false' : selected.map((o) => o.value).join(',');
    }
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return state.selected_option?.value ?? '';
    case 'multi_external_select':
      return (state.selected_options ?? []).map((o) => o.value).join(',');
    case 'file_input': {
      // The file's download link is the value: fetched with the bot token when the command runs.
      const [file] = state.files ?? [];
      return file?.url_private_download ?? file?.url_private ?? '';
    }
    default:
      return state.value ?? '';
  }
}
