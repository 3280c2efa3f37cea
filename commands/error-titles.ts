import type { ContactwayError } from '../src/base/errors.js';
import { type Bilingual, t } from '../src/base/i18n.js';

/**
 * The headline over an error, fixed by its kind: the message itself goes in the body, whole. A headline is
 * where platforms cut (Slack's header block holds 150 characters), and a WeCom explanation with its errcode
 * or a refusal with the admin-console path to fix it is longer than that.
 */
const TITLES: Readonly<Record<string, Bilingual>> = {
  forbidden: t('Not allowed', '没有权限'),
  not_found: t('Not found', '未找到'),
  rate_limited: t('Too many requests', '请求过于频繁'),
  store: t('Storage unavailable', '存储不可用'),
  config: t('Configuration problem', '配置有误'),
  internal: t('Something went wrong', '出错了'),
  'directory.ineligible': t('This member cannot have a contact way yet', '该成员暂不能使用「联系我」'),
  'wecom.timeout': t('WeCom did not answer', '企业微信未响应'),
  'wecom.unreachable': t('Could not reach WeCom', '无法连接企业微信'),
  'wecom.bad_response': t('Unexpected answer from WeCom', '企业微信返回异常'),
  'chat.stale_form': t('Expired', '已过期'),
  'chat.not_your_form': t('Not yours', '不是给你的'),
  'state.taken': t('Could not create the QR', '未能创建二维码'),
};

/** WeCom's errcodes (`wecom.40001`) and the callback refusals share a headline per family. */
const WECOM_REFUSED = t('WeCom refused the request', '企业微信拒绝了请求');
const CALLBACK_REFUSED = t('Callback refused', '回调被拒绝');
const FAILED = t('Could not do that', '操作未完成');

export function errorTitle(error: ContactwayError): Bilingual {
  const title = error.title ?? TITLES[error.code];
  if (title) return title;
  if (error.code.startsWith('wecom.')) return WECOM_REFUSED;
  if (error.code.startsWith('callback.')) return CALLBACK_REFUSED;
  return FAILED;
}
