import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

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
