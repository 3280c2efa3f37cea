import { formatDurationS } from '../src/base/duration.js';
import { type Bilingual, say, t } from '../src/base/i18n.js';
import type { ProviderStatus } from '../src/service/contact-way-service.js';
import { infoReply } from './replies.js';
import type { Command, NoArgs } from './types.js';

const TOKEN: Record<ProviderStatus['token'], Bilingual> = {
  ok: t('ok', '正常'),
  waiting_for_ticket: t(
    'waiting for WeCom’s suite_ticket (pushed about every 10 minutes)',
    '等待企业微信推送 suite_ticket（约每 10 分钟一次）',
  ),
  lost: t(
    'lost: the corp no longer authorizes the app; install it again',
    '已失效：该企业已不再授权本应用，请重新安装',
  ),
  not_bound: t('none: this workspace is bound to no corp', '无：本工作区尚未绑定企业'),
};

/** The app's visible range in the corp: departments and tags by id, members by count (their ids are ciphertext). */
function visibleRange(visible: NonNullable<ProviderStatus['binding']>['visible']): Bilingual {
  if (!visible) return t('unknown', '未知');
  const { parties, users, tags } = visible;
  if (parties.length === 0 && users === 0 && tags.length === 0) return t('no one', '无');
  const en: string[] = [];
  const zh: string[] = [];
  if (parties.length > 0) {
    en.push(`departments ${parties.join(', ')}`);
    zh.push(`部门 ${parties.join('、')}`);
  }
  if (users > 0) {
    en.push(`${users} member${users === 1 ? '' : 's'}`);
    zh.push(`${users} 名成员`);
  }
  if (tags.length > 0) {
    en.push(`tags ${tags.join(', ')}`);
    zh.push(`标签 ${tags.join('、')}`);
  }
  return t(en.join(' · '), zh.join(' · '));
}

/** `status` (admins, provider modes): this workspace's corp, the suite_ticket's age and the token's state. */
export const status: Command<NoArgs> = {
  name: 'status',
  summary: t(
    'Admins: the WeCom corp bound to this workspace, the suite ticket and the token',
    '管理员：本工作区绑定的企业微信企业、suite ticket 及凭证状态',
  ),
  word: t('status', '状态'),
  args: [],

  async run(ctx) {
    const s = await ctx.service.providerStatus(ctx.requester);
    const fact = (label: Bilingual, value: string) => ({ label: say(label, ctx.locale), value });
    const facts = [
      fact(t('Mode', '模式'), `${s.mode} (${s.suiteId})`),
      fact(
        t('Corp', '企业'),
        s.binding
          ? `${s.binding.corpName ? `${s.binding.corpName} · ` : ''}${s.binding.authCorpId}`
          : say(t('not bound', '未绑定'), ctx.locale),
      ),
      ...(s.binding
        ? [
            fact(t('Agent id', '应用 ID'), s.binding.agentId === undefined ? '?' : String(s.binding.agentId)),
            fact(t('Visible to', '可见范围'), say(visibleRange(s.binding.visible), ctx.locale)),
          ]
        : []),
      fact(
        t('Suite ticket', 'Suite ticket'),
        s.ticket
          ? say(
              s.ticket.refused
                ? t(
                    `refused by WeCom (${formatDurationS(Math.round(s.ticket.ageMs / 1000))} old)`,
                    `已被企业微信拒绝（${formatDurationS(Math.round(s.ticket.ageMs / 1000))} 前）`,
                  )
                : t(
                    `${formatDurationS(Math.round(s.ticket.ageMs / 1000))} old`,
                    `${formatDurationS(Math.round(s.ticket.ageMs / 1000))} 前收到`,
                  ),
              ctx.locale,
            )
          : say(t('none received yet', '尚未收到'), ctx.locale),
      ),
      fact(t('Token', '凭证'), say(TOKEN[s.token], ctx.locale)),
    ];
    const notes: Bilingual[] = [];
    if (!s.binding)
      notes.push(
        t(
          'Run /contactway install to install the app into a corp and bind it here.',
          '运行 /contactway install 将应用安装到企业并绑定到此处。',
        ),
      );
    // A count, never names: those corps are other tenants, not this workspace's admins' business.
    if (s.unbound > 0) {
      notes.push(
        t(
          `${s.unbound} corp(s) installed from WeCom's app market are bound to no workspace. An admin of such a corp binds it here by running /contactway install and installing again.`,
          `有 ${s.unbound} 个企业已从企业微信应用市场安装但未绑定任何工作区。该企业的管理员可在此运行 /contactway install 重新安装以完成绑定。`,
        ),
      );
    }
    const reply = infoReply(
      t('contactway provider status', 'contactway 服务商状态'),
      ctx.locale,
      notes,
      s.token === 'ok' ? 'ok' : 'info',
    );
    return { ...reply, facts };
  },
};
