import type { AllMiddlewareArgs, AnyMiddlewareArgs, App } from '@slack/bolt';
import type { Locale } from '../../src/i18n.js';
import { say } from '../../src/i18n.js';
import type { Logger } from '../../src/logger.js';
import { type InFlight, RESTARTING, withRequestScope } from '../../src/ops/index.js';
import { slackRequesterOf } from './requester.js';

type Args = AnyMiddlewareArgs & AllMiddlewareArgs;
/** ack's many typed shapes, seen as what they all are. */
type AnyAck = (response?: unknown) => Promise<void>;
type AnyRespond = (message: Record<string, unknown>) => Promise<unknown>;

interface SlackBody {
  type?: string;
  command?: string;
  user_id?: string;
  user?: { id?: string };
  view?: { blocks?: { type?: string; block_id?: string }[] };
}

/**
 * Every request Slack sends passes here first (a global middleware). Accepted requests run in their own
 * request scope (one requestId on every log line of the flow) and are counted in flight until every
 * listener has finished, deliveries included, so shutdown can wait for them. Once the instance drains,
 * new requests are refused politely instead: a slash command gets an ephemeral "restarting", a form
 * submission keeps the modal open with that note under its first field (submitting again reaches a live
 * instance), a button click an ephemeral note.
 */
export function registerAdmission(
  app: App,
  deps: { requests: InFlight; logger: Logger; locale: (teamId: string, userId: string) => Locale },
): void {
  app.use(async (args) => {
    const body = args.body as SlackBody;
    if (deps.requests.draining) {
      // The requester as every listener derives it, so the locale cached for them is found.
      const who = slackRequesterOf(args.context, body.user_id ?? body.user?.id ?? '');
      await refuse(args, body, say(RESTARTING, deps.locale(who.workspaceId, who.userId)));
      deps.logger.info({ kind: kindOf(body) }, 'Slack request refused: shutting down');
      return;
    }
    await deps.requests.track(() =>
      withRequestScope(async () => {
        deps.logger.debug({ kind: kindOf(body) }, 'Slack request');
        await args.next();
      }),
    );
  });
}

function kindOf(body: SlackBody): string {
  return body.command ? 'slash_command' : (body.type ?? 'unknown');
}

/**
 * Answers a request without running it: an ephemeral text for a slash command, the text under the first
 * field of a submitted form, an ephemeral note for a button click.
 */
export async function refuse(args: Args, body: SlackBody, text: string): Promise<void> {
  const ack = (args as { ack?: AnyAck }).ack;
  if (!ack) return;
  if (body.command) {
    await ack({ response_type: 'ephemeral', text });
    return;
  }
  if (body.type === 'view_submission') {
    const input = body.view?.blocks?.find((b) => b.type === 'input' && b.block_id);
    await ack(
      input?.block_id ? { response_action: 'errors', errors: { [input.block_id]: text } } : undefined,
    );
    return;
  }
  await ack();
  const respond = (args as { respond?: AnyRespond }).respond;
  if (body.type === 'block_actions' && respond) {
    await respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => undefined);
  }
}
