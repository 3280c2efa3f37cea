import { t } from '../src/base/i18n.js';
import { MAX_IMAGE_BYTES } from '../src/media/image-kind.js';
import { MAX_TAG_CHARS } from '../src/service/way-states.js';
import { MAX_TEMP_SECONDS, MAX_TEXT_CHARS } from '../src/wecom/schemas.js';
import type { FieldSpec } from './types.js';

/**
 * The fields contact-way forms share, declared once. Ids are WeCom's keys, so a WeCom validation path
 * names the form field directly.
 */
export const fields = {
  expiresIn: (dflt: string): FieldSpec => ({
    id: 'expires_in',
    kind: 'duration',
    label: t('QR valid for', '二维码有效期'),
    help: t(
      'How long the QR can be scanned: 7d, 24h, 90m or seconds; at most 14d.',
      '二维码可扫码的时长：7d、24h、90m 或秒数，最长 14 天。',
    ),
    default: dflt,
    optional: true,
    maxLength: 16,
    min: 1,
    max: MAX_TEMP_SECONDS,
  }),
  chatExpiresIn: (dflt: string): FieldSpec => ({
    id: 'chat_expires_in',
    kind: 'duration',
    label: t('Session lasts', '会话时长'),
    help: t(
      'How long the chat stays open after the customer adds you; at most 14d.',
      '客户添加后临时会话持续的时长，最长 14 天。',
    ),
    default: dflt,
    optional: true,
    maxLength: 16,
    min: 1,
    max: MAX_TEMP_SECONDS,
  }),
  remark: (dflt = ''): FieldSpec => ({
    id: 'remark',
    kind: 'text',
    label: t('Remark', '备注'),
    help: t(
      `A note for yourself, at most ${MAX_TEXT_CHARS} characters.`,
      `给自己看的备注，最多 ${MAX_TEXT_CHARS} 个字符。`,
    ),
    default: dflt,
    optional: true,
    maxLength: MAX_TEXT_CHARS,
  }),
  state: (dflt = ''): FieldSpec => ({
    id: 'state',
    kind: 'text',
    label: t('State (channel tag)', '渠道参数（state）'),
    help: t(
      `Your channel tag, echoed in the customer's details. A short unique suffix is added (e.g. spring-fair~k3f9a1) so this QR's customers are never taken for another QR's; the first ${MAX_TAG_CHARS} characters are kept.`,
      `你的渠道标识，会在客户详情中返回。系统会追加简短的唯一后缀（如 spring-fair~k3f9a1），使此二维码的客户不会被误认为其他二维码的客户；保留前 ${MAX_TAG_CHARS} 个字符。`,
    ),
    default: dflt,
    optional: true,
    maxLength: MAX_TEXT_CHARS,
  }),
  skipVerify: (dflt = 'true'): FieldSpec => ({
    id: 'skip_verify',
    kind: 'boolean',
    label: t('Add without confirmation', '无需验证即可添加'),
    help: t('Customers can add you without your approval.', '客户添加时无需经过你确认。'),
    default: dflt,
    optional: true,
  }),
  welcome: (): FieldSpec => ({
    id: 'welcome',
    kind: 'multiline',
    label: t('Welcome message', '欢迎语'),
    help: t(
      'Sent to each customer who adds the member through this QR (within WeCom’s 20 s); optional, at most 4000 bytes.',
      '客户通过此二维码添加成员后自动发送（企业微信 20 秒内）；可不填，最多 4000 字节。',
    ),
    default: '',
    optional: true,
    // 4000 bytes hold 1333 Chinese characters; the service checks the bytes themselves.
    maxLength: 1300,
  }),
  conclusions: (): FieldSpec => ({
    id: 'conclusions',
    kind: 'multiline',
    label: t('Closing message', '结束语'),
    help: t(
      'Sent to the customer when the session ends; optional, at most 4000 bytes.',
      '会话结束时自动发送给客户；可不填，最多 4000 字节。',
    ),
    default: '',
    optional: true,
    maxLength: 1300,
  }),
  closingImage: (): FieldSpec => ({
    id: 'image',
    kind: 'file',
    label: t('Closing image', '结束语图片'),
    help: t(
      'Optional JPG or PNG, at most 10 MB, sent with the closing message. WeCom sends one of image, link or mini-program, in that order.',
      '可选，JPG 或 PNG，不超过 10 MB，随结束语发送。企业微信按图片、链接、小程序的顺序只发送其中一个。',
    ),
    default: '',
    optional: true,
    accept: { extensions: ['jpg', 'png'], maxBytes: MAX_IMAGE_BYTES },
  }),
  welcomeImage: (): FieldSpec => ({
    id: 'welcome_image',
    kind: 'file',
    label: t('Welcome image', '欢迎语图片'),
    help: t(
      'Optional JPG or PNG, at most 10 MB, sent after the welcome text; counts as one of the 9 attachments.',
      '可选，JPG 或 PNG，不超过 10 MB，在欢迎语后发送；计入 9 个附件之内。',
    ),
    default: '',
    optional: true,
    accept: { extensions: ['jpg', 'png'], maxBytes: MAX_IMAGE_BYTES },
  }),
  members: (optional: boolean, dflt = ''): FieldSpec => ({
    id: 'user',
    kind: 'members',
    label: t('Members', '成员'),
    help: t(
      'WeCom userids, separated by commas; at most 100.',
      '企业微信成员 userid，用逗号分隔，最多 100 个。',
    ),
    default: dflt,
    optional,
    maxLength: 3000,
  }),
  departments: (): FieldSpec => ({
    id: 'party',
    kind: 'departments',
    label: t('Departments', '部门'),
    help: t(
      'Department ids, separated by commas; their members take turns.',
      '部门 id，用逗号分隔，部门成员轮流接待。',
    ),
    default: '',
    optional: true,
    maxLength: 500,
  }),
};
