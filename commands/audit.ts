import { type Bilingual, t } from '../src/base/i18n.js';
import { formatTime, type Viewer } from '../src/base/time.js';
import type { AuditEntry } from '../src/store/audit-schema.js';
import { infoReply } from './replies.js';
import type { Command, NoArgs } from './types.js';

const LIMIT = 30;

/** `audit` (admins): the latest actions, who did them and how they ended. */
export const audit: Command<NoArgs> = {
  name: 'audit',
  summary: t('Admins: the latest actions', '管理员：最近的操作记录'),
  word: t('audit', '审计'),
  args: [],

  async run(ctx) {
    const entries = await ctx.service.auditTrail(ctx.requester, LIMIT);
    const lines: Bilingual[] = entries.map((e) => {
      const line = auditLine(e, ctx);
      return t(line, line);
    });
    return infoReply(
      t(`Latest ${entries.length} actions`, `最近 ${entries.length} 条操作`),
      ctx.locale,
      lines,
      'info',
    );
  },
};

/** One audit entry on one line: when (in `zone`), who, what, how it ended. */
export function auditLine(e: AuditEntry, zone: Pick<Viewer, 'timeZone'>): string {
  return `${formatTime(e.at, zone)} · ${e.actor} · ${e.action}${e.target ? ` ${e.target}` : ''} · ${e.result}${e.code ? ` (${e.code})` : ''}`;
}
