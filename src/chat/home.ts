import { auditLine } from '../../commands/audit.js';
import { contentSummary } from '../../commands/content-facts.js';
import { errorReply } from '../../commands/index.js';
import { recordLine } from '../../commands/list.js';
import { recordActions } from '../../commands/replies.js';
import { wayLife } from '../../commands/way-life.js';
import { type Locale, say, t } from '../base/i18n.js';
import type { Logger } from '../base/logger.js';
import type { Viewer } from '../base/time.js';
import type { ContactWayService, RecordView, WayUsage } from '../service/contact-way-service.js';
import type { Requester } from '../store/index.js';
import type { HomeView, HomeWay } from './port.js';

const TEXTS = {
  title: t('contactway', 'contactway'),
  newTemp: t('New temporary QR', '新建临时二维码'),
  newPermanent: t('New permanent QR', '新建长期二维码'),
  ways: (n: number) => t(`Your contact ways (${n})`, `你的「联系我」（${n}）`),
  allWays: (n: number) => t(`All contact ways (${n})`, `全部「联系我」（${n}）`),
  none: t(
    'You have no contact ways yet. Create one with the buttons above.',
    '你还没有「联系我」，用上面的按钮创建一个。',
  ),
  more: (n: number) => t(`…and ${n} more: /contactway list`, `……另有 ${n} 个：/contactway list`),
  expired: t('EXPIRED', '已过期'),
  used: t('USED', '已使用'),
  audit: t('Latest actions', '最近的操作'),
};

export interface HomeDeps {
  service: ContactWayService;
  logger: Logger;
}

/**
 * The home view of an allowed requester: what `list` shows (an admin's: everyone's), as items with their
 * Show and Delete buttons, and for admins the latest audit entries. A store failure becomes the notice.
 */
export async function buildHome(
  deps: HomeDeps,
  requester: Requester,
  viewer: Viewer,
  limits: { ways: number; audit: number },
): Promise<HomeView> {
  const { locale } = viewer;
  const admin = deps.service.isAdmin(requester);
  const view = emptyHome(locale);
  let records: RecordView[];
  try {
    records = await deps.service.list(requester);
  } catch (error) {
    deps.logger.warn({ err: error }, 'home: contact ways could not be listed');
    return { ...view, notice: noticeOf(error, locale) };
  }
  view.waysTitle = say((admin ? TEXTS.allWays : TEXTS.ways)(records.length), locale);
  const shown = records.slice(0, Math.max(0, limits.ways));
  const usage = await usageOf(deps, requester, shown);
  view.ways = shown.map((r) => homeWay(r, usage.get(r.configId), viewer));
  if (records.length === 0) view.footer = say(TEXTS.none, locale);
  else if (records.length > view.ways.length)
    view.footer = say(TEXTS.more(records.length - view.ways.length), locale);
  if (admin && limits.audit > 0) {
    try {
      const entries = await deps.service.auditTrail(requester, limits.audit);
      view.audit = { title: say(TEXTS.audit, locale), lines: entries.map((e) => auditLine(e, viewer)) };
    } catch (error) {
      deps.logger.warn({ err: error }, 'home: audit entries could not be read');
    }
  }
  return view;
}

/** The home of someone who may not use the bot: the refusal, and no buttons. */
export function refusedHome(error: unknown, locale: Locale): HomeView {
  return { ...emptyHome(locale), create: [], notice: noticeOf(error, locale) };
}

function emptyHome(locale: Locale): HomeView {
  return {
    title: say(TEXTS.title, locale),
    create: [
      { command: 'temp', label: say(TEXTS.newTemp, locale) },
      { command: 'new', label: say(TEXTS.newPermanent, locale) },
    ],
    waysTitle: say(TEXTS.ways(0), locale),
    ways: [],
  };
}

/**
 * Who used each shown temp way (the only ways that can be used up); a store failure leaves them unmarked
 * rather than the home unshown.
 */
async function usageOf(deps: HomeDeps, requester: Requester, records: RecordView[]) {
  const temp = records.filter((r) => r.isTemp).map((r) => r.configId);
  if (temp.length === 0) return new Map<string, WayUsage>();
  try {
    return await deps.service.usage(requester, temp);
  } catch (error) {
    deps.logger.warn({ err: error }, 'home: customers of the ways could not be read');
    return new Map<string, WayUsage>();
  }
}

function homeWay(record: RecordView, usage: WayUsage | undefined, viewer: Viewer): HomeWay {
  const { locale } = viewer;
  const who = record.request.user?.join(', ') || record.request.party?.map((p) => `#${p}`).join(', ') || '';
  const title = [who, record.request.remark].filter(Boolean).join(' · ') || record.configId;
  const line = say(recordLine(record, viewer, usage), locale) + say(contentSummary(record), locale);
  const life = wayLife(record, usage?.usedBy);
  const mark = life === 'used' ? TEXTS.used : life === 'expired' ? TEXTS.expired : undefined;
  return {
    configId: record.configId,
    title,
    text: mark ? `${say(mark, locale)} · ${line}` : line,
    expired: record.expired,
    actions: recordActions(record.configId, locale, life),
  };
}

function noticeOf(error: unknown, locale: Locale): string {
  const reply = errorReply(error, locale);
  return [reply.title, reply.text].filter(Boolean).join('\n');
}
