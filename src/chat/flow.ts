import type { Requester } from '../store/index.js';
import { refusedWith, resolved, stripRoles } from './access.js';
import { createActions } from './actions.js';
import { createFlowKit, type FlowDeps, type FlowOptions } from './flow-kit.js';
import { createForms } from './forms.js';
import { buildHome, refusedHome } from './home.js';
import type {
  ActionRequest,
  CommandRequest,
  Extra,
  HomeRequest,
  HomeView,
  Notifier,
  SubmitRequest,
  Suggestion,
  SuggestRequest,
  Surface,
} from './port.js';
import { createSuggest } from './suggest.js';

export type { FlowDeps, FlowOptions } from './flow-kit.js';
export { memberSuggestions, suggestions } from './suggest.js';

/**
 * The conversation, written once for every platform: parse, the mapped-user default, the access check,
 * the form and its state, reading and checking the submission, idempotency, running, replying, the buttons
 * under replies and the question before Delete or End session, refusing while draining, explaining failures.
 * Adapters turn their events into these calls and render through a `Surface`; none of these rules lives in
 * an adapter.
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
  /** A button of a reply, a notification or the home (its token), or Discord's "Fix and resubmit". */
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
  /**
   * The platform's notifier with the buttons of every notification bound to the requester it reaches
   * (stored for as long as a session can last, and usable from a DM).
   */
  notifier(notifier: Notifier): Notifier;
}

export function createInteractionFlow(deps: FlowDeps, options: FlowOptions): InteractionFlow {
  const kit = createFlowKit(deps, options);
  const forms = createForms(kit);
  const { service, logger } = deps;

  async function home(request: HomeRequest): Promise<HomeView> {
    const { locale, roles, timeZone } = await resolved(request);
    const denied = refusedWith(service, request.actor, roles);
    if (denied) return refusedHome(denied, locale);
    const requester = stripRoles(request.actor);
    const viewer = { locale, timeZone: timeZone ?? deps.timeZone };
    const view = await buildHome({ service, logger }, requester, viewer, request.limits);
    const ways = await Promise.all(
      view.ways.map(async (way) => ({ ...way, actions: await kit.tokens.bind(way.actions, requester) })),
    );
    return { ...view, ways };
  }

  return {
    command: forms.command,
    submit: forms.submit,
    action: createActions(kit, forms),
    suggest: createSuggest(deps),
    home,
    onChange: kit.onChange,
    notifier: (notifier) => ({
      notify: (requester, build, remembered) =>
        notifier.notify(
          requester,
          async (viewer) => {
            const reply = await build(viewer);
            const actions = await kit.tokens.bind(reply.actions, requester, { notification: true });
            return { ...reply, actions };
          },
          remembered,
        ),
    }),
  };
}
