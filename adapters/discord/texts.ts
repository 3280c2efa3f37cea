import { t } from '../../src/i18n.js';

/** The few texts only the Discord adapter says; everything else comes from the neutral commands. */
export const TEXTS = {
  fixFields: t('Please fix these fields', '请修改以下字段'),
  reopen: t('Fix and resubmit', '修改后重新提交'),
  rerun: t('Run the command again to change these.', '请重新运行命令以修改这些值。'),
  formExpired: t('This form has expired. Run the command again.', '此表单已过期，请重新运行命令。'),
  confirmDelete: (configId: string) =>
    t(`Delete ${configId}? Its QR stops working.`, `删除 ${configId}？其二维码将失效。`),
  deleteYes: t('Delete', '删除'),
  deleteNo: t('Cancel', '取消'),
  kept: (configId: string) => t(`Kept ${configId}.`, `已保留 ${configId}。`),
  failed: t(
    'Something went wrong on our side. It has been logged; please try again.',
    '系统内部出错，已记录日志，请稍后重试。',
  ),
};
