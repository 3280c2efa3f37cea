import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTyped } from '../../fixtures/console-lines.js';
import { type ConsoleSession, startConsoleSession } from '../../fixtures/console-session.js';
import { pngBytes } from '../../fixtures/images.js';

/**
 * The closing image (h-rich-image) beside the closing cards (issue 21): WeCom sends one card, image > link >
 * mini-program, so a card beside an image is refused with that order, on creation and on edit; `show` names
 * the image; removing the card lets the image in.
 */
describe('console: one closing card, an image or a link or a mini-program', () => {
  let session: ConsoleSession;
  let png = '';
  const adds = () => session.core.sandbox?.received('add_contact_way') ?? [];
  const updates = () => session.core.sandbox?.received('update_contact_way') ?? [];
  const uploads = () => session.core.sandbox?.received('media/upload') ?? [];
  const configIdOf = (out: string) => /config_id\s+([0-9a-f]{32})/.exec(out)?.[1] ?? '';

  beforeAll(async () => {
    session = await startConsoleSession();
    png = join(session.qrDir, '..', 'hours.png');
    writeFileSync(png, await pngBytes('opening hours'));
  });

  afterAll(async () => {
    await session?.close();
  });

  it('GIVEN an image and a closing link on temp THEN the link field is refused with WeCom order, nothing created', async () => {
    const before = adds().length;
    const out = await session.run(
      asTyped('temp zhangsan', { image: png, closing_link: 'Hours | https://clinic.example/hours' }),
    );
    expect(out).toMatch(/Closing link card: .*image > link > mini-program/);
    expect(adds().length).toBe(before);
  });

  it('GIVEN an image on temp THEN show describes the closing image by its file name', async () => {
    const out = await session.run(asTyped('temp zhangsan', { conclusions: 'Bye', image: png }));
    const configId = configIdOf(out);
    expect(configId, out).not.toBe('');
    const shown = await session.run([`show ${configId}`]);
    expect(shown).toMatch(/Closing message\s+text “Bye”; image “hours\.png”/);
  });

  it('GIVEN a way with a link card THEN attaching an image is refused until the link is removed', async () => {
    const out = await session.run(
      asTyped('temp lisi', { conclusions: 'Bye', closing_link: 'Hours | https://clinic.example/hours' }),
    );
    const configId = configIdOf(out);
    expect(adds().at(-1)?.conclusions).toMatchObject({ link: { title: 'Hours' } });
    const before = updates().length;
    const refused = await session.run(asTyped(`edit ${configId}`, { image: png }));
    expect(refused).toMatch(/image > link > mini-program/);
    expect(updates().length).toBe(before);
    const edited = await session.run(asTyped(`edit ${configId}`, { image: png, closing_link: '-' }));
    expect(edited).toContain(`Updated ${configId}`);
    // The whole closing message goes: the kept text with the image in place of the link.
    expect(updates().at(-1)?.conclusions).toEqual({
      text: { content: 'Bye' },
      image: { media_id: uploads().at(-1)?.media_id },
    });
  });
});
