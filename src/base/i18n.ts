/** The languages every user-facing text exists in. WeCom users read Chinese; most chat admins read English. */
export type Locale = 'en' | 'zh';

export const LOCALES: readonly Locale[] = ['en', 'zh'];

/** A user-facing text in every supported language. */
export interface Bilingual {
  en: string;
  zh: string;
}

/** Builds a bilingual text; a tiny helper so call sites read as `t('Saved', '已保存')`. */
export function t(en: string, zh: string): Bilingual {
  return { en, zh };
}

/** Picks the text for a locale. */
export function say(text: Bilingual, locale: Locale): string {
  return text[locale];
}

/**
 * A language tag as people and platforms write it (BCP 47 with `-` or `_`, any case, even a POSIX
 * `zh_CN.UTF-8`): `en`, `en-US`, `en_GB`, `zh-CN`, `zh-Hans-CN`, `zh-TW`. Chinese of every script and
 * region gets our one (Simplified) Chinese rather than English. Undefined for any other language, or text
 * that is not a tag.
 */
export function parseLocale(tag: string): Locale | undefined {
  const match = /^(en|zh)(?:[-_][a-z0-9]{1,8})*(?:\.[\w-]+)?(?:@\w+)?$/i.exec(tag.trim());
  return match ? (match[1]!.toLowerCase() as Locale) : undefined;
}

/** How parseLocale's tags are described wherever one is refused. */
export const LOCALE_TAGS = t(
  'English or Chinese: en, zh or a tag like en-US, zh-CN, zh-Hans',
  '英文或中文：en、zh 或 en-US、zh-CN、zh-Hans 这样的语言标签',
);

/** A platform's locale tag (Slack's `users.info`, Discord's interaction) as ours; the default when we do not speak it. */
export function toLocale(tag: string | undefined | null, fallback: Locale = 'en'): Locale {
  return (tag && parseLocale(tag)) || fallback;
}
