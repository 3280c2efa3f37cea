import { t } from '../src/base/i18n.js';
import { anyCommand } from './any-command.js';
import { infoReply } from './replies.js';
import type { AnyCommand, Command } from './types.js';

/**
 * An admin's Approve or Decline under a link request: run by the flow for the button (src/chat/actions.ts),
 * never typed, so it is not among COMMANDS (help, Discord's subcommands, the README list what people type).
 */
function answer(approve: boolean): Command<{ request: string }> {
  return {
    name: approve ? 'approve-link' : 'decline-link',
    summary: approve
      ? t('Approve a link request', '批准绑定请求')
      : t('Decline a link request', '拒绝绑定请求'),
    args: [{ name: 'request', label: t('Link request', '绑定请求'), required: true }],
    async run(ctx, args) {
      const { requester, userid } = await ctx.service.decideLink(ctx.requester, args.request, approve);
      return infoReply(
        approve
          ? t(`Linked ${requester} to ${userid}`, `已将 ${requester} 绑定到 ${userid}`)
          : t(`Declined linking ${requester} to ${userid}`, `已拒绝将 ${requester} 绑定到 ${userid}`),
        ctx.locale,
      );
    },
  };
}

export const LINK_ANSWERS: Readonly<Record<'approve-link' | 'decline-link', AnyCommand>> = {
  'approve-link': anyCommand(answer(true)),
  'decline-link': anyCommand(answer(false)),
};
