import { ContactwayError } from '../base/errors.js';
import { t } from '../base/i18n.js';

/**
 * What the flow says about the forms and buttons it handed out, the same on every platform: adapters have no
 * wording of their own for these. The codes predate buttons going through the flow and are kept stable.
 */

/** A form or button whose token we cannot read (expired, another version, tampered with): nothing is done. */
export const STALE = new ContactwayError(
  'chat.stale_form',
  t(
    'This form or button has expired. Please run the command again.',
    '此表单或按钮已过期，请重新运行该命令。',
  ),
);

/** A form or button made for someone else (another user, or the same user in another workspace). */
export const NOT_YOURS = new ContactwayError(
  'chat.not_your_form',
  t(
    'This form or button was shown to someone else, so only they can use it. Run the command yourself.',
    '此表单或按钮是给其他人的，只有对方可以使用。请自己运行该命令。',
  ),
);

/** The question before ending a session, when the button did not carry its own (an inline token). */
export const END_SESSION_QUESTION = {
  title: t('End this session?', '结束该会话？'),
  text: t(
    'WeCom sends the closing message, then the temporary session ends.',
    '企业微信会先发送结束语，然后结束临时会话。',
  ),
  yes: t('End session', '结束会话'),
  no: t('Cancel', '取消'),
};

/** The answer to "No" in a question the flow asked. */
export const KEPT = {
  delete: (configId: string) => t(`Kept ${configId}.`, `已保留 ${configId}。`),
  close: () => t('The session goes on.', '会话继续。'),
};
