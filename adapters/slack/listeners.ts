import type { App, BlockButtonAction, Context } from '@slack/bolt';
import type { FileSource } from '../../src/ui/model.js';
import { type Asker, type AskerDeps, askerOfRequest, surfaceContextOf } from './asker.js';
import { type SlackStateValues, slackValuesToFormValues } from './read-values.js';
import { FORM_CALLBACK_ID } from './render-form.js';
import { ACTION_ID_PATTERN } from './render-reply.js';
import { type AnyAck, slackSurface } from './surface.js';

/** The slash command, as declared in manifest.yml. */
export const SLASH_COMMAND = '/contactway';

export type SlackListenerDeps = AskerDeps & {
  /** Downloads a submitted file_input file with the bot token (download-file.ts). */
  files?: FileSource;
};

/**
 * Slack's events, translated into the flow's requests: `/contactway`, the submitted modal and the reply
 * buttons. Nothing here decides anything; the flow does, and answers through `slackSurface`. Who asks is
 * the signed user id in their workspace or org as `slackIdentityOf` derives it, the same for every payload
 * kind; their language and user groups are API calls, so they are only `later` facts unless cached.
 */
export function registerListeners(app: App, deps: SlackListenerDeps): void {
  const { port } = deps;

  const who = (body: unknown, context: Context, userId: string, name?: string) =>
    askerOfRequest(deps, body, context, userId, name);
  const surfaceContext = (base: Asker, rest: Parameters<typeof surfaceContextOf>[2]) =>
    surfaceContextOf(deps, base, rest);

  app.command(SLASH_COMMAND, async ({ command, ack, client, context }) => {
    const asker = who(command, context, command.user_id, command.user_name);
    const target = {
      userId: command.user_id,
      channelId: command.channel_id,
      responseUrl: command.response_url,
    };
    await port.flow.command(
      {
        actor: asker.actor,
        locale: asker.locale,
        later: asker.later,
        deliveryId: command.trigger_id,
        input: { text: command.text ?? '' },
        // A submission carries neither the channel nor the response_url: they travel with the form.
        extra: { channelId: command.channel_id, responseUrl: command.response_url },
      },
      slackSurface(
        surfaceContext(asker, {
          kind: 'command',
          ack: ack as AnyAck,
          client,
          target,
          triggerId: command.trigger_id,
        }),
      ),
    );
  });

  app.view(FORM_CALLBACK_ID, async ({ ack, body, view, client, context }) => {
    const asker = who(body, context, body.user.id, body.user.name);
    const firstBlock = view.blocks.find((b) => b.type === 'input' && b.block_id)?.block_id;
    const title = view.title?.text ?? 'contactway';
    await port.flow.submit(
      {
        actor: asker.actor,
        locale: asker.locale,
        later: asker.later,
        state: view.private_metadata,
        values: (form) => slackValuesToFormValues(view.state.values as unknown as SlackStateValues, form),
        // The view id names this submission: a replayed or doubled submission creates one contact way.
        submissionId: view.id,
        ...(deps.files ? { files: deps.files } : {}),
      },
      (extra) =>
        slackSurface(
          surfaceContext(asker, {
            kind: 'submission',
            ack: ack as AnyAck,
            client,
            // A submission opens no new modal: its own trigger_id is never used.
            triggerId: 'trigger_id' in body ? String(body.trigger_id) : '',
            view: { id: view.id, title, firstBlock },
            target: {
              userId: body.user.id,
              ...(extra.channelId ? { channelId: extra.channelId } : {}),
              ...(extra.responseUrl ? { responseUrl: extra.responseUrl } : {}),
              ...(extra.dm ? { dm: true } : {}),
            },
          }),
        ),
    );
  });

  app.action<BlockButtonAction>(
    { type: 'block_actions', action_id: ACTION_ID_PATTERN },
    async ({ ack, body, action, client, context }) => {
      const asker = who(body, context, body.user.id, body.user.username ?? body.user.name);
      const channelId = body.channel?.id ?? body.container?.channel_id;
      const target = {
        userId: body.user.id,
        ...(channelId ? { channelId } : {}),
        ...(body.response_url ? { responseUrl: body.response_url } : {}),
      };
      await port.flow.action(
        {
          actor: asker.actor,
          locale: asker.locale,
          later: asker.later,
          deliveryId: body.trigger_id ?? action.action_ts,
          // What the button does and whose it is are in its token; the flow reads and checks both. Slack
          // asked the confirm question (Delete, End session) in its client before sending the click.
          token: action.value ?? '',
          // Where the result of a form the button opens goes: this conversation, or (the App Home) the DM.
          extra: channelId
            ? { channelId, ...(body.response_url ? { responseUrl: body.response_url } : {}) }
            : { dm: '1' },
        },
        slackSurface(
          surfaceContext(asker, {
            kind: 'action',
            ack: ack as AnyAck,
            client,
            target,
            triggerId: body.trigger_id,
          }),
        ),
      );
    },
  );
}
