import type { types as slack } from '@slack/bolt';
import type { Reply } from '../../commands/index.js';
import { type Locale, say, t } from '../../src/base/i18n.js';
import { clip } from '../../src/base/text.js';
import { FORM_CALLBACK_ID } from './render-form.js';
import { type ReplyBlocksOptions, replyToBlocks } from './render-reply.js';

const TITLE_MAX = 24;

function statusView(title: string, locale: Locale, blocks: slack.KnownBlock[]): slack.ModalView {
  return {
    type: 'modal',
    callback_id: `${FORM_CALLBACK_ID}.status`,
    title: { type: 'plain_text', text: clip(title, TITLE_MAX) },
    close: { type: 'plain_text', text: say(t('Close', '关闭'), locale) },
    blocks,
  };
}

/**
 * What the modal shows once a valid form is acked (a creation or an edit's save, so it names neither): the WeCom call may take seconds, and Slack closes nothing
 * for us, so the person sees that something is happening (and may close it; the result arrives anyway). Pure.
 */
export function progressView(title: string, locale: Locale): slack.ModalView {
  return statusView(title, locale, [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: say(
          t(
            '⏳ Sending it to WeCom… You can close this; the result is sent to you as well.',
            '⏳ 正在提交到企业微信…… 可以关闭此窗口，结果也会发送给你。',
          ),
          locale,
        ),
      },
    },
  ]);
}

/** The modal's final state: the reply without buttons (they belong to messages, which have a response_url). Pure. */
export function resultView(title: string, reply: Reply, options: ReplyBlocksOptions): slack.ModalView {
  return statusView(title, options.locale, replyToBlocks({ ...reply, actions: [] }, options));
}
