import { t } from '../../src/i18n.js';

/** The few texts only the Discord adapter says; everything else comes from the neutral commands. */
export const TEXTS = {
  reopen: t('Fix and resubmit', '修改后重新提交'),
  rerun: t('Run the command again to change these.', '请重新运行命令以修改这些值。'),
  formExpired: t('This form has expired. Run the command again.', '此表单已过期，请重新运行命令。'),
  notYours: t(
    'This form or button was opened by someone else, so only they can use it. Run /contactway yourself.',
    '此表单或按钮由其他人打开，只有对方可以使用。请自己运行 /contactway。',
  ),
  kept: (configId: string) => t(`Kept ${configId}.`, `已保留 ${configId}。`),
  noteExpired: t(
    'This button has expired. Use /contactway show or close instead.',
    '此按钮已过期，请改用 /contactway show 或 close。',
  ),
  sessionKept: t('The session goes on.', '会话继续。'),
  endSession: {
    title: t('End this session?', '结束该会话？'),
    text: t(
      'WeCom sends the closing message, then the temporary session ends.',
      '企业微信会先发送结束语，然后结束临时会话。',
    ),
    yes: t('End session', '结束会话'),
    no: t('Cancel', '取消'),
  },
};
