import type { Locale } from './i18n.js';

/**
 * Who a reply or notification is for: the language and the time zone its times are shown in. A platform
 * that knows the person's zone (Slack's `tz`) gives it; elsewhere it is DEFAULT_TIMEZONE.
 */
export interface Viewer {
  locale: Locale;
  /** An IANA zone name (`Asia/Shanghai`), checked by `isTimeZone`. */
  timeZone: string;
}

/** Whether the runtime knows this IANA zone name (`Asia/Shanghai`, `UTC`); an unknown one would throw later. */
export function isTimeZone(name: string): boolean {
  if (name.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The zone the machine runs in: DEFAULT_TIMEZONE's default. */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      // Zones are checked where they enter (config, Slack's profile, the record); a time is never lost to one.
      timeZone: isTimeZone(timeZone) ? timeZone : 'UTC',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/**
 * A moment as people read it, in one shape for every language and platform: `2026-12-05 16:40 UTC+08:00`,
 * or `… UTC` at offset zero. The offset is always shown, so a time forwarded to someone in another zone
 * still means one moment; a zone abbreviation (CST) would not.
 */
export function formatTime(at: string | number, viewer: Pick<Viewer, 'timeZone'>): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  const parts: Record<string, string> = {};
  for (const part of formatIn(viewer.timeZone).formatToParts(date)) parts[part.type] = part.value;
  const offset = (parts.timeZoneName ?? 'GMT').replace(/^GMT/, '');
  const zone = offset === '' || offset === '+00:00' ? 'UTC' : `UTC${offset}`;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${zone}`;
}
