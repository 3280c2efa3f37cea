import type { Context, webApi } from '@slack/bolt';
import { type AskerDeps, askerOfRequest, surfaceContextOf } from './asker.js';
import { type AnyAck, slackSurface } from './surface.js';

/** A command started from no conversation: an App Home button or a global shortcut. */
export interface OpenRequest {
  /** The payload as Slack sent it: who asks is derived from it. */
  body: unknown;
  context: Context;
  client: webApi.WebClient;
  ack: AnyAck;
  user: { id: string; name?: string | undefined };
  triggerId: string;
  /** As the requester would type it: `temp`, `new`. */
  text: string;
}

/**
 * Runs a command the way `/contactway <text>` does (its form opens on the trigger_id, a pre-flight refusal
 * or an error comes instead of it), except that there is no channel and no response_url: every answer,
 * the submitted form's QR included, goes to the requester's DM with the app.
 */
export async function runFromAnywhere(deps: AskerDeps, request: OpenRequest): Promise<void> {
  const asker = askerOfRequest(deps, request.body, request.context, request.user.id, request.user.name);
  await deps.port.flow.command(
    {
      actor: asker.actor,
      locale: asker.locale,
      later: asker.later,
      deliveryId: request.triggerId,
      input: { text: request.text },
      extra: { dm: '1' },
    },
    slackSurface(
      surfaceContextOf(deps, asker, {
        kind: 'action',
        ack: request.ack,
        client: request.client,
        target: { userId: request.user.id, dm: true },
        triggerId: request.triggerId,
      }),
    ),
  );
}
