import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { PDF_BYTES, pngBytes } from './fixtures/images.js';

/** MINIPROGRAMS is checked at startup, and a bad value names the variable and what is wrong (issue 21). */
describe('MINIPROGRAMS', () => {
  const preset = { appid: 'wx8bd80126147dfAAA', page: 'pages/a/index', title: '预约', pic_media_id: 'M' };

  it('GIVEN a JSON object of presets THEN they are read by name; unset THEN none', () => {
    const config = loadConfig({ STORE_URL: 'memory:', MINIPROGRAMS: JSON.stringify({ booking: preset }) });
    expect(config.miniprograms.get('booking')).toEqual(preset);
    expect(loadConfig({ STORE_URL: 'memory:' }).miniprograms.size).toBe(0);
  });

  it.each([
    ['not JSON', 'booking=wx…', /MINIPROGRAMS must be a JSON object/],
    [
      'a bad appid',
      JSON.stringify({ booking: { ...preset, appid: 'wx1' } }),
      /MINIPROGRAMS booking\.appid must be a mini-program appid/,
    ],
    [
      'a title over 64 bytes',
      JSON.stringify({ booking: { ...preset, title: '字'.repeat(22) } }),
      /MINIPROGRAMS booking\.title must be at most 64 bytes/,
    ],
    ['a bad name', JSON.stringify({ 'two words': preset }), /MINIPROGRAMS .*preset name/],
  ])('GIVEN %s THEN startup fails naming MINIPROGRAMS', (_, value, message) => {
    expect(() => loadConfig({ STORE_URL: 'memory:', MINIPROGRAMS: value })).toThrow(message);
  });
});

/** A cover from a file (pic_path): read and checked at startup, named with its preset when it is wrong. */
describe('MINIPROGRAMS pic_path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-covers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const preset = { appid: 'wx8bd80126147dfAAA', page: 'pages/a/index', title: '预约' };
  const load = (value: object) =>
    loadConfig({ STORE_URL: 'memory:', MINIPROGRAMS: JSON.stringify({ booking: value }) });

  it('GIVEN a PNG file THEN the preset keeps its checked bytes as its cover', async () => {
    const path = join(dir, 'booking.png');
    const bytes = await pngBytes('booking cover');
    writeFileSync(path, bytes);
    const got = load({ ...preset, pic_path: path }).miniprograms.get('booking');
    expect(got).toMatchObject({ ...preset, cover: { contentType: 'image/png', filename: 'booking.png' } });
    expect(got?.cover?.bytes.equals(bytes)).toBe(true);
    expect(got?.pic_media_id).toBeUndefined();
  });

  it('GIVEN a missing file, a PDF, both covers or neither THEN startup fails naming MINIPROGRAMS and the preset', () => {
    const pdf = join(dir, 'cover.png');
    writeFileSync(pdf, PDF_BYTES);
    expect(() => load({ ...preset, pic_path: join(dir, 'nope.png') })).toThrow(
      /MINIPROGRAMS booking\.pic_path cannot be read \(ENOENT\)/,
    );
    expect(() => load({ ...preset, pic_path: pdf })).toThrow(
      /MINIPROGRAMS booking\.pic_path must be a JPG or PNG/,
    );
    expect(() => load({ ...preset, pic_path: pdf, pic_media_id: 'M' })).toThrow(
      /MINIPROGRAMS booking.* exactly one of pic_path or pic_media_id/,
    );
    expect(() => load(preset)).toThrow(/MINIPROGRAMS booking.* exactly one of pic_path or pic_media_id/);
  });
});
