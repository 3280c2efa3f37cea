import { ContactwayError } from '../base/errors.js';
import { type Bilingual, t } from '../base/i18n.js';
import { formatTime, machineTimeZone } from '../base/time.js';
import type { StoredWay } from './way-store.js';

/** Why a temp way's QR no longer works: a customer added the member through it, or its expires_in passed. */
export type Spent =
  | { kind: 'used'; atMs: number; by: string; name: string | undefined }
  | { kind: 'expired'; atMs: number };

/** A used QR says so even once it is also past its expiry: that is what happened to it first. */
export function spentOf(
  way: StoredWay,
  nowMs: number,
  nameOf: (externalUserId: string) => string | undefined,
): Spent | undefined {
  if (way.usedAtMs !== undefined) {
    const by = way.usedBy ?? '';
    return { kind: 'used', atMs: way.usedAtMs, by, name: by ? nameOf(by) : undefined };
  }
  if (way.expiresAtMs !== undefined && nowMs >= way.expiresAtMs)
    return { kind: 'expired', atMs: way.expiresAtMs };
  return undefined;
}

/**
 * A time as the person at this machine reads it (the sandbox runs beside the bot, for its newcomer): their zone,
 * with its offset, never a bare UTC stamp.
 */
export function machineTime(atMs: number): string {
  return formatTime(atMs, { timeZone: machineTimeZone() });
}

/** One line on what voided the QR, for the landing page and the scan refusal. */
export function spentText(spent: Spent): Bilingual {
  const at = machineTime(spent.atMs);
  if (spent.kind === 'expired') return t(`It expired at ${at}.`, `它已于 ${at} 过期。`);
  const who = spent.name ? `${spent.name} (${spent.by})` : spent.by || 'a customer';
  const whoZh = spent.name ? `${spent.name}（${spent.by}）` : spent.by || '一位客户';
  return t(
    `It was already used by ${who} at ${at}: WeCom voids a temporary QR once a customer adds the member.`,
    `它已于 ${at} 被 ${whoZh} 使用：客户添加成员后，企业微信即令临时二维码失效。`,
  );
}

/** A scan of a used or expired temp QR, refused as WeCom's app would refuse it. */
export function scanRefused(configId: string, spent: Spent): ContactwayError {
  const line = spentText(spent);
  return new ContactwayError(
    `sandbox.scan_${spent.kind}`,
    t(
      `This temporary QR code (${configId}) is no longer valid. ${line.en}`,
      `此临时二维码（${configId}）已失效。${line.zh}`,
    ),
  );
}

export function noSuchWay(configId: string): ContactwayError {
  return new ContactwayError(
    'sandbox.scan_unknown',
    t(`No such sandbox contact way: ${configId}`, `沙箱中没有此「联系我」：${configId}`),
  );
}
