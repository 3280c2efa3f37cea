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
 * Maps a platform locale tag (Slack `zh-CN`, Discord `zh-TW`, `LANG=zh_CN.UTF-8`) to ours;
 * anything we do not know falls back to the given default.
 */
export function toLocale(tag: string | undefined | null, fallback: Locale = 'en'): Locale {
  if (!tag) return fallback;
  const lower = tag.toLowerCase();
  if (lower.startsWith('zh')) return 'zh';
  if (lower.startsWith('en')) return 'en';
  return fallback;
}
