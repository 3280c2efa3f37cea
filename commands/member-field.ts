import { t } from '../src/base/i18n.js';
import type { FieldSpec } from './types.js';

/**
 * One WeCom member, asked in the form when the command did not name one (`temp` typed without a userid by
 * someone USER_MAP does not map). Its id is the argument it stands for: the submitted value becomes `user`.
 */
export const memberField = (): FieldSpec => ({
  id: 'user',
  kind: 'member',
  label: t('Member', '成员'),
  help: t(
    'The WeCom member the QR is for: type part of a name or userid.',
    '二维码对应的企业微信成员：输入姓名或 userid 的一部分搜索。',
  ),
  default: '',
  optional: false,
  maxLength: 64,
});
