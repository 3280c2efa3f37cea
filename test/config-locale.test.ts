import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/base/errors.js';
import { parseLocale, toLocale } from '../src/base/i18n.js';
import { loadConfig } from '../src/config.js';

describe('locales are spelled as platforms spell them', () => {
  it.each([
    ['en', 'en'],
    ['EN', 'en'],
    ['en-US', 'en'],
    ['en_GB', 'en'],
    ['en-gb', 'en'],
    ['zh', 'zh'],
    ['ZH', 'zh'],
    ['zh-CN', 'zh'],
    ['zh_CN', 'zh'],
    ['zh-Hans', 'zh'],
    ['zh-Hans-CN', 'zh'],
    ['zh-TW', 'zh'],
    ['zh-Hant', 'zh'],
    ['zh-Hant-HK', 'zh'],
    ['zh_CN.UTF-8', 'zh'],
    [' zh-CN ', 'zh'],
  ])('GIVEN %j THEN %s', (tag, locale) => {
    expect(parseLocale(tag)).toBe(locale);
  });

  it.each(['fr', 'fr-FR', 'de', 'english', 'zhx', 'eng', 'en-', 'zh--CN', '', ' ', 'en US'])(
    'GIVEN %j THEN not a locale of ours',
    (tag) => {
      expect(parseLocale(tag)).toBeUndefined();
    },
  );

  it('GIVEN a platform tag we do not speak THEN the fallback (Slack and Discord use this)', () => {
    expect(toLocale('zh-TW', 'en')).toBe('zh');
    expect(toLocale('fr', 'zh')).toBe('zh');
    expect(toLocale(undefined, 'zh')).toBe('zh');
  });

  it.each([
    ['zh-CN', 'zh'],
    ['zh-Hans', 'zh'],
    ['en-US', 'en'],
    ['EN', 'en'],
  ])('GIVEN DEFAULT_LOCALE=%s THEN %s', (tag, locale) => {
    expect(loadConfig({ DEFAULT_LOCALE: tag }).DEFAULT_LOCALE).toBe(locale);
  });

  it('GIVEN DEFAULT_LOCALE=fr THEN a ConfigError naming DEFAULT_LOCALE and what it accepts', () => {
    expect(() => loadConfig({ DEFAULT_LOCALE: 'fr' })).toThrow(ConfigError);
    expect(() => loadConfig({ DEFAULT_LOCALE: 'fr' })).toThrow(
      /DEFAULT_LOCALE must be English or Chinese: en, zh or a tag like en-US, zh-CN, zh-Hans/,
    );
  });
});
