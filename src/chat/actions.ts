import {
  deleteConfirm,
  errorReply,
  type Invocation,
  LINK_ANSWERS,
  parseOptions,
  type Reply,
} from '../../commands/index.js';
import { type Locale, say } from '../base/i18n.js';
import { resolved, stripRoles } from './access.js';
import type { ActionIntent, Question } from './action-token.js';
import type { FlowKit } from './flow-kit.js';
import { type createForms, STATE_LOAD_TIMEOUT_MS } from './forms.js';
import type { ActionRequest, Surface } from './port.js';
import { END_SESSION_QUESTION, KEPT, NOT_YOURS, STALE } from './texts.js';

/**
 * A click on a button the flow made (action-token.ts), on any platform. The token says what it does and
 * whom it was shown to: an expired one and someone else's are refused with the same words everywhere.
 * Where the platform asks no question of its own (`confirm: 'ask'`), Delete and End session answer with
 * the question and Yes/No buttons first; the Yes runs it (in place of the question), the No says so.
 * The command then runs like a typed one, so the service's rules (the way's owner or an admin) decide.
 */
export function createActions(
  kit: FlowKit,
  forms: Pick<ReturnType<typeof createForms>, 'reopen' | 'openLike'>,
) {
  const { logger } = kit.deps;

  return async function action(request: ActionRequest, raw: Surface): Promise<void> {
    await kit.admission.accept(
      () => raw,
      request.locale,
      async () => {
        // Slack's ack first: the token read below is a store read, and the platform gives up after 3 s.
        await raw.acknowledge();
        const delivery = await kit.admission.firstDelivery(request, raw);
        if (!delivery) return;
        if (request.reopen) {
          await forms.reopen(request, kit.bound(raw, stripRoles(request.actor)));
          await delivery.confirm({ formOpen: true });
          return;
        }
        const read = await kit.tokens.read(request.token, stripRoles(request.actor), {
          elsewhere: Boolean(request.elsewhere),
          timeoutMs: STATE_LOAD_TIMEOUT_MS,
        });
        if (!read.ok) {
          if (read.reason === 'not-yours')
            logger.warn('button clicked by someone other than whom it was shown to');
          await raw.defer();
          await raw.reply(errorReply(read.reason === 'stale' ? STALE : NOT_YOURS, request.locale));
          return;
        }
        const intent = read.intent;
        const acting = actingRequest(request, intent);
        const surface = kit.bound(raw, stripRoles(acting.actor));
        // New QR like this: a form, so the first answer (no defer before it).
        if (intent.kind === 'again') {
          await forms.openLike(acting, parseOptions('again', { config_id: intent.configId }), surface);
          await delivery.confirm({ formOpen: true });
          return;
        }
        // Acknowledged (deferred) first; then nothing runs for a duplicate another instance claimed.
        if (intent.no) {
          await surface.defer({ inPlace: true });
          if (!(await delivery.confirm())) return;
          const { locale } = await resolved(acting);
          await surface.update({ reply: info(say(keptText(intent), locale)) });
          return;
        }
        if (intent.ask) {
          await surface.defer();
          if (!(await delivery.confirm())) return;
          const { locale } = await resolved(acting);
          const question = intent.question ?? questionFor(intent, locale);
          const actions = await kit.tokens.question(intent, stripRoles(acting.actor), question);
          await surface.reply({ ...info(question.title, question.text), configId: intent.configId, actions });
          return;
        }
        await surface.defer({ inPlace: intent.yes });
        if (!(await delivery.confirm())) return;
        const facts = await resolved(acting);
        const { locale } = facts;
        let reply: Reply;
        try {
          reply = await kit.run(acting, kit.context(acting, facts), invocationOf(intent));
        } catch (error) {
          reply = errorReply(error, locale);
        }
        if (intent.yes) await surface.update({ reply });
        else await surface.reply(reply);
      },
    );
  };
}

/** The command a button runs: the one it is named after, or a link request's answer (by its id). */
function invocationOf(intent: ActionIntent): Invocation {
  if (intent.kind === 'approve-link' || intent.kind === 'decline-link')
    return { command: LINK_ANSWERS[intent.kind], args: { request: intent.configId } };
  return parseOptions(intent.kind, {
    config_id: intent.configId,
    ...(intent.kind === 'close' && intent.customer ? { customer: intent.customer } : {}),
  });
}

/**
 * The request as the button's requester: a click from outside any workspace (a Discord DM) acts in the
 * workspace the notification was sent for, with the clicker's roles there looked up.
 */
function actingRequest(request: ActionRequest, intent: ActionIntent): ActionRequest {
  const workspaceId = request.elsewhere ? intent.workspaceId : undefined;
  if (!workspaceId || !request.elsewhere) return request;
  const lookup = request.elsewhere.roles;
  const { roles: _, ...actor } = request.actor;
  return {
    ...request,
    actor: { ...actor, workspaceId },
    later: { ...request.later, roles: () => lookup(workspaceId) },
  };
}

function questionFor(intent: ActionIntent, locale: Locale): Question {
  if (intent.kind === 'delete') return deleteConfirm(intent.configId, locale);
  const q = END_SESSION_QUESTION;
  return {
    title: say(q.title, locale),
    text: say(q.text, locale),
    yes: say(q.yes, locale),
    no: say(q.no, locale),
  };
}

function keptText(intent: ActionIntent) {
  return intent.kind === 'close' ? KEPT.close() : KEPT.delete(intent.configId);
}

function info(title: string, text?: string): Reply {
  return { status: 'info', title, ...(text ? { text } : {}), facts: [], actions: [] };
}
