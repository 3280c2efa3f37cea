import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_TTL_MS } from '../../../src/sandbox/media.js';
import { asTyped } from '../../fixtures/console-lines.js';
import { type ConsoleSession, startConsoleSession } from '../../fixtures/console-session.js';
import { pngBytes } from '../../fixtures/images.js';

/**
 * A MINIPROGRAMS preset whose cover is a file (pic_path), on the sandbox: kept and uploaded at startup, its
 * media_id the one the sandbox's media/upload handed out, in the closing message; a closing message sent again
 * after WeCom's three days carries a fresh one. The welcome message's: test/callbacks/welcome-cover.test.ts.
 */
describe('console on the sandbox: mini-program cover from pic_path', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-cover-'));
  let session: ConsoleSession;
  const sandbox = () => session.core.sandbox!;
  // The cover is the only image this session uploads.
  const coverUploads = () => sandbox().received('media/upload');
  const configIdOf = (out: string) => /config_id\s+([0-9a-f]{32})/.exec(out)?.[1] ?? '';
  type Sent = { conclusions?: { text?: unknown; miniprogram?: { pic_media_id?: string } } } | undefined;

  beforeAll(async () => {
    const path = join(dir, 'booking.png');
    writeFileSync(path, await pngBytes('booking cover'));
    session = await startConsoleSession({
      MINIPROGRAMS: JSON.stringify({
        booking: {
          appid: 'wx8bd80126147dfAAA',
          page: 'pages/book/index',
          title: 'Book a visit',
          pic_path: path,
        },
      }),
    });
  });

  afterAll(async () => {
    await session?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The first upload runs in the background at startup. */
  const waitForUpload = async () => {
    for (let i = 0; i < 600 && coverUploads().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(coverUploads().length).toBeGreaterThan(0);
  };

  it('GIVEN a closing mini-program THEN add_contact_way carries the cover media_id media/upload gave for the file', async () => {
    await waitForUpload();
    const out = await session.run(
      asTyped('temp zhangsan', { conclusions: 'Bye', closing_miniprogram: 'booking' }),
    );
    expect(configIdOf(out), out).toMatch(/^[0-9a-f]{32}$/);
    expect(sandbox().received('add_contact_way').at(-1)?.conclusions).toEqual({
      text: { content: 'Bye' },
      miniprogram: {
        appid: 'wx8bd80126147dfAAA',
        page: 'pages/book/index',
        title: 'Book a visit',
        pic_media_id: coverUploads().at(-1)?.media_id,
      },
    });
    expect(coverUploads().length).toBe(1);
  });

  it('GIVEN the closing text edited 3 simulated days later THEN the cover goes with a media_id valid then', async () => {
    const out = await session.run(
      asTyped('temp wangwu', { conclusions: 'Bye', closing_miniprogram: 'booking' }),
    );
    const configId = configIdOf(out);
    const before = coverUploads().length;
    sandbox().advanceClock(MEDIA_TTL_MS);
    const edited = await session.run(asTyped(`edit ${configId}`, { conclusions: 'See you' }));
    expect(edited).toContain(`Updated ${configId}`);
    const update = sandbox().received('update_contact_way').at(-1) as Sent;
    expect(update?.conclusions?.text).toEqual({ content: 'See you' });
    // The stored media_id was refused (40007, expired on the sandbox clock): uploaded again, sent once more.
    expect(coverUploads().length).toBe(before + 1);
    expect(update?.conclusions?.miniprogram?.pic_media_id).toBe(coverUploads().at(-1)?.media_id);
  });
});
