import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecordStore } from '../../../src/store/index.js';
import { spawnGroup, stopGroup } from '../../fixtures/child-process.js';
import { asTyped } from '../../fixtures/console-lines.js';
import { type ConsoleSession, startConsoleSession } from '../../fixtures/console-session.js';
import { PDF_BYTES, pngBytes } from '../../fixtures/images.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/**
 * `npm start`'s entry on the sandbox: temp with a welcome image path → `scan` (the sandbox plays the customer
 * and WeCom's callback) → the notification's "sent" line names the image. The sandbox answers
 * send_welcome_msg with 40007 for a media_id it did not issue or that expired, so "sent" means the media_id
 * made at submit was valid when the customer came; it is not uploaded inside WeCom's 20 s.
 */
describe('console on the sandbox: welcome image → scan → sent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'contactway-welcome-image-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('GIVEN temp with a welcome image WHEN a customer scans THEN send_welcome_msg carries it and the requester is told', async () => {
    const png = join(dir, 'price-list.png');
    writeFileSync(png, await pngBytes('price list'));
    const child = spawnGroup(join(ROOT, 'node_modules/.bin/tsx'), ['src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        STORE_URL: `sqlite://${join(dir, 'contactway.sqlite')}`,
        QR_DIR: join(dir, 'qr'),
        JOURNAL_PATH: join(dir, 'journal.jsonl'),
        LOG_LEVEL: 'info',
      },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const waitFor = async (re: RegExp, from = 0) => {
      for (let i = 0; i < 600; i++) {
        const m = re.exec(out.slice(from));
        if (m) return m;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`timed out waiting for ${re}\n${out}\n${err}`);
    };
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await waitFor(/contactway> $/);
      child.stdin.write(
        `${asTyped('temp zhangsan', { welcome: 'Welcome!', welcome_image: png }).join('\n')}\n`,
      );
      const configId = (await waitFor(/config_id\s+([0-9a-f]{32})/))[1] ?? '';
      await waitFor(/contactway> $/);
      const before = out.length;
      child.stdin.write(`scan ${configId}\n`);
      await waitFor(/scanned/, before);
      const told = await waitFor(/🔔[\s\S]*image “price-list\.png”/, before);
      expect(told[0]).toContain('text (8 characters)');
      expect(out.slice(before)).not.toMatch(/no callback reached/);
      child.stdin.write('exit\n');
      expect(await exited).toBe(0);
      // The log never says the welcome went without its image.
      expect(err).not.toMatch(/welcome image has no fresh media_id/);
    } finally {
      await stopGroup(child);
    }
  }, 60_000);
});

/**
 * The welcome image from the console: a path typed in the form, checked and uploaded at submit, kept with the
 * way; a customer's scan then gets it in send_welcome_msg with the stored media_id (nothing uploaded in the 20 s).
 */
describe('console: welcome image by path', () => {
  let session: ConsoleSession;
  let png = '';
  const adds = () => session.core.sandbox?.received('add_contact_way') ?? [];

  beforeAll(async () => {
    session = await startConsoleSession();
    png = join(session.qrDir, '..', 'price-list.png');
    writeFileSync(png, await pngBytes('price list'));
  });

  afterAll(async () => {
    await session?.close();
  });

  it('GIVEN a welcome image that is not an image THEN a clear error naming the field, and nothing created', async () => {
    const pdf = join(session.qrDir, '..', 'menu.png');
    writeFileSync(pdf, PDF_BYTES);
    const before = adds().length;
    const out = await session.run(asTyped('temp lisi', { welcome: 'Hi', welcome_image: pdf }));
    expect(out).toMatch(
      /welcome_image.*must be a JPG or PNG image|Welcome image.*must be a JPG or PNG image/,
    );
    expect(adds().length).toBe(before);
  });

  it('GIVEN an edit with `-` in the welcome image THEN the image is removed, the text kept', async () => {
    const out = await session.run(asTyped('new', { user: 'wangwu', welcome: 'Hello', welcome_image: png }));
    const configId = /config_id\s+([0-9a-f]{32})/.exec(out)?.[1];
    expect(configId, out).toBeDefined();
    const records = createRecordStore(session.core.keyv);
    expect((await records.get(configId!))?.welcomeAttachments).toHaveLength(1);
    const edited = await session.run(asTyped(`edit ${configId}`, { welcome_image: '-' }));
    expect(edited).toContain(`Updated ${configId}`);
    const after = await records.get(configId!);
    expect(after?.welcomeAttachments ?? []).toEqual([]);
    expect(after?.welcome).toBe('Hello');
  });
});
