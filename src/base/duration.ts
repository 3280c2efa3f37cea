import ms from 'ms';
import { z } from 'zod';
import { t } from './i18n.js';
import { human } from './validate.js';

/**
 * Durations as people type them: `7d`, `24h`, `90m`, `1.5h`, `7 days`, or a bare number of seconds
 * (`3600`). `ms` does the unit parsing; a bare number means seconds here, not milliseconds as in `ms`.
 */
export function parseDurationS(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  // Beyond ~309 digits Number() gives Infinity, which no schema reads as "too long": treat it as unreadable.
  if (/^\d+$/.test(trimmed)) return Number.isFinite(Number(trimmed)) ? Number(trimmed) : undefined;
  const millis = ms(trimmed as ms.StringValue);
  if (typeof millis !== 'number' || !Number.isFinite(millis) || millis <= 0) return undefined;
  return Math.round(millis / 1000);
}

/**
 * Formats seconds the way we ask for them: the largest whole unit (`7d`, `90m`, `45s`), but hours up to
 * two days, because people say "24h" and "36h", not "1d".
 */
export function formatDurationS(seconds: number): string {
  if (seconds >= 2 * 86_400 && seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  for (const [unit, size] of [
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** A zod schema that turns a typed duration into seconds, naming the accepted forms when it cannot. */
export const durationTextSchema = z.string().transform((text, ctx) => {
  const seconds = parseDurationS(text);
  if (seconds === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'bad duration',
      params: human(
        t('must be a duration like 7d, 24h, 90m or a number of seconds', '须为时长，如 7d、24h、90m 或秒数'),
      ),
    });
    return z.NEVER;
  }
  return seconds;
});
