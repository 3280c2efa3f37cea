import { type CommandContext, type Invocation, type ParsedForm, runCommand } from '../../commands/index.js';
import type { Logger } from '../base/logger.js';
import type { MemberDirectory } from '../directory/index.js';
import type { CommandObserver, InFlight } from '../ops/index.js';
import type { ContactWayService } from '../service/contact-way-service.js';
import type { Requester } from '../store/index.js';
import type { FileSource, ReplyAction } from '../ui/model.js';
import { type Resolved, stripRoles } from './access.js';
import { type ActionTokens, type ConfirmMode, createActionTokens } from './action-token.js';
import { type Admission, createAdmission } from './admission.js';
import type { BaseRequest, Surface } from './port.js';
import type { StateStore } from './state-store.js';

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
  /** DEFAULT_TIMEZONE: times are shown in it where the platform tells no zone of the requester's. */
  timeZone: string;
  observer?: CommandObserver | undefined;
}

/** What a platform carries and how it asks: each adapter gives its own when it asks for its port. */
export interface FlowOptions {
  /** Longest state token the platform's form carries inline (Slack private_metadata, Discord custom_id). */
  stateChars: number;
  /** Longest action token a button carries inline (Slack's button value, Discord's custom_id). */
  actionChars: number;
  /** Whether the platform's buttons ask their own confirm question (Slack) or the flow asks it. */
  confirm: ConfirmMode;
}

/** What the flow's parts (forms, buttons, home) share: running a command, and binding replies' buttons. */
export interface FlowKit {
  deps: FlowDeps;
  options: FlowOptions;
  admission: Admission;
  tokens: ActionTokens;
  /** Runs a command; a successful change is announced to the adapter's listeners. */
  run(
    request: BaseRequest,
    ctx: CommandContext,
    invocation: Invocation,
    input?: ParsedForm,
  ): ReturnType<typeof runCommand>;
  context(request: BaseRequest, facts: Resolved, idempotencyKey?: string): CommandContext;
  /** The surface, with every reply's buttons bound to `requester` (the person it is shown to). */
  bound(surface: Surface, requester: Requester): Surface;
  onChange(listener: (requester: Requester) => void): void;
}

export function createFlowKit(deps: FlowDeps, options: FlowOptions): FlowKit {
  const { logger } = deps;
  const changeListeners: ((requester: Requester) => void)[] = [];
  const tokens = createActionTokens({
    state: deps.state,
    chars: options.actionChars,
    confirm: options.confirm,
  });
  return {
    deps,
    options,
    tokens,
    admission: createAdmission(deps),

    async run(request, ctx, invocation, input) {
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
    },

    context(request, { locale, roles, timeZone }, idempotencyKey) {
      return {
        requester: stripRoles(request.actor),
        locale,
        timeZone: timeZone ?? deps.timeZone,
        ownTimeZone: timeZone,
        roles,
        service: deps.service,
        sandbox: deps.sandbox,
        observer: deps.observer,
        ...(idempotencyKey ? { idempotencyKey } : {}),
        ...('files' in request && request.files ? { files: request.files as FileSource } : {}),
      };
    },

    bound(surface, requester) {
      const bind = async <R extends { actions: ReplyAction[] }>(reply: R) =>
        reply.actions.length === 0
          ? reply
          : { ...reply, actions: await tokens.bind(reply.actions, requester) };
      return {
        defer: (o) => surface.defer(o),
        acknowledge: () => surface.acknowledge(),
        openForm: (open) => surface.openForm(open),
        showFieldErrors: (errors, open, reopen) => surface.showFieldErrors(errors, open, reopen),
        decline: (text) => surface.decline(text),
        reply: async (reply) => surface.reply(await bind(reply)),
        update: async (content) =>
          surface.update('reply' in content ? { reply: await bind(content.reply) } : content),
      };
    },

    onChange: (listener) => void changeListeners.push(listener),
  };
}
