import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackRequester } from '../../../adapters/slack/requester.js';
import { pngBytes } from '../../fixtures/images.js';
import { ALICE, type SlackHarness, startSlackHarness } from '../../fixtures/slack/harness.js';
import {
  type OpenedView,
  type StateValues,
  stateFromView,
  withValue,
} from '../../fixtures/slack/requests.js';

/**
 * Images kept or removed after creation, from Slack. `edit`: the `remove_images` static_select; WeCom replaces
 * conclusions as a whole, so the closing image goes by sending the text that stays, and a closing message
 * left empty is refused. `again`: the earlier way's images are reused (no file field can be prefilled) unless
 * the form removes them.
 */

let h: SlackHarness;
const alice = () => slackRequester(ALICE.teamId, ALICE.userId);

beforeAll(async () => {
  h = await startSlackHarness();
});

afterAll(async () => {
  await h?.close();
});

async function openForm(text: string): Promise<OpenedView> {
  const sent = await h.command(ALICE, text);
  return h.openedView(sent.triggerId);
}

function attach(
  values: StateValues,
  blockId: string,
  file: { id: string; name: string; url_private_download: string },
) {
  return withValue(values, blockId, {
    type: 'file_input',
    files: [
      { ...file, mimetype: 'image/png', filetype: 'png', size: 1, url_private: file.url_private_download },
    ],
  });
}

/**
 * What the modal ends up showing: the ack's view when the edit finished within it, else the status view the
 * adapter pushes once it has (a loaded machine may take either path).
 */
async function outcome(view: OpenedView, ack: string): Promise<string> {
  const shown = JSON.stringify((JSON.parse(ack) as { view?: unknown }).view ?? '');
  if (/Updated|Please fix|config_id/.test(shown)) return shown;
  const status = await h.fake.waitFor(() => h.fake.statusOf(view.id), 30_000);
  return JSON.stringify(status.args.view);
}

const choose = (values: StateValues, value: string) =>
  withValue(values, 'remove_images', { selected_option: { value } });

/** A temp way made from the Slack form with a closing image, a welcome image and the given closing text. */
async function tempWithImages(label: string, conclusions: string): Promise<string> {
  const view = await openForm('temp zhangsan');
  const closing = h.fake.addPrivateFile(`${label}-closing.png`, await pngBytes(`${label} closing`));
  const welcome = h.fake.addPrivateFile(`${label}-welcome.png`, await pngBytes(`${label} welcome`));
  let values = attach(attach(stateFromView(view), 'image', closing), 'welcome_image', welcome);
  values = withValue(values, 'remark', { value: label });
  if (conclusions) values = withValue(values, 'conclusions', { value: conclusions });
  await h.submit(ALICE, view, values);
  await h.fake.waitFor(() => h.fake.statusOf(view.id), 30_000);
  const way = (await h.core.service.list(alice())).find((w) => w.request.remark === label);
  if (!way?.closingImage)
    throw new Error(`no way with images; modal said ${JSON.stringify(h.fake.statusOf(view.id))}`);
  return way.configId;
}

describe('Slack: edit removes images', { timeout: 90_000 }, () => {
  it('GIVEN the edit form THEN remove_images is an optional static_select of closing / welcome / both', async () => {
    const configId = await tempWithImages('form', 'see you');
    const view = await openForm(`edit ${configId}`);
    const block = view.blocks.find((b) => b.block_id === 'remove_images');
    expect(block).toMatchObject({ type: 'input', optional: true, element: { type: 'static_select' } });
    const element = block?.element as { options?: { value: string }[] } | undefined;
    const options = (element?.options ?? []).map((o) => o.value);
    expect(options).toEqual(['closing', 'welcome', 'both']);
    // A file input takes no `-`: its hint points at the choice.
    for (const id of ['image', 'welcome_image']) {
      const hint = view.blocks.find((b) => b.block_id === id)?.hint as { text: string };
      expect(hint.text).toContain('"Remove images" removes it');
    }
  });

  it('GIVEN both chosen THEN WeCom gets the closing text without the image, and the record, show and Home no longer name either image', async () => {
    const configId = await tempWithImages('both', 'see you');
    const sandbox = h.core.sandbox!;
    const shows = async () => {
      const sent = await h.command(ALICE, `show ${configId}`);
      await h.waitForResponse(sent.responseId);
      return h.responseText(sent.responseId);
    };
    // Named before: what the removal must take away.
    expect(await shows()).toMatch(/both-closing\.png[\s\S]*both-welcome\.png/);
    const before = sandbox.received('update_contact_way').length;
    const view = await openForm(`edit ${configId}`);
    const result = await h.submit(ALICE, view, choose(stateFromView(view), 'both'));
    expect(JSON.parse(result.text)).toMatchObject({ response_action: 'update' });
    const shown = await outcome(view, result.text);
    expect(shown).toContain(`Updated ${configId}`);
    expect(shown).not.toContain('.png');

    expect(sandbox.received('update_contact_way').slice(before)).toEqual([
      { config_id: configId, conclusions: { text: { content: 'see you' } } },
    ]);
    const way = await h.core.service.way(alice(), configId);
    expect(way.closingImage).toBeUndefined();
    expect(way.welcomeAttachments ?? []).toEqual([]);
    // WeCom's own copy: the closing message is the text alone.
    const live = await h.core.service.show(alice(), configId);
    expect(live.live?.conclusions?.image).toBeUndefined();
    expect(live.live?.conclusions?.text).toEqual({ content: 'see you' });

    const text = await shows();
    expect(text).toContain('see you');
    expect(text).not.toMatch(/both-(closing|welcome)\.png/);
    await h.openHome(ALICE);
    await h.fake.waitFor(() => JSON.stringify(h.publishedHome(ALICE) ?? {}).includes(configId), 30_000);
    expect(JSON.stringify(h.publishedHome(ALICE))).not.toMatch(/both-(closing|welcome)\.png/);
  });

  it('GIVEN a closing image with no text or card WHEN it is removed THEN the field says WeCom cannot clear it, nothing is sent or changed', async () => {
    const configId = await tempWithImages('alone', '');
    const sandbox = h.core.sandbox!;
    const before = sandbox.received('update_contact_way').length;
    const view = await openForm(`edit ${configId}`);
    const result = await h.submit(ALICE, view, choose(stateFromView(view), 'closing'));
    const shown = await outcome(view, result.text);
    expect(shown).toContain('WeCom can replace a closing message but not clear it');
    expect(sandbox.received('update_contact_way').length).toBe(before);
    expect((await h.core.service.way(alice(), configId)).closingImage).toMatchObject({
      filename: 'alone-closing.png',
    });
  });

  it('GIVEN an image attached and removed in one edit THEN a field error on remove_images, nothing sent', async () => {
    const configId = await tempWithImages('clash', 'bye');
    const sandbox = h.core.sandbox!;
    const before = sandbox.received('update_contact_way').length;
    const view = await openForm(`edit ${configId}`);
    const file = h.fake.addPrivateFile('new.png', await pngBytes('new one'));
    const result = await h.submit(ALICE, view, choose(attach(stateFromView(view), 'image', file), 'closing'));
    const body = JSON.parse(result.text) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors.remove_images).toMatch(/attached and removed/);
    expect(sandbox.received('update_contact_way').length).toBe(before);
  });
});

describe('Slack: again reuses the images', { timeout: 90_000 }, () => {
  const newWay = async (label: string, except: string) =>
    (await h.core.service.list(alice())).find((w) => w.request.remark === label && w.configId !== except);
  const welcomeImageOf = (way: { welcomeAttachments?: { kind: string }[] | undefined } | undefined) =>
    way?.welcomeAttachments?.find((a) => a.kind === 'image');

  it('GIVEN again on a way with both images, submitted as opened THEN the new way sends and keeps the same closing and welcome images', async () => {
    const configId = await tempWithImages('again', 'see you');
    const earlier = await h.core.service.way(alice(), configId);
    const view = await openForm(`again ${configId}`);
    expect(view.blocks.some((b) => b.block_id === 'remove_images')).toBe(true);
    const result = await h.submit(ALICE, view, stateFromView(view));
    await outcome(view, result.text);
    const made = await newWay('again', configId);
    if (!made) throw new Error(`no new way; modal said ${JSON.stringify(h.fake.statusOf(view.id))}`);
    expect(made.closingImage).toEqual(earlier.closingImage);
    expect(welcomeImageOf(made)).toEqual(welcomeImageOf(earlier));
    const add = h.core.sandbox!.received('add_contact_way').at(-1);
    expect(add?.conclusions).toEqual({
      text: { content: 'see you' },
      image: { media_id: expect.stringMatching(/\S/) },
    });
    // WeCom's copy is the earlier picture's bytes.
    const live = await h.core.service.show(alice(), made.configId);
    const pic = await fetch(live.live?.conclusions?.image?.pic_url as string);
    expect(Buffer.from(await pic.arrayBuffer()).equals(await pngBytes('again closing'))).toBe(true);
  });

  it('GIVEN again with the welcome image removed THEN the new way keeps the closing image only', async () => {
    const configId = await tempWithImages('again-drop', 'bye');
    const view = await openForm(`again ${configId}`);
    const result = await h.submit(ALICE, view, choose(stateFromView(view), 'welcome'));
    await outcome(view, result.text);
    const made = await newWay('again-drop', configId);
    if (!made) throw new Error(`no new way; modal said ${JSON.stringify(h.fake.statusOf(view.id))}`);
    expect(made.closingImage?.filename).toBe('again-drop-closing.png');
    expect(welcomeImageOf(made)).toBeUndefined();
  });
});
