import {
  type CommandContext,
  checkSubmission,
  errorReply,
  type FieldError,
  type Form,
  type FormValues,
  formFor,
  type Invocation,
  type ParsedForm,
  parseOptions,
  parseText,
  type Reply,
  runCommand,
} from '../../commands/index.js';
import { IneligibleMemberError, type MemberDirectory } from '../directory/index.js';
import { ContactwayError, ValidationError } from '../errors.js';
import { type Locale, say, t } from '../i18n.js';
import type { Logger } from '../logger.js';
import { type CommandObserver, type InFlight, RESTARTING, withRequestScope } from '../ops/index.js';
import type { ContactWayService, RecordView } from '../service/contact-way-service.js';
import type { Requester } from '../store/index.js';
import { decodeFormState, encodeFormState, type FormState, formState } from './form-state.js';
import { buildHome, refusedHome } from './home.js';
import { withPicked } from './picked.js';
import type {
  ActionRequest,
  BaseRequest,
  ChatActor,
  CommandRequest,
  Extra,
  HomeRequest,
  HomeView,
  OpenForm,
  SubmitRequest,
  Suggestion,
  SuggestRequest,
  Surface,
} from './port.js';
import type { StateStore } from './state-store.js';

/** A form whose state we cannot read (expired, another version) or whose command no longer has a form. */
export const STALE_FORM = new ContactwayError(
  'chat.stale_form',
  t('This form has expired. Please run the command again.', '此表单已过期，请重新运行该命令。'),
);

/** A form opened by someone else, submitted or reopened by this requester: nothing is done. */
export const NOT_YOUR_FORM = new ContactwayError(
  'chat.not_your_form',
  t(
    'This form was opened by someone else. Run the command yourself.',
    '此表单由其他人打开，请自己运行该命令。',
  ),
);

/**
 * How long a delivery id is remembered. Slack accepts a signed request for 5 minutes after its timestamp;
 * the extra minutes cover our clock running behind the platform's.
 */
const REPLAY_WINDOW_MS = 10 * 60 * 1000;
/** A reopened form must still open within the platform's 3 s: a slow store read gives up first. */
const STATE_LOAD_TIMEOUT_MS = 1_500;
/** Suggestions answer within the same 3 s as any interaction: a slow store suggests nothing. */
const SUGGEST_TIMEOUT_MS = 2_000;

export interface FlowDeps {
  service: ContactWayService;
  /** WeCom's members, from memory: pre-flight refusals and member suggestions. */
  directory: MemberDirectory;
  state: StateStore;
  /** Claims a delivery id once across instances (see createIdempotency). */
  replays: { claim(key: string, ttlMs: number): Promise<boolean> };
  requests: InFlight;
  logger: Logger;
  /** The bot runs on the WeCom sandbox: replies say so. */
  sandbox: boolean;
  observer?: CommandObserver | undefined;
}

export interface FlowOptions {
  /** Longest state token the platform's form carries inline (Slack private_metadata, Discord custom_id). */
  stateChars: number;
}

/**
 * The conversation, written once for every platform: parse, the mapped-user default, the access check,
 * the form and its state, reading and checking the submission, idempotency, running, replying, refusing
 * while draining, explaining failures. Adapters turn their events into these calls and render through a
 * `Surface`; none of these rules lives in an adapter.
 *
 * Deadlines: a form must be the first answer within ~3 s (Slack's trigger_id, Discord's modal), so
 * everything before `openForm` is synchronous and local. Access is checked before the form when the
 * platform knows the requester's roles without a lookup, after it opens otherwise (the form is replaced by
 * the refusal where the platform can), and always before anything is created.
 */
export interface InteractionFlow {
  command(request: CommandRequest, surface: Surface): Promise<void>;
  /** The surface is built from the adapter data the form carried (`extra`). */
  submit(request: SubmitRequest, surfaceFor: (extra: Extra) => Surface): Promise<void>;
  action(request: ActionRequest, surface: Surface): Promise<void>;
  /** Never throws; a refused or slow requester gets no suggestions. */
  suggest(request: SuggestRequest, limits: { max: number; chars: number }): Promise<Suggestion[]>;
  /** The requester's home (their ways, admins' audit); a refused requester gets the refusal. Never throws. */
  home(request: HomeRequest): Promise<HomeView>;
  /**
   * Called after a command created, changed or deleted contact ways for this requester, through any path
   * (form, typed command, button), so the adapter can refresh what shows them (Slack's App Home).
   */
  onChange(listener: (requester: Requester) => void): void;
}

export function createInteractionFlow(deps: FlowDeps, options: FlowOptions): InteractionFlow {
  const { service, state, requests, logger } = deps;
  const changeListeners: ((requester: Requester) => void)[] = [];

  /** Runs a command; a successful change is announced to the adapter's listeners. */
  async function run(request: BaseRequest, ctx: CommandContext, invocation: Invocation, input?: ParsedForm) {
    const reply = await runCommand(ctx, invocation, input);
    if (invocation.command.changes && reply.status === 'ok') {
      for (const listener of changeListeners) {
        try {
          listener(stripRoles(request.actor));
        } catch (error) {
          logger.warn({ err: error }, 'change listener failed');
        }
      }
    }
    return reply;
  }

  /** Every request: refused while draining, else counted in flight with one requestId on its log lines. */
  async function accept(surface: () => Surface, locale: Locale, work: () => Promise<void>) {
    if (requests.draining) {
      logger.info('request refused: shutting down');
      await surface().decline(say(RESTARTING, locale));
      return;
    }
    await requests.track(() => withRequestScope(work));
  }

  /**
   * False for a delivery already handled (a signed request replayed within its validity window): it is
   * acknowledged and dropped. With the store down the request is refused rather than run unguarded.
   */
  async function firstDelivery(request: BaseRequest, surface: Surface): Promise<boolean> {
    if (!request.deliveryId) return true;
    const { platform, workspaceId } = request.actor;
    let first: boolean;
    try {
      first = await deps.replays.claim(`${platform}:${workspaceId}:${request.deliveryId}`, REPLAY_WINDOW_MS);
    } catch (error) {
      logger.warn({ err: error }, 'replay check failed: request refused');
      await surface.reply(errorReply(error, request.locale));
      return false;
    }
    if (!first) {
      logger.warn({ replayOf: request.deliveryId }, 'replayed delivery dropped');
      await surface.defer();
    }
    return first;
  }

  function context(
    request: BaseRequest,
    locale: Locale,
    roles: string[] | undefined,
    idempotencyKey?: string,
  ): CommandContext {
    return {
      requester: stripRoles(request.actor),
      locale,
      roles,
      service,
      sandbox: deps.sandbox,
      observer: deps.observer,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    };
  }

  /** The refusal, when the policy can answer from what we know now; it is audited in the background. */
  function refusedNow(actor: ChatActor): unknown {
    if (actor.roles === undefined) return undefined;
    const denied = service.accessDenied(actor);
    if (denied) void service.checkAccess(actor).catch(() => undefined);
    return denied;
  }

  async function resolved(request: BaseRequest): Promise<{ locale: Locale; roles: string[] | undefined }> {
    const [locale, roles] = await Promise.all([
      request.later?.locale?.().catch(() => request.locale) ?? request.locale,
      request.actor.roles ?? request.later?.roles?.().catch(() => []),
    ]);
    return { locale, roles };
  }

  function open(form: Form, s: FormState): { open: OpenForm; written?: Promise<boolean> } {
    const { token, written } = encodeFormState(s, options.stateChars, state);
    return { open: { form, state: token, prefill: s.typed ?? {} }, ...(written ? { written } : {}) };
  }

  async function command(request: CommandRequest, surface: Surface): Promise<void> {
    await accept(
      () => surface,
      request.locale,
      async () => {
        if (!(await firstDelivery(request, surface))) return;
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
        const refused = refusedNow(actor);
        if (refused) {
          await surface.reply(errorReply(refused, request.locale));
          return;
        }
        // A member WeCom is known to refuse is named now, with the fix, instead of after the form.
        const ineligible = preflight(
          deps.directory,
          invocation,
          request.fixed,
          service.memberScope(stripRoles(actor)),
        );
        if (ineligible) {
          await surface.reply(errorReply(ineligible, request.locale));
          return;
        }
        const form = formFor(invocation, request.locale);
        if (!form) {
          await surface.defer();
          const { locale, roles } = await resolved(request);
          await surface.reply(await run(request, context(request, locale, roles), invocation));
          return;
        }
        // A bad argument (`temp bad/id`) is known now, with the defaults: say so instead of a form that
        // could never be sent.
        const argumentIssues = argumentErrors(invocation, form, request.fixed ?? {}, request.locale);
        if (argumentIssues.length > 0) {
          await surface.reply(errorReply(fieldErrorsAsError(argumentIssues), request.locale));
          return;
        }
        const s = formState(actor, {
          command: invocation.command.name,
          args: invocation.args,
          fixed: request.fixed,
          locale: request.locale,
          extra: request.extra,
        });
        const opened = open(form, s);
        await surface.openForm(opened.open);
        await opened.written;
        await settle(request, invocation, s, surface);
      },
    );
  }

  /**
   * What could not come before the form: the requester's language and roles, when the platform learns
   * them with a lookup. A refused requester sees the refusal in place of the form; one whose language
   * differs sees the form again in it. The submission is checked again in any case.
   */
  async function settle(request: CommandRequest, invocation: Invocation, s: FormState, surface: Surface) {
    if (!request.later) return;
    const { locale, roles } = await resolved(request);
    const denied =
      request.actor.roles === undefined ? service.accessDenied({ ...request.actor, roles }) : undefined;
    if (denied) {
      void service.checkAccess({ ...request.actor, roles }).catch(() => undefined);
      await surface.update({ reply: errorReply(denied, locale) });
      return;
    }
    if (locale === request.locale) return;
    const form = formFor(invocation, locale);
    if (form) await surface.update({ form: open(form, { ...s, locale }).open });
  }

  async function submit(request: SubmitRequest, surfaceFor: (extra: Extra) => Surface): Promise<void> {
    await accept(
      () => surfaceFor({}),
      request.locale,
      async () => {
        const decoded = await decodeFormState(request.state, request.actor, state, STATE_LOAD_TIMEOUT_MS);
        const surface = surfaceFor(decoded.ok ? decoded.state.extra : {});
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
          return fail(decoded.reason === 'stale' ? STALE_FORM : NOT_YOUR_FORM);
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
        if (!form) return fail(STALE_FORM);
        const typed = request.values(form);
        // A member picked in the form is the command's argument, checked (pre-flight included) like a typed one.
        const picked = withPicked(invocation, form, typed, locale, (complete) =>
          preflight(deps.directory, complete, undefined, service.memberScope(stripRoles(request.actor))),
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
        const { roles } = await resolved(request);
        const key = `${request.actor.platform}:${request.actor.workspaceId}:${request.submissionId}`;
        await surface.reply(
          await run(request, context(request, locale, roles, key), invocation, checked.input),
        );
      },
    );
  }

  async function action(request: ActionRequest, surface: Surface): Promise<void> {
    await accept(
      () => surface,
      request.locale,
      async () => {
        if (!(await firstDelivery(request, surface))) return;
        if (request.kind === 'reopen') {
          const decoded = await decodeFormState(request.value, request.actor, state, STATE_LOAD_TIMEOUT_MS);
          const invocation = decoded.ok ? invocationOf(decoded.state) : undefined;
          const form = decoded.ok && invocation ? formFor(invocation, request.locale) : undefined;
          if (!decoded.ok || !form) {
            await surface.reply(errorReply(decoded.ok ? STALE_FORM : pick(decoded.reason), request.locale));
            return;
          }
          await surface.openForm({ form, state: request.value, prefill: decoded.state.typed ?? {} });
          return;
        }
        await surface.defer();
        const { locale, roles } = await resolved(request);
        let reply: Reply;
        try {
          reply = await run(
            request,
            context(request, locale, roles),
            parseOptions(request.kind, {
              config_id: request.value,
              ...(request.kind === 'close' && request.customer ? { customer: request.customer } : {}),
            }),
          );
        } catch (error) {
          reply = errorReply(error, locale);
        }
        await surface.reply(reply);
      },
    );
  }

  async function suggest(request: SuggestRequest, limits: { max: number; chars: number }) {
    if (requests.draining || !SUGGESTED_FIELDS.has(request.field)) return [];
    if (refusedNow(request.actor)) return [];
    const roles = request.actor.roles ?? (await request.later?.roles?.().catch(() => undefined));
    if (roles === undefined || service.accessDenied({ ...request.actor, roles })) return [];
    if (request.field === 'user') {
      // In a comma list, the last item is being typed; those before it stay as they are.
      const cut = request.multiple ? request.typed.lastIndexOf(',') + 1 : 0;
      const before = request.typed.slice(0, cut);
      const chosen = new Set(before.split(',').map((u) => u.trim().toLowerCase()));
      const found = deps.directory.search(request.typed.slice(cut), {
        limit: limits.max + chosen.size,
        requester: stripRoles(request.actor),
      });
      const fresh = found.members.filter((m) => !chosen.has(m.userid.toLowerCase()));
      return memberSuggestions(fresh.slice(0, limits.max), limits.chars, before);
    }
    const records = await within(service.list(stripRoles(request.actor)), SUGGEST_TIMEOUT_MS).catch(
      (error: unknown) => {
        logger.warn({ err: error }, 'suggestions could not list contact ways');
        return [];
      },
    );
    return suggestions(records ?? [], request.typed, limits);
  }

  async function home(request: HomeRequest): Promise<HomeView> {
    const { locale, roles } = await resolved(request);
    const actor = { ...request.actor, roles };
    const denied = service.accessDenied(actor);
    if (denied) {
      void service.checkAccess(actor).catch(() => undefined);
      return refusedHome(denied, locale);
    }
    return buildHome({ service, logger }, stripRoles(request.actor), locale, request.limits);
  }

  return {
    command,
    submit,
    action,
    suggest,
    home,
    onChange: (listener) => void changeListeners.push(listener),
  };
}

/** Arguments a platform may ask suggestions for while they are typed. */
const SUGGESTED_FIELDS: ReadonlySet<string> = new Set(['config_id', 'user']);

/**
 * The first member of the command (its `user` argument, or members a platform collected outside the form)
 * the directory knows WeCom would refuse. Synchronous, from memory; commands without a form (close) and
 * members the directory does not know pass. Members outside the requester's CREATE_FOR scope are left to
 * that refusal: their status is none of the requester's business.
 */
function preflight(
  directory: MemberDirectory,
  invocation: Invocation,
  fixed: FormValues | undefined,
  scope: readonly string[] | undefined,
): IneligibleMemberError | undefined {
  if (!invocation.command.form) return undefined;
  const members = [invocation.args.user, ...(fixed?.user ?? '').split(',')]
    .map((u) => u?.trim())
    .filter((u): u is string => Boolean(u));
  for (const userid of members) {
    if (scope && !scope.includes(userid)) continue;
    const verdict = directory.verdict(userid);
    if (verdict.kind === 'ineligible') return new IneligibleMemberError(userid, verdict.reason);
  }
  return undefined;
}

/** Members as picker options: the userid is the value, `name (userid)` the label, cut to the platform's limit. */
export function memberSuggestions(
  members: readonly { userid: string; name?: string | undefined }[],
  chars: number,
  before = '',
): Suggestion[] {
  return members
    .filter((m) => before.length + m.userid.length <= chars)
    .map((m) => {
      const value = `${before}${m.userid}`;
      const label = `${before}${m.name ? `${m.name} (${m.userid})` : m.userid}`;
      return { value, label: [...label].length <= chars ? label : value };
    });
}

function pick(reason: 'stale' | 'not-yours'): ContactwayError {
  return reason === 'stale' ? STALE_FORM : NOT_YOUR_FORM;
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

/** Errors about anything that is not a field of the form: the command's arguments, checked with defaults. */
function argumentErrors(invocation: Invocation, form: Form, fixed: FormValues, locale: Locale): FieldError[] {
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
function fieldErrorsAsError(errors: FieldError[]): ValidationError {
  return new ValidationError(errors.map((e) => ({ field: e.field, message: t(e.message, e.message) })));
}

function stripRoles(actor: ChatActor) {
  const { roles: _, ...requester } = actor;
  return requester;
}

function compact(values: FormValues): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
}

async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Suggestions for what was typed: newest first, matched anywhere in config_id, member or remark. Pure. */
export function suggestions(
  records: readonly RecordView[],
  typed: string,
  limits: { max: number; chars: number },
): Suggestion[] {
  const needle = typed.trim().toLowerCase();
  return records
    .filter((r) => r.configId.length <= limits.chars)
    .map((r) => ({ record: r, label: labelOf(r, limits.chars) }))
    .filter(({ label }) => needle === '' || label.toLowerCase().includes(needle))
    .slice(0, limits.max)
    .map(({ record, label }) => ({ value: record.configId, label }));
}

function labelOf(record: RecordView, chars: number): string {
  const text = [record.configId, record.request.user?.join(', '), record.request.remark]
    .filter(Boolean)
    .join(' · ');
  return [...text].length <= chars ? text : `${[...text].slice(0, chars - 1).join('')}…`;
}
