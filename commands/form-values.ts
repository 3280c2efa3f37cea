import { z } from 'zod';
import { durationTextSchema } from '../src/base/duration.js';
import { type FieldIssue, ValidationError } from '../src/base/errors.js';
import { t } from '../src/base/i18n.js';
import { human, multiLine, oneLine, toFieldIssues, validate } from '../src/base/validate.js';
import { departmentIdSchema, userIdSchema } from '../src/wecom/schemas.js';
import type { FieldSpec, FormValues } from './types.js';

/** Typed values by field id; empty fields are absent. */
export type TypedValues = Record<string, unknown>;

const TRUE = ['true', 'on', 'yes', 'y', '1', '是', '开'];
const FALSE = ['false', 'off', 'no', 'n', '0', '否', '关'];

/** A yes/no field's text as a boolean, undefined when it is neither. */
export function readBoolean(text: string): boolean | undefined {
  const lower = text.trim().toLowerCase();
  if (TRUE.includes(lower)) return true;
  if (FALSE.includes(lower)) return false;
  return undefined;
}

const booleanText = z.string().transform((text, ctx) => {
  const value = readBoolean(text);
  if (value !== undefined) return value;
  ctx.addIssue({
    code: 'custom',
    message: 'bad boolean',
    params: human(t('must be yes or no', '须为"是"或"否"')),
  });
  return z.NEVER;
});

const listText = z.string().transform((text) => text.split(/[\s,，、;；]+/).filter(Boolean));

const integerText = z.string().transform((text, ctx) => {
  const value = Number(text.trim());
  if (!Number.isInteger(value)) {
    ctx.addIssue({
      code: 'custom',
      message: 'bad integer',
      params: human(t('must be a whole number', '必须是整数')),
    });
    return z.NEVER;
  }
  return value;
});

function kindSchema(field: FieldSpec): z.ZodType {
  switch (field.kind) {
    // Every free-text field refuses control characters, not only those a WeCom schema checks later.
    case 'text':
      return oneLine(z.string().trim());
    case 'multiline':
      // A CRLF from some clients is the same line break as LF; a lone CR is still refused.
      return z
        .string()
        .trim()
        .transform((text) => text.replace(/\r\n/g, '\n'))
        .pipe(multiLine());
    case 'number':
      return integerText;
    case 'duration':
      return durationTextSchema;
    case 'boolean':
      return booleanText;
    case 'choice':
      return z.enum((field.options ?? []).map((o) => o.value) as [string, ...string[]]);
    case 'member':
      return userIdSchema;
    case 'members':
      return listText.pipe(z.array(userIdSchema));
    case 'departments':
      return listText.pipe(z.array(integerText.pipe(departmentIdSchema)));
    case 'file':
      // The adapter's reference to the file (a URL, a path): fetched and checked when the command runs.
      return oneLine(z.string().trim().max(4096));
  }
}

/**
 * Schemas by field id, kind and choices. Built once: zod compiles an object schema on its first parse, and
 * building fresh ones for every submission cost more CPU than the rest of the request's own work.
 */
const fieldSchemas = new Map<string, z.ZodObject>();

function schemaFor(field: FieldSpec): z.ZodObject {
  const key = `${field.id}\u0000${field.kind}\u0000${(field.options ?? []).map((o) => o.value).join('\u0000')}`;
  let schema = fieldSchemas.get(key);
  if (!schema) {
    schema = z.object({ [field.id]: kindSchema(field) });
    fieldSchemas.set(key, schema);
  }
  return schema;
}

/**
 * Reads submitted text into typed values, one rule per field kind, the same for every platform. Empty
 * fields are left out (WeCom then applies its own default); an empty required field is an error.
 * Returns what parsed and what did not, so the WeCom rules can still be checked on the rest and the
 * requester hears about every bad field at once, not one round at a time.
 */
export function readFormValues(
  fields: FieldSpec[],
  values: FormValues,
): { typed: TypedValues; issues: FieldIssue[] } {
  const typed: TypedValues = {};
  const issues: FieldIssue[] = [];
  for (const field of fields) {
    const raw = values[field.id]?.trim() ?? '';
    if (raw === '') {
      if (!field.optional) issues.push({ field: field.id, message: t('is required', '必填') });
      continue;
    }
    try {
      typed[field.id] = validate(schemaFor(field), { [field.id]: raw }, fieldOfPath)[field.id];
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
  }
  return { typed, issues };
}

/**
 * Reads a form and checks the request built from it with a WeCom schema; throws one ValidationError
 * naming every bad field (form-level problems win over WeCom-level ones for the same field).
 */
export function checkForm<S extends z.ZodType>(
  fields: FieldSpec[],
  values: FormValues,
  schema: S,
  toRequest: (typed: TypedValues) => unknown,
): { typed: TypedValues; request: z.output<S> } {
  const { typed, issues } = readFormValues(fields, values);
  const result = schema.safeParse(toRequest(typed), { reportInput: true });
  const seen = new Set(issues.map((i) => i.field));
  const more = result.success
    ? []
    : toFieldIssues(result.error, fieldOfPath).filter((i) => !seen.has(i.field));
  const all = [...issues, ...more];
  if (all.length > 0 || !result.success) throw new ValidationError(all);
  return { typed, request: result.data };
}

/** Maps a validation path in a WeCom request to the form field that holds it: WeCom keys are our ids. */
export function fieldOfPath(path: PropertyKey[]): string {
  return String(path[0] ?? 'input');
}
