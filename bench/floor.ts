import { accessToken, floorApp, wecomBase } from './floor-app.js';

/**
 * The floor: the least a Bolt app can do for the same flow, so the benchmark can say what contactway adds.
 * On the slash command: ack, then views.open with one input holding the userid. On the submission: ack, one
 * add_contact_way with a token fetched once and cached, fetch the QR image, post it with files.uploadV2 to
 * the channel the command came from. No store, no checks, no logging, no locale, no retries.
 *
 * Run as its own process by bench/run.ts (same loader as the bot), configured by environment variables.
 */
const app = floorApp();

app.command('/contactway', async ({ command, ack, client }) => {
  await ack();
  const userid = command.text.split(/\s+/)[1] ?? '';
  await client.views.open({
    trigger_id: command.trigger_id,
    view: {
      type: 'modal',
      callback_id: 'floor',
      title: { type: 'plain_text', text: 'Temp QR' },
      submit: { type: 'plain_text', text: 'Create' },
      private_metadata: command.channel_id,
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
});

app.view('floor', async ({ ack, view, client }) => {
  await ack();
  const userid = view.state.values.userid?.value?.value ?? '';
  const created = await fetch(
    `${wecomBase}/cgi-bin/externalcontact/add_contact_way?access_token=${await accessToken()}`,
    { method: 'POST', body: JSON.stringify({ type: 1, scene: 2, user: [userid], is_temp: true }) },
  ).then((r) => r.json() as Promise<{ qr_code: string }>);
  const png = Buffer.from(await (await fetch(created.qr_code)).arrayBuffer());
  await client.filesUploadV2({ channel_id: view.private_metadata, file: png, filename: 'qr.png' });
});

await app.start();
process.once('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
