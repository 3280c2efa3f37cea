import type { APIApplicationCommandSubcommandOption } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../../adapters/discord/index.js';
import { displayed, type RecordedRequest } from '../../fixtures/discord/fake-discord.js';
import { type DiscordHarness, startDiscordHarness } from '../../fixtures/discord/harness.js';
import {
  ALICE,
  chatInput,
  chatInputWithAttachment,
  discordRequester,
  modalSubmit,
  type SentModal,
} from '../../fixtures/discord/interactions.js';
import { PDF_BYTES, pngBytes } from '../../fixtures/images.js';

/**
 * The closing image from Discord: an `image:` attachment option (type 11) on temp, its signed link served by
 * the fake CDN and downloaded when the modal is submitted.
 */

let h: DiscordHarness;

beforeAll(async () => {
  h = await startDiscordHarness();
});

afterAll(async () => {
  await h?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: recorded wire bodies are read freely in assertions.
type Json = any;

const embedText = (edit: RecordedRequest) => {
  const embed: Json = edit.body.embeds?.[0];
  return displayed(
    [
      embed?.title,
      embed?.description,
      ...(embed?.fields ?? []).map((f: Json) => `${f.name}: ${f.value}`),
    ].join('\n'),
  );
};

/** `/contactway temp user:zhangsan image:<file>`, then the modal submitted as opened. */
async function tempWithImage(file: ReturnType<DiscordHarness['fake']['addAttachment']>) {
  const token = h.send(
    chatInputWithAttachment('temp', { user: 'zhangsan' }, { name: 'image', file }, { user: ALICE }),
  );
  const modal = (await h.callback(token)).body.data as SentModal;
  const submitted = h.send(modalSubmit(modal, { user: ALICE }, {}));
  return h.edit(submitted, 20_000);
}

const adds = () => h.core.sandbox?.received('add_contact_way') ?? [];

describe('Discord: closing image through an attachment option', () => {
  it('GIVEN the registered temp and edit THEN each has an optional image: attachment option', () => {
    const [root] = commandDefinitions();
    for (const name of ['temp', 'edit']) {
      const sub = root?.options?.find((o) => o.name === name) as APIApplicationCommandSubcommandOption;
      expect(sub.options?.find((o) => o.name === 'image')).toMatchObject({ type: 11, required: false });
    }
  });

  it('GIVEN a PNG attached THEN downloaded from the CDN at submit and sent as conclusions.image.media_id', async () => {
    const bytes = await pngBytes('price list');
    const edit = await tempWithImage(h.fake.addAttachment('prices.png', bytes));
    expect(embedText(edit)).toContain('config_id');
    const upload = h.core.sandbox?.received('media/upload').at(-1);
    expect(adds().at(-1)?.conclusions).toEqual({ image: { media_id: upload?.media_id } });
    const [way] = await h.core.service.list(discordRequester(ALICE));
    expect(way?.closingImage).toMatchObject({ filename: 'prices.png', size: bytes.length });
  });

  it('GIVEN an expired attachment link THEN "attach it again", and nothing created', async () => {
    const before = adds().length;
    const edit = await tempWithImage(h.fake.addAttachment('old.png', await pngBytes(), { expired: true }));
    expect(embedText(edit)).toMatch(/link has expired.*[Aa]ttach the image again/s);
    expect(adds().length).toBe(before);
  });

  it('GIVEN a PDF attached THEN the image field says JPG or PNG, and nothing created', async () => {
    const before = adds().length;
    const edit = await tempWithImage(h.fake.addAttachment('scan.png', PDF_BYTES));
    expect(embedText(edit)).toMatch(/JPG or PNG/);
    expect(adds().length).toBe(before);
  });

  it('GIVEN /contactway edit remove_images:closing THEN the modal submit sends the closing text alone and the way drops the image', async () => {
    const token = h.send(
      chatInputWithAttachment(
        'temp',
        { user: 'zhangsan' },
        { name: 'image', file: h.fake.addAttachment('door.png', await pngBytes('door sign')) },
        { user: ALICE },
      ),
    );
    const modal = (await h.callback(token)).body.data as SentModal;
    const made = await h.edit(h.send(modalSubmit(modal, { user: ALICE }, { conclusions: 'Bye' })), 20_000);
    const configId = /config_id:\s*`?([0-9a-f]{32})/.exec(embedText(made))?.[1] ?? '';
    expect(configId, embedText(made)).toMatch(/^[0-9a-f]{32}$/);
    const before = h.core.sandbox?.received('update_contact_way').length ?? 0;

    const opened = h.send(
      chatInput('edit', { config_id: configId, remove_images: 'closing' }, { user: ALICE }),
    );
    const editModal = (await h.callback(opened)).body.data as SentModal;
    const saved = await h.edit(h.send(modalSubmit(editModal, { user: ALICE }, {})), 20_000);
    expect(embedText(saved)).toContain(`Updated ${configId}`);
    expect(embedText(saved)).not.toContain('door.png');
    expect(h.core.sandbox?.received('update_contact_way').slice(before)).toEqual([
      { config_id: configId, conclusions: { text: { content: 'Bye' } } },
    ]);
    const way = await h.core.service.way(discordRequester(ALICE), configId);
    expect(way.closingImage).toBeUndefined();
  });
});
