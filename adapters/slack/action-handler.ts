import type { App, BlockButtonAction } from '@slack/bolt';
import { errorReply, parseOptions, type Reply, runCommand } from '../../commands/index.js';
import { commandContext, type SlackDeps } from './deps.js';
import { ACTION_ID_PATTERN, ACTION_IDS } from './render-reply.js';
import { slackRequesterOf } from './requester.js';

/**
 * The "Show QR again" and "Delete" buttons under a reply. Acked first; then the same `show` / `delete`
 * command runs for whoever clicked, and the service refuses records that are not theirs (not_found), so a
 * forwarded or replayed button never acts on someone else's contact way. The answer is ephemeral.
 */
export function registerActions(app: App, deps: SlackDeps): void {
  app.action<BlockButtonAction>(
    { type: 'block_actions', action_id: ACTION_ID_PATTERN },
    async ({ ack, body, action, context }) => {
      await ack();
      const requester = slackRequesterOf(context, body.user.id, body.user.username ?? body.user.name);
      const locale = await deps.locales.lookup(requester.workspaceId, requester.userId);
      const kind = action.action_id === ACTION_IDS.delete ? 'delete' : 'show';
      let reply: Reply;
      try {
        const invocation = parseOptions(kind, { config_id: action.value ?? '' });
        reply = await runCommand(await commandContext(deps, requester, locale), invocation);
      } catch (error) {
        reply = errorReply(error, locale);
      }
      await deps.deliverer.deliver(
        reply,
        {
          userId: requester.userId,
          channelId: body.channel?.id ?? body.container?.channel_id,
          responseUrl: body.response_url,
        },
        locale,
      );
    },
  );
}
