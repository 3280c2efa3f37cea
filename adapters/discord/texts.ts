import { t } from '../../src/base/i18n.js';

/**
 * The few texts only the Discord adapter says, about what only Discord lacks (a modal that cannot stay open);
 * everything else, refusals of stale or someone else's forms and buttons included, comes from the core.
 */
export const TEXTS = {
  reopen: t('Fix and resubmit', '修改后重新提交'),
  rerun: t('Run the command again to change these.', '请重新运行命令以修改这些值。'),
};
