import { type Bilingual, t } from '../src/base/i18n.js';
import type { Viewer } from '../src/base/time.js';
import type { RecordView, WayUsage } from '../src/service/contact-way-service.js';
import { infoReply } from './replies.js';
import type { Command } from './types.js';
import { lifeWords } from './way-life.js';

/** How many lines a list reply holds: chat messages have size limits, and nobody reads more. */
const MAX_LINES = 50;

/** `list`: the requester's contact ways (an admin's: everyone's), newest first, with their customer counts. */
export const list: Command = {
  name: 'list',
  summary: t('List your contact ways', '列出你的「联系我」'),
  word: t('list', '列表'),
  args: [],

  async run(ctx) {
    const records = await ctx.service.list(ctx.requester);
    if (records.length === 0) {
      return infoReply(t('You have no contact ways yet.', '你还没有「联系我」。'), ctx.locale, [
        t('Create one with: /contactway temp <userid>', '用 /contactway temp <userid> 创建一个'),
      ]);
    }
    const shown = records.slice(0, MAX_LINES);
    const usage = await ctx.service.usage(
      ctx.requester,
      shown.map((r) => r.configId),
    );
    const lines: Bilingual[] = shown.map((r) => recordLine(r, ctx, usage.get(r.configId)));
    if (records.length > MAX_LINES)
      lines.push(t(`…and ${records.length - MAX_LINES} more`, `……另有 ${records.length - MAX_LINES} 个`));
    const title = t(`${records.length} contact way(s)`, `共 ${records.length} 个「联系我」`);
    return infoReply(title, ctx.locale, lines);
  },
};

/**
 * One contact way on one line: config_id, members, its life (until when; used, by whom; expired) in the viewer's
 * zone, remark; with `usage`, how many customers came through it.
 */
export function recordLine(r: RecordView, zone: Pick<Viewer, 'timeZone'>, usage?: WayUsage): Bilingual {
  const who = r.request.user?.join(', ') ?? '';
  const when = lifeWords(r, usage, zone);
  const remark = r.request.remark ? ` · ${r.request.remark}` : '';
  const customers = usage?.customers;
  const n = customers === undefined ? t('', '') : t(` · ${customers} customer(s)`, ` · ${customers} 位客户`);
  return t(
    `${r.configId} · ${who} · ${when.en}${n.en}${remark}`,
    `${r.configId} · ${who} · ${when.zh}${n.zh}${remark}`,
  );
}
