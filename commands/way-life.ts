import { type Bilingual, type Locale, say, t } from '../src/base/i18n.js';
import { outsideName } from '../src/base/text.js';
import { formatTime, type Viewer } from '../src/base/time.js';
import type { RecordView, WayUsage } from '../src/service/contact-way-service.js';
import type { CustomerRecord } from '../src/store/customer-store.js';
import type { ReplyAction } from './types.js';

/**
 * Where a temporary way stands: usable until its expiry, used once a customer added through it, or expired.
 * A used or expired QR no longer works, so it is never offered again; the way's settings are, as the
 * "New QR like this" button.
 */
export type WayLife = 'permanent' | 'usable' | 'used' | 'expired';

export function wayLife(record: RecordView, usedBy: CustomerRecord | undefined): WayLife {
  if (!record.isTemp) return 'permanent';
  if (usedBy) return 'used';
  return record.expired ? 'expired' : 'usable';
}

/** A used or expired temporary way: its QR no longer works. */
export const isDead = (life: WayLife) => life === 'used' || life === 'expired';

function customerName(c: CustomerRecord): string {
  return c.name ? `${outsideName(c.name)} (${c.externalUserId})` : c.externalUserId;
}

/** `show`'s line about a used temp QR. */
export function usedLine(c: CustomerRecord, zone: Pick<Viewer, 'timeZone'>): Bilingual {
  const who = customerName(c);
  return t(
    `Used by ${who} at ${formatTime(c.addedAt, zone)} — this QR no longer works.`,
    `已被 ${who} 于 ${formatTime(c.addedAt, zone)} 使用——此二维码已失效。`,
  );
}

/** `show`'s line about an expired temp QR. */
export function expiredLine(record: RecordView, zone: Pick<Viewer, 'timeZone'>): Bilingual {
  const at = record.expiresAt ? formatTime(record.expiresAt, zone) : undefined;
  return at
    ? t(`Expired ${at} — this QR no longer works.`, `已于 ${at} 过期——此二维码已失效。`)
    : t('Expired — this QR no longer works.', '已过期——此二维码已失效。');
}

/** The life of a way in a few words, for `list` and the Home tab. */
export function lifeWords(
  record: RecordView,
  usage: WayUsage | undefined,
  zone: Pick<Viewer, 'timeZone'>,
): Bilingual {
  const usedBy = usage?.usedBy;
  switch (wayLife(record, usedBy)) {
    case 'permanent':
      return t('permanent', '长期');
    case 'used':
      return usedBy
        ? t(
            `used by ${customerName(usedBy)} ${formatTime(usedBy.addedAt, zone)}`,
            `已被 ${customerName(usedBy)} 于 ${formatTime(usedBy.addedAt, zone)} 使用`,
          )
        : t('used', '已使用');
    case 'expired':
      return record.expiresAt
        ? t(
            `expired ${formatTime(record.expiresAt, zone)}`,
            `已于 ${formatTime(record.expiresAt, zone)} 过期`,
          )
        : t('expired', '已过期');
    default:
      return record.expiresAt
        ? t(`until ${formatTime(record.expiresAt, zone)}`, `有效至 ${formatTime(record.expiresAt, zone)}`)
        : t('temporary', '临时');
  }
}

/** The button that opens the temp form prefilled from this way (the `again` command). */
export function againAction(configId: string, locale: Locale): ReplyAction {
  return { kind: 'again', label: say(AGAIN_LABEL, locale), configId };
}

export const AGAIN_LABEL = t('New QR like this', '再建一个同样的二维码');
