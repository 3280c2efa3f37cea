import { type Bilingual, t } from '../src/base/i18n.js';
import { outsideName } from '../src/base/text.js';
import { formatTime, type Viewer } from '../src/base/time.js';
import { type CustomerRecord, type SessionState, sessionState } from '../src/store/customer-store.js';

/** How many customers `show` names: the rest are counted. */
const MAX_CUSTOMERS = 20;

type Zone = Pick<Viewer, 'timeZone'>;

const STATE: Record<SessionState, (c: CustomerRecord, zone: Zone) => Bilingual> = {
  open: (c, zone) =>
    c.sessionEndsAt
      ? t(
          `session open until ${formatTime(c.sessionEndsAt, zone)}`,
          `会话进行中，至 ${formatTime(c.sessionEndsAt, zone)}`,
        )
      : t('session open', '会话进行中'),
  ended: (c, zone) =>
    c.closed
      ? t(
          `session ended by close ${formatTime(c.closed.at, zone)}`,
          `会话已于 ${formatTime(c.closed.at, zone)} 被结束`,
        )
      : t('session ended', '会话已结束'),
  expired: () => t('session expired (chat_expires_in passed)', '会话已过期（超过会话时长）'),
  deleted: (c) =>
    c.removed?.by === 'customer'
      ? t('the customer deleted the member', '客户已删除成员')
      : t('the member deleted the customer', '成员已删除客户'),
  none: () => t('permanent contact', '长期联系人'),
};

/** The customers who came through a way, one line each, newest last, for `show`; times in `zone`. */
export function customerLines(customers: readonly CustomerRecord[], nowMs: number, zone: Zone): Bilingual[] {
  if (customers.length === 0)
    return [t('No customer has come through this QR yet.', '尚无客户通过此二维码添加。')];
  const shown = customers.slice(-MAX_CUSTOMERS);
  const lines = [
    t(`Customers (${customers.length}):`, `客户（${customers.length} 位）：`),
    ...shown.map((c) => {
      const who = c.name ? `${outsideName(c.name)} (${c.externalUserId})` : c.externalUserId;
      const state = STATE[sessionState(c, nowMs)](c, zone);
      const via = c.source === 'sync' ? t(' · found by sync', ' · 由 sync 找回') : t('', '');
      return t(
        `• ${who} · added ${c.userId} ${formatTime(c.addedAt, zone)} · ${state.en}${via.en}`,
        `• ${who} · ${formatTime(c.addedAt, zone)} 添加了 ${c.userId} · ${state.zh}${via.zh}`,
      );
    }),
  ];
  if (customers.length > shown.length)
    lines.splice(
      1,
      0,
      t(
        `…${customers.length - shown.length} earlier`,
        `……另有 ${customers.length - shown.length} 位更早的客户`,
      ),
    );
  return lines;
}
