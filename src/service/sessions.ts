import { ValidationError } from '../base/errors.js';
import { type Bilingual, t } from '../base/i18n.js';
import {
  type CustomerRecord,
  customerOfWay,
  type SessionState,
  sessionState,
} from '../store/customer-store.js';
import type { ContactWayRecord } from '../store/index.js';
import type { BatchGetByUserResponse } from '../wecom/customer-schemas.js';

/** WeCom's default session length for a temp way whose request did not say (24 h). */

/** Which session `close` ends: one of a way's customers, or (admins, old form) a member and a customer id. */
export type CloseTarget =
  | { configId: string; customer?: string }
  | { userid: string; externalUserId: string };

/** The session a close ended: who, with whom, through which way (absent for a session we never saw). */
export interface ClosedSession {
  userid: string;
  externalUserId: string;
  name?: string;
  configId?: string;
}

/** The customer of a way a close means: by external_userid or name, or the only open session. */
export function pickCustomer(
  configId: string,
  customers: readonly CustomerRecord[],
  wanted: string | undefined,
  nowMs: number,
): CustomerRecord {
  const label = (c: CustomerRecord) => (c.name ? `${c.name} (${c.externalUserId})` : c.externalUserId);
  if (wanted) {
    const byId = customers.find((c) => c.externalUserId === wanted);
    const byName = customers.filter((c) => c.name === wanted);
    const found = byId ?? (byName.length === 1 ? byName[0] : undefined);
    if (byName.length > 1 && !byId) {
      throw customerIssue(
        t(
          `several customers are called ${wanted}: give the external_userid (${byName.map(label).join(', ')})`,
          `有多位客户名为 ${wanted}：请填写 external_userid（${byName.map(label).join('、')}）`,
        ),
      );
    }
    if (!found) {
      throw customerIssue(
        t(
          `no customer "${wanted.slice(0, 64)}" came through ${configId}`,
          `没有名为“${wanted.slice(0, 64)}”的客户通过 ${configId} 添加`,
        ),
      );
    }
    const state = sessionState(found, nowMs);
    if (state !== 'open') throw customerIssue(NOT_OPEN[state](label(found)));
    return found;
  }
  const open = customers.filter((c) => sessionState(c, nowMs) === 'open');
  if (open.length === 1) return open[0] as CustomerRecord;
  if (open.length === 0) {
    throw customerIssue(
      t(
        `no open session on ${configId}: nobody came through it, or every session has ended`,
        `${configId} 没有进行中的会话：尚无客户通过它添加，或会话均已结束`,
      ),
    );
  }
  throw customerIssue(
    t(
      `${open.length} open sessions on ${configId}: name the customer (${open.map(label).join(', ')})`,
      `${configId} 有 ${open.length} 个进行中的会话：请指明客户（${open.map(label).join('、')}）`,
    ),
  );
}

const NOT_OPEN: Record<Exclude<SessionState, 'open'>, (who: string) => Bilingual> = {
  ended: (who) => t(`the session with ${who} was already ended`, `与 ${who} 的会话已结束`),
  expired: (who) => t(`the session with ${who} has expired`, `与 ${who} 的会话已过期`),
  deleted: (who) => t(`${who} is no longer a contact`, `${who} 已不再是联系人`),
  none: (who) =>
    t(
      `${who} came through a permanent QR: there is no session to end`,
      `${who} 通过长期二维码添加，没有可结束的会话`,
    ),
};

function customerIssue(message: Bilingual): ValidationError {
  return new ValidationError([{ field: 'customer', message }]);
}

/**
 * Customers WeCom lists for our ways' members that no callback told us of (the endpoint was down): matched
 * by the follow's state to our way with that state and member, added no earlier than the way was created.
 * Pure: the caller pages through batch/get_by_user and stores what this returns.
 */
export function missedCustomers(
  page: BatchGetByUserResponse,
  waysByState: ReadonlyMap<string, readonly ContactWayRecord[]>,
  known: (configId: string, externalUserId: string) => boolean,
): CustomerRecord[] {
  const found: CustomerRecord[] = [];
  for (const { external_contact: contact, follow_info: follow } of page.external_contact_list) {
    if (!follow.state || follow.createtime === undefined) continue;
    const addedAtMs = follow.createtime * 1000;
    const way = (waysByState.get(follow.state) ?? [])
      .filter((w) => w.request.user?.includes(follow.userid) && Date.parse(w.createdAt) <= addedAtMs + 60_000)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    if (!way || known(way.configId, contact.external_userid)) continue;
    found.push(
      customerOfWay(
        way,
        {
          userId: follow.userid,
          externalUserId: contact.external_userid,
          name: contact.name,
          changeType: 'add_external_contact',
          // Nobody could greet them: WeCom's 20 s had long passed when sync found them.
          welcome: { status: 'window_passed' },
          source: 'sync',
        },
        addedAtMs,
      ),
    );
  }
  return found;
}
