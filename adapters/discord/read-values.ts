import type { FormField, FormValues } from '../../commands/index.js';

/** One input as discord.js hands it over in `ModalSubmitInteraction.components` (camelCased API data). */
export interface SubmittedInput {
  type: number;
  customId?: string;
  /** Text inputs: the text; checkboxes: true/false; radio groups: the choice or null. */
  value?: string | boolean | null;
  /** Selects, checkbox groups, file uploads. */
  values?: readonly string[];
}

/** A top-level modal component: a Label (one `component`) or a legacy action row (`components`). */
export interface SubmittedComponent {
  type: number;
  component?: SubmittedInput;
  components?: readonly SubmittedInput[];
}

/**
 * Reads a modal submission back into neutral form values (text by field id: `'true'`/`'false'` for
 * checkboxes, comma lists for multi-selects). Only the given fields are read; a field missing from the
 * submission is left out. Pure, so the same parsing is unit-tested without Discord.
 */
export function modalSubmitToFormValues(
  fields: readonly FormField[],
  components: readonly SubmittedComponent[],
): FormValues {
  const inputs = new Map<string, SubmittedInput>();
  for (const top of components) {
    for (const input of top.component ? [top.component] : (top.components ?? [])) {
      if (input.customId !== undefined) inputs.set(input.customId, input);
    }
  }
  const values: FormValues = {};
  for (const field of fields) {
    const input = inputs.get(field.id);
    if (!input) continue;
    values[field.id] = textOf(input);
  }
  return values;
}

function textOf(input: SubmittedInput): string {
  if (typeof input.value === 'boolean') return input.value ? 'true' : 'false';
  if (typeof input.value === 'string') return input.value;
  if (input.values) return input.values.join(',');
  return '';
}
