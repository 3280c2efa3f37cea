import type { App } from '@slack/bolt';
import { asContactwayError } from '../../src/errors.js';
import { type Locale, say } from '../../src/i18n.js';
import type { Logger } from '../../src/logger.js';
import type { createIdempotency } from '../../src/service/idempotency.js';
import { refuse } from './admission.js';
import { slackRequesterOf } from './requester.js';

/**
 * How long a slash command's or button click's trigger_id is remembered. Bolt accepts a signed request for
 * 5 minutes after its timestamp; the extra minutes cover our clock running behind Slack's.
 */
export const REPLAY_WINDOW_MS = 10 * 60_000;

interface ReplayableBody {
  type?: string;
  command?: string;
  trigger_id?: string;
  user_id?: string;
  user?: { id?: string };
  actions?: { action_ts?: string }[];
}

/**
 * A signature proves Slack sent a request, not that it is sent once: a captured slash command or button
 * click can be posted again, byte for byte, and Bolt accepts it for 5 minutes. Slack issues a new trigger_id
 * for every command and every click, so the first arrival of one is claimed in the shared store (the
 * service's idempotency keys, with a TTL) and any later arrival is acked with nothing and dropped: one form,
 * one reply, one delete. Form submissions are deduplicated further on, by view id. Runs after admission, so
 * it is tracked and refused like any request while shutting down. With the store down the request is
 * refused with the store's message rather than run unguarded.
 */
export function registerReplayGuard(
  app: App,
  deps: {
    replays: Pick<ReturnType<typeof createIdempotency>, 'claim'>;
    logger: Logger;
    locale: (teamId: string, userId: string) => Locale;
  },
): void {
  app.use(async (args) => {
    const body = args.body as ReplayableBody;
    const id = replayId(body);
    if (id === undefined) return args.next();
    const who = slackRequesterOf(args.context, body.user_id ?? body.user?.id ?? '');
    let first: boolean;
    try {
      first = await deps.replays.claim(`slack:${who.workspaceId}:${id}`, REPLAY_WINDOW_MS);
    } catch (error) {
      deps.logger.warn({ err: error }, 'Slack replay check failed: request refused');
      const text = say(asContactwayError(error).human, deps.locale(who.workspaceId, who.userId));
      await refuse(args, body, text);
      return;
    }
    if (!first) {
      await (args as { ack?: () => Promise<void> }).ack?.();
      deps.logger.warn({ replayOf: id }, 'Slack request replayed: dropped');
      return;
    }
    await args.next();
  });
}

/** What names one command or click; undefined for requests not guarded here (submissions, anything else). */
function replayId(body: ReplayableBody): string | undefined {
  if (body.command) return body.trigger_id ? `command:${body.trigger_id}` : undefined;
  if (body.type !== 'block_actions') return undefined;
  const id = body.trigger_id ?? body.actions?.[0]?.action_ts;
  return id ? `action:${id}` : undefined;
}
