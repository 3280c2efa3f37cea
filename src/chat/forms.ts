import {
  type CurrentValues,
  checkSubmission,
  errorReply,
  type Form,
  type FormValues,
  formFor,
  type Invocation,
  parseOptions,
  parseText,
} from '../../commands/index.js';
import { ContactwayError, StoreError } from '../base/errors.js';
import { refusedNow, refusedWith, resolved, stripRoles } from './access.js';
import type { FlowKit } from './flow-kit.js';
import { decodeFormState, encodeFormState, type FormState, formState } from './form-state.js';
import { createOpenLike } from './open-like.js';
import { withPicked } from './picked.js';
import type { ActionRequest, CommandRequest, Extra, OpenForm, SubmitRequest, Surface } from './port.js';
import { argumentErrors, fieldErrorsAsError, membersOf, preflight } from './preflight.js';
import { NOT_YOURS, STALE } from './texts.js';

/** A reopened form must still open within the platform's 3 s: a slow store read gives up first. */
export const STATE_LOAD_TIMEOUT_MS = 1_500;

/**
 * Commands and their forms: parse, pre-flight, the form and its state (bound to its requester), reading
 * and checking the submission, idempotency, running. Everything before `openForm` is synchronous and local:
 * a form must be the first answer within ~3 s (Slack's trigger_id, Discord's modal). The one exception is a
 * provider mode's `directory.prepare` (the workspace's corp and typed members' ids), bounded to 1 s.
 */
export function createForms(kit: FlowKit) {
  const { service, directory, state, logger } = kit.deps;
  const openLike = createOpenLike(kit);

  function open(form: Form, s: FormState): { open: OpenForm; written?: Promise<boolean> } {
    const { token, written } = encodeFormState(s, kit.options.stateChars, state);
    return { open: { form, state: token, prefill: s.typed ?? {} }, ...(written ? { written } : {}) };
  }

  async function command(request: CommandRequest, raw: Surface): Promise<void> {
    await kit.admission.accept(
      () => raw,
      request.locale,
      async () => {
        const surface = kit.bound(raw, stripRoles(request.actor));
        const delivery = await kit.admission.firstDelivery(request, surface);
        if (!delivery) return;
        const actor = request.actor;
        let invocation: Invocation;
        try {
          invocation = parse(request, service.mappedUser(actor));
        } catch (error) {
          await surface.defer();
          const { locale } = await resolved(request);
          await surface.reply(errorReply(error, locale));
          return;
        }
        const refused = refusedNow(service, actor);
        if (refused) {
          await surface.reply(errorReply(refused, request.locale));
          return;
        }
        // A member WeCom is known to refuse is named now, with the fix, instead of after the form.
        await directory.prepare(stripRoles(actor), membersOf(invocation, request.fixed));
        const ineligible = preflight(
          directory,
          invocation,
          request.fixed,
          service.memberScope(stripRoles(actor)),
          stripRoles(actor),
        );
        if (ineligible) {
          await surface.reply(errorReply(ineligible, request.locale));
          return;
        }
        if (invocation.command.opens) {
          await openLike(request, invocation, surface);
          await delivery.confirm({ formOpen: true });
          return;
        }
        const form = formFor(invocation, request.locale);
        if (!form) {
          await surface.defer();
          // Acknowledged already: a duplicate another instance claimed is dropped before it runs.
          if (!(await delivery.confirm())) return;
          await surface.reply(
            await kit.run(request, kit.context(request, await resolved(request)), invocation),
          );
          return;
        }
        // A bad argument (`temp bad/id`) is known now, with the defaults: say so instead of a form that
        // could never be sent.
        const argumentIssues = argumentErrors(invocation, form, request.fixed ?? {}, request.locale);
        if (argumentIssues.length > 0) {
          await surface.reply(errorReply(fieldErrorsAsError(argumentIssues), request.locale));
          return;
        }
        // An edit opens with the way's current values: one short store read, given up on in time.
        const current = await loadCurrent(invocation, actor);
        if (current instanceof Error) {
          await surface.reply(errorReply(current, request.locale));
          return;
        }
        const shown = current === undefined ? form : (formFor(invocation, request.locale, current) ?? form);
        const s = formState(actor, {
          command: invocation.command.name,
          args: invocation.args,
          fixed: request.fixed,
          locale: request.locale,
          extra: request.extra,
        });
        const opened = open(shown, s);
        await surface.openForm(opened.open);
        await opened.written;
        if (!(await delivery.confirm({ formOpen: true }))) return;
        await settle(request, invocation, s, surface, current);
      },
    );
  }

  /**
   * What could not come before the form: the requester's language and roles, when the platform learns
   * them with a lookup. A refused requester sees the refusal in place of the form; one whose language
   * differs sees the form again in it. The submission is checked again in any case.
   */
  async function settle(
    request: CommandRequest,
    invocation: Invocation,
    s: FormState,
    surface: Surface,
    current: CurrentValues | undefined,
  ) {
    if (!request.later) return;
    const { locale, roles } = await resolved(request);
    const denied = request.actor.roles === undefined ? refusedWith(service, request.actor, roles) : undefined;
    if (denied) {
      await surface.update({ reply: errorReply(denied, locale) });
      return;
    }
    if (locale === request.locale) return;
    const form = formFor(invocation, locale, current);
    if (form) await surface.update({ form: open(form, { ...s, locale }).open });
  }

  async function submit(request: SubmitRequest, surfaceFor: (extra: Extra) => Surface): Promise<void> {
    await kit.admission.accept(
      () => surfaceFor({}),
      request.locale,
      async () => {
        const decoded = await decodeFormState(request.state, request.actor, state, STATE_LOAD_TIMEOUT_MS);
        const surface = kit.bound(
          surfaceFor(decoded.ok ? decoded.state.extra : {}),
          stripRoles(request.actor),
        );
        // Someone else's form is refused in the submitter's language when the platform told it with the
        // request; where it would take a lookup (`later.locale`), in the language the form is shown in.
        const failLocale =
          !decoded.ok && decoded.reason === 'not-yours' && request.later?.locale
            ? decoded.locale
            : request.locale;
        const fail = async (error: unknown) => {
          await surface.defer();
          await surface.reply(errorReply(error, failLocale));
        };
        if (!decoded.ok) {
          if (decoded.reason === 'not-yours') logger.warn('form submitted by someone other than its owner');
          return fail(decoded.reason === 'stale' ? STALE : NOT_YOURS);
        }
        const s = decoded.state;
        const locale = request.locale;
        let invocation: Invocation;
        try {
          invocation = parseOptions(s.command, s.args, { user: service.mappedUser(request.actor) });
        } catch (error) {
          return fail(error);
        }
        const form = formFor(invocation, locale);
        if (!form) return fail(STALE);
        const typed = request.values(form);
        // A member picked in the form is the command's argument, checked (pre-flight included) like a typed one.
        await directory.prepare(stripRoles(request.actor), membersOf(invocation, typed));
        const picked = withPicked(invocation, form, typed, locale, (complete) =>
          preflight(
            directory,
            complete,
            undefined,
            service.memberScope(stripRoles(request.actor)),
            stripRoles(request.actor),
          ),
        );
        if (picked.ok) invocation = picked.invocation;
        const checked = picked.ok ? checkSubmission(invocation, { ...s.fixed, ...typed }, locale) : picked;
        if (!checked.ok) {
          const fixable = checked.errors.some((e) => form.fields.some((f) => f.id === e.field));
          const reopen = fixable ? open(form, { ...s, locale, typed: compact(typed) }) : undefined;
          await surface.showFieldErrors(
            checked.errors,
            open(form, { ...s, locale }).open,
            reopen?.open.state,
          );
          await reopen?.written;
          return;
        }
        await surface.defer();
        // In the language the form was read in; the zone and roles as the platform tells them now.
        const facts = { ...(await resolved(request)), locale };
        const key = `${request.actor.platform}:${request.actor.workspaceId}:${request.submissionId}`;
        await surface.reply(
          await kit.run(request, kit.context(request, facts, key), invocation, checked.input),
        );
      },
    );
  }

  /** "Fix and resubmit" (Discord): the form again, prefilled, if the state is still there and the clicker's. */
  async function reopen(request: ActionRequest, surface: Surface): Promise<void> {
    const decoded = await decodeFormState(request.token, request.actor, state, STATE_LOAD_TIMEOUT_MS);
    const invocation = decoded.ok ? invocationOf(decoded.state) : undefined;
    const form = decoded.ok && invocation ? formFor(invocation, request.locale) : undefined;
    if (!decoded.ok || !form) {
      const refusal = decoded.ok || decoded.reason === 'stale' ? STALE : NOT_YOURS;
      await surface.reply(errorReply(refusal, request.locale));
      return;
    }
    await surface.openForm({ form, state: request.token, prefill: decoded.state.typed ?? {} });
  }

  /**
   * The values the command's form opens with, read as the requester: an error the requester must hear (not
   * theirs, not found) comes back as the Error; a slow or failing store, as `unavailable`.
   */
  async function loadCurrent(invocation: Invocation, actor: CommandRequest['actor']) {
    const read = invocation.command.current;
    if (!read) return undefined;
    try {
      const values = await withTimeout(
        read({ service, requester: stripRoles(actor) }, invocation.args),
        STATE_LOAD_TIMEOUT_MS,
      );
      if (values) return values;
      logger.warn('form: current values not read in time; the form opens without them');
    } catch (error) {
      if (error instanceof ContactwayError && !(error instanceof StoreError)) return error;
      logger.warn({ err: error }, 'form: current values could not be read; the form opens without them');
    }
    return 'unavailable' as const;
  }

  return { command, submit, reopen, openLike };
}

/** The promise's value, or undefined when it takes longer than `ms` (it goes on, unheeded). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function invocationOf(s: FormState): Invocation | undefined {
  try {
    return parseOptions(s.command, s.args);
  } catch {
    return undefined;
  }
}

function parse(request: CommandRequest, mapped: string | undefined): Invocation {
  const defaults = { user: mapped };
  if ('text' in request.input) return parseText(request.input.text, defaults);
  return parseOptions(request.input.command, request.input.options, defaults);
}

function compact(values: FormValues): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
}
