import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { types } from '@slack/bolt';
import { accessToken, floorApp, wecomBase } from './floor-app.js';

/**
 * The same-experience floor: the least a Bolt app can do to give the requester what contactway gives them,
 * so the bench can tell what the bot's own machinery costs apart from the Slack calls the experience needs.
 * It makes exactly the bot's Slack calls per creation — `views.open` and `users.info` on the command; on the
 * submission the "creating…" view as the ack (`response_action: update`), `conversations.open` (once per
 * user, as the bot caches it), `files.uploadV2` to the DM with the facts and buttons, `views.update` with the
 * result — and one durable write per creation (a JSON line appended to a file). One add_contact_way with a
 * token fetched once and cached. No checks, no locale, no logging, no retries: bench/floor.ts is the bare one.
 *
 * Run as its own process by bench/run.ts (compiled like the bot), configured by environment variables.
 */
// cwd is the bench's temp folder for this run.
const journal = join(process.cwd(), 'ways.jsonl');

const dms = new Map<string, string>();
const app = floorApp();

const statusView = (text: string, extra: types.KnownBlock[] = []): types.ModalView => ({
  type: 'modal',
  callback_id: 'same-floor.status',
  title: { type: 'plain_text', text: 'Temp QR' },
  close: { type: 'plain_text', text: 'Close' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }, ...extra],
});

app.command('/contactway', async ({ command, ack, client }) => {
  await ack();
  const userid = command.text.split(/\s+/)[1] ?? '';
  await client.views.open({
    trigger_id: command.trigger_id,
    view: {
      type: 'modal',
      callback_id: 'same-floor',
      title: { type: 'plain_text', text: 'Temp QR' },
      submit: { type: 'plain_text', text: 'Create' },
      blocks: [
        {
          type: 'input',
          block_id: 'userid',
          label: { type: 'plain_text', text: 'Member' },
          element: { type: 'plain_text_input', action_id: 'value', initial_value: userid },
        },
      ],
    },
  });
  // The bot asks for the requester's locale only after the ack and views.open; the floor does the same.
  await client.users.info({ user: command.user_id, include_locale: true });
});

app.view('same-floor', async ({ ack, body, view, client }) => {
  await ack({ response_action: 'update', view: statusView('⏳ Creating it at WeCom…') });
  const userid = view.state.values.userid?.value?.value ?? '';
  const created = await fetch(
    `${wecomBase}/cgi-bin/externalcontact/add_contact_way?access_token=${await accessToken()}`,
    { method: 'POST', body: JSON.stringify({ type: 1, scene: 2, user: [userid], is_temp: true }) },
  ).then((r) => r.json() as Promise<{ config_id: string; qr_code: string }>);
  const png = Buffer.from(await (await fetch(created.qr_code)).arrayBuffer());
  await appendFile(
    journal,
    `${JSON.stringify({ configId: created.config_id, userid, requester: body.user.id, at: Date.now() })}\n`,
  );
  const facts: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: '✅ Temporary contact way created' } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Member*\n${userid}` },
        { type: 'mrkdwn', text: `*Config id*\n${created.config_id}` },
      ],
    },
  ];
  const actions: types.KnownBlock = {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: 'same-floor.show',
        text: { type: 'plain_text', text: 'Show QR again' },
        value: created.config_id,
      },
      {
        type: 'button',
        action_id: 'same-floor.delete',
        style: 'danger',
        text: { type: 'plain_text', text: 'Delete' },
        value: created.config_id,
      },
    ],
  };
  let dm = dms.get(body.user.id);
  if (!dm) {
    const opened = await client.conversations.open({ users: body.user.id });
    dm = opened.channel?.id ?? '';
    dms.set(body.user.id, dm);
  }
  await client.filesUploadV2({
    channel_id: dm,
    file: png,
    filename: `contactway-${created.config_id}.png`,
    title: 'Temporary contact way',
    alt_text: 'QR code',
    blocks: [...facts, actions],
  });
  await client.views.update({ view_id: view.id, view: statusView('Sent to your DM with the app.', facts) });
});

await app.start();
process.once('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
