import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_TTL_MS } from '../../../src/sandbox/media.js';
import { createRecordStore } from '../../../src/store/index.js';
import { asTyped } from '../../fixtures/console-lines.js';
import { type ConsoleSession, startConsoleSession } from '../../fixtures/console-session.js';
import { PDF_BYTES, pngBytes, pngOfSize } from '../../fixtures/images.js';

/** The closing image from the console: a path typed in the form, read, checked, uploaded, sent to WeCom. */
describe('console: closing image by path', () => {
  let session: ConsoleSession;
  let png = '';
  const adds = () => session.core.sandbox?.received('add_contact_way') ?? [];
  const uploads = () => session.core.sandbox?.received('media/upload') ?? [];

  beforeAll(async () => {
    session = await startConsoleSession();
    png = join(session.qrDir, '..', 'hours.png');
    writeFileSync(png, await pngBytes('clinic hours'));
  });

  afterAll(async () => {
    await session?.close();
  });

  it('GIVEN a PNG path THEN the way is created with conclusions.image.media_id from media/upload', async () => {
    const out = await session.run(asTyped('temp zhangsan', { conclusions: 'Thanks!', image: png }));
    const configId = /config_id\s+([0-9a-f]{32})/.exec(out)?.[1];
    expect(configId, out).toBeDefined();
    const upload = uploads().at(-1);
    expect(adds().at(-1)?.conclusions).toEqual({
      text: { content: 'Thanks!' },
      image: { media_id: upload?.media_id },
    });
    const record = await createRecordStore(session.core.keyv).get(configId!);
    expect(record?.closingImage).toMatchObject({ filename: 'hours.png', contentType: 'image/png' });
  });

  it('GIVEN a PDF, a 20 MB file or a missing path THEN a clear message naming the image, and nothing created', async () => {
    const dir = join(session.qrDir, '..');
    writeFileSync(join(dir, 'scan.png'), PDF_BYTES);
    writeFileSync(join(dir, 'huge.png'), pngOfSize(20 * 1024 * 1024));
    const before = adds().length;
    const pdf = await session.run(asTyped('temp zhangsan', { image: join(dir, 'scan.png') }));
    expect(pdf).toMatch(/image.*must be a JPG or PNG image/);
    const huge = await session.run(asTyped('temp zhangsan', { image: join(dir, 'huge.png') }));
    expect(huge).toMatch(/at most 10 MB .*this file is 20 MB/);
    const zh = await session.run(asTyped('temp zhangsan', { image: join(dir, 'huge.png') }), {
      locale: 'zh',
    });
    expect(zh).toMatch(/不能超过 10 MB/);
    const missing = await session.run(asTyped('temp zhangsan', { image: join(dir, 'nope.png') }));
    expect(missing).toMatch(/cannot be read/);
    expect(adds().length).toBe(before);
  });

  it('GIVEN media/upload failing THEN the requester is told, no way is created, and no "may have been created" warning', async () => {
    const before = adds().length;
    // A picture never uploaded before: the stored media_id of the first test would be reused otherwise.
    const fresh = join(session.qrDir, '..', 'fresh.png');
    writeFileSync(fresh, await pngBytes('a picture WeCom refuses'));
    session.core.sandbox?.inject({ endpoint: 'media/upload', errcode: 40005, times: 1 });
    const out = await session.run(asTyped('temp wangwu', { image: fresh }));
    session.core.sandbox?.clearFaults();
    expect(out).toMatch(/JPG or PNG/);
    expect(out).not.toMatch(/may have created/);
    expect(adds().length).toBe(before);
  });

  it('GIVEN an edit of the closing text 3 simulated days later THEN the kept image is uploaded again and sent with it', async () => {
    const out = await session.run(asTyped('temp lisi', { image: png }));
    const configId = /config_id\s+([0-9a-f]{32})/.exec(out)?.[1] ?? '';
    const first = uploads().length;
    session.core.sandbox?.advanceClock(MEDIA_TTL_MS);
    const edited = await session.run(asTyped(`edit ${configId}`, { conclusions: 'See you' }));
    expect(edited).toContain(`Updated ${configId}`);
    const update = session.core.sandbox?.received('update_contact_way').at(-1);
    const reuploaded = uploads().slice(first);
    expect(reuploaded.length).toBeGreaterThanOrEqual(1);
    expect(update?.conclusions).toEqual({
      text: { content: 'See you' },
      image: { media_id: reuploaded.at(-1)?.media_id },
    });
  });

  it('GIVEN an edit with `-` in the closing image THEN WeCom gets the text alone and the record drops the image', async () => {
    const out = await session.run(asTyped('temp lisi', { conclusions: 'Bye', image: png }));
    const configId = /config_id\s+([0-9a-f]{32})/.exec(out)?.[1] ?? '';
    const edited = await session.run(asTyped(`edit ${configId}`, { image: '-' }));
    expect(edited).toContain(`Updated ${configId}`);
    expect(edited).not.toContain('hours.png');
    const update = session.core.sandbox?.received('update_contact_way').at(-1);
    expect(update).toEqual({ config_id: configId, conclusions: { text: { content: 'Bye' } } });
    expect((await createRecordStore(session.core.keyv).get(configId))?.closingImage).toBeUndefined();
  });

  it('GIVEN the only closing content is the image WHEN `-` or the removal choice removes it THEN refused in the requester’s language, nothing sent', async () => {
    const out = await session.run(asTyped('temp lisi', { image: png }));
    const configId = /config_id\s+([0-9a-f]{32})/.exec(out)?.[1] ?? '';
    const before = session.core.sandbox?.received('update_contact_way').length;
    const en = await session.run(asTyped(`edit ${configId}`, { image: '-' }));
    expect(en).toContain('WeCom can replace a closing message but not clear it');
    const zh = await session.run(asTyped(`edit ${configId}`, { remove_images: 'closing' }), { locale: 'zh' });
    expect(zh).toContain('企业微信只能替换结束语，不能清除');
    expect(session.core.sandbox?.received('update_contact_way').length).toBe(before);
    expect((await createRecordStore(session.core.keyv).get(configId))?.closingImage).toBeDefined();
  });
});
