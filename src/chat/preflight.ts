import {
  checkSubmission,
  type FieldError,
  type Form,
  type FormValues,
  type Invocation,
} from '../../commands/index.js';
import { ValidationError } from '../base/errors.js';
import { type Locale, t } from '../base/i18n.js';
import { IneligibleMemberError, type MemberDirectory } from '../directory/index.js';
import type { Requester } from '../store/index.js';

/**
 * What is known to fail before a form opens, answered synchronously from memory (a form must open within
 * the platform's 3 s): a member WeCom would refuse, and arguments that are wrong whatever the form says.
 */

/**
 * The first member of the command (its `user` argument, or members a platform collected outside the form)
 * the directory knows WeCom would refuse. Commands without a form (close) and members the directory does
 * not know pass. Members outside the requester's CREATE_FOR scope are left to that refusal: their status is
 * none of the requester's business.
 */
export function preflight(
  directory: MemberDirectory,
  invocation: Invocation,
  fixed: FormValues | undefined,
  scope: readonly string[] | undefined,
  /** Whose corp answers in a provider mode (the directory must have been `prepare`d for them). */
  requester?: Requester,
): IneligibleMemberError | undefined {
  if (!invocation.command.form) return undefined;
  for (const userid of membersOf(invocation, fixed)) {
    if (scope && !scope.includes(userid)) continue;
    const verdict = directory.verdict(userid, requester);
    if (verdict.kind === 'ineligible') return new IneligibleMemberError(userid, verdict.reason);
  }
  return undefined;
}

/** The members a command names: its `user` argument and members a platform collected outside the form. */
export function membersOf(invocation: Invocation, fixed: FormValues | undefined): string[] {
  return [invocation.args.user, ...(fixed?.user ?? '').split(',')]
    .map((u) => u?.trim())
    .filter((u): u is string => Boolean(u));
}

/** Errors about anything that is not a field of the form: the command's arguments, checked with defaults. */
export function argumentErrors(
  invocation: Invocation,
  form: Form,
  fixed: FormValues,
  locale: Locale,
): FieldError[] {
  const defaults = Object.fromEntries(form.fields.map((f) => [f.id, f.default]));
  try {
    const checked = checkSubmission(invocation, { ...defaults, ...fixed }, locale);
    if (checked.ok) return [];
    const ids = new Set(form.fields.map((f) => f.id));
    return checked.errors.filter((e) => !ids.has(e.field));
  } catch {
    // Not a validation problem: the submission will report it; the form must still open in time.
    return [];
  }
}

/** Argument errors as the error a reply explains (their messages are already in the requester's language). */
export function fieldErrorsAsError(errors: FieldError[]): ValidationError {
  return new ValidationError(errors.map((e) => ({ field: e.field, message: t(e.message, e.message) })));
}
