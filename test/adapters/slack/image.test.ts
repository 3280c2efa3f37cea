import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackRequester } from '../../../adapters/slack/requester.js';
import { PDF_BYTES, pngBytes, pngOfSize } from '../../fixtures/images.js';
import { ALICE, BOT_TOKEN, type SlackHarness, startSlackHarness } from '../../fixtures/slack/harness.js';
import { type OpenedView, stateFromView, withValue } from '../../fixtures/slack/requests.js';

/**
 * The closing image from Slack: a file_input in the temp form, the file downloaded at submit with the bot token
 * from the fake Slack, checked, uploaded to the sandbox's media/upload, and sent as conclusions.image.media_id.
 */

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness();
});

afterAll(async () => {
  await h?.close();
});

async function openTemp(): Promise<OpenedView> {
  const sent = await h.command(ALICE, 'temp zhangsan');
  return h.openedView(sent.triggerId);
}

function attach(view: OpenedView, file: { id: string; name: string; url_private_download: string }) {
  return withValue(stateFromView(view), 'image', {
    type: 'file_input',
    files: [
      { ...file, mimetype: 'image/png', filetype: 'png', size: 1, url_private: file.url_private_download },
    ],
  });
}

const adds = () => h.core.sandbox?.stats().calls.add_contact_way ?? 0;

describe('Slack: closing image through file_input', () => {
  it('GIVEN the temp form THEN it has a file_input for the image: jpg/png, one file', async () => {
    const view = await openTemp();
    const block = view.blocks.find((b) => b.block_id === 'image');
    expect(block).toMatchObject({
      type: 'input',
      optional: true,
      element: { type: 'file_input', filetypes: ['jpg', 'png'], max_files: 1 },
    });
  });

  it('GIVEN a PNG attached THEN downloaded with the bot token, uploaded, and sent as conclusions.image.media_id', async () => {
    const view = await openTemp();
    const bytes = await pngBytes('opening hours');
    const file = h.fake.addPrivateFile('hours.png', bytes);
    const result = await h.submit(ALICE, view, attach(view, file));
    expect(result.status).toBe(200);
    await h.fake.waitFor(() => h.fake.statusOf(view.id), 30_000);
    const ways = await h.core.service.list(slackRequester(ALICE.teamId, ALICE.userId));
    const stored = ways.find((w) => w.closingImage);
    if (!stored)
      throw new Error(`no way with an image; modal said ${JSON.stringify(h.fake.statusOf(view.id))}`);
    expect(h.fake.fileFetches.filter((f) => f.fileId === file.id)).toEqual([
      { fileId: file.id, authorization: `Bearer ${BOT_TOKEN}` },
    ]);
    const sandbox = h.core.sandbox!;
    const [upload] = sandbox.received('media/upload');
    expect(upload).toMatchObject({ type: 'image', bytes: expect.any(Number) });
    const add = sandbox.received('add_contact_way').at(-1);
    expect(add?.conclusions).toEqual({ image: { media_id: upload?.media_id } });
    expect(stored.closingImage).toMatchObject({
      filename: 'hours.png',
      contentType: 'image/png',
      size: bytes.length,
    });
    // What the customer gets: WeCom's copy of exactly these bytes.
    const live = await h.core.service.show(slackRequester(ALICE.teamId, ALICE.userId), stored.configId);
    const pic = await fetch(live.live?.conclusions?.image?.pic_url as string);
    expect(Buffer.from(await pic.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('GIVEN a PDF named .png THEN no way is created and the image field says JPG or PNG', async () => {
    const before = adds();
    const view = await openTemp();
    const file = h.fake.addPrivateFile('scan.png', PDF_BYTES);
    await h.submit(ALICE, view, attach(view, file));
    const status = await h.fake.waitFor(() => h.fake.statusOf(view.id), 30_000);
    const shown = JSON.stringify(status.args.view);
    expect(shown).toMatch(/image/);
    expect(shown).toMatch(/JPG or PNG/);
    expect(adds()).toBe(before);
  });

  it('GIVEN a 20 MB PNG THEN the image field says at most 10 MB, and nothing created', async () => {
    const before = adds();
    const view = await openTemp();
    const file = h.fake.addPrivateFile('poster.png', pngOfSize(20 * 1024 * 1024));
    await h.submit(ALICE, view, attach(view, file));
    const status = await h.fake.waitFor(() => h.fake.statusOf(view.id), 30_000);
    const shown = JSON.stringify(status.args.view);
    expect(shown).toMatch(/at most 10 MB/);
    expect(adds()).toBe(before);
  });

  it('GIVEN the bot lacks files:read THEN a clear message naming the scope, and nothing created', async () => {
    const before = adds();
    h.fake.setFilesReadScope(false);
    try {
      const view = await openTemp();
      const file = h.fake.addPrivateFile('hours.png', await pngBytes());
      await h.submit(ALICE, view, attach(view, file));
      const status = await h.fake.waitFor(() => h.fake.statusOf(view.id), 30_000);
      const shown = JSON.stringify(status.args.view);
      expect(shown).toContain('files:read');
      expect(shown).not.toContain(BOT_TOKEN);
      expect(adds()).toBe(before);
    } finally {
      h.fake.setFilesReadScope(true);
    }
  });
});
