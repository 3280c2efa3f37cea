import { type Bilingual, t } from '../base/i18n.js';

/**
 * WeCom errcodes and what a person should do about each (reference §3; official 全局错误码 90313/90455,
 * the 排查方法 text carried by go-workwx, and the issues other SDKs met). Texts say what to do, not only
 * what went wrong: the reader is a chat admin who cannot see WeCom's console from the chat.
 */
const EXPLANATIONS: ReadonlyMap<number, Bilingual> = new Map([
  [-1, t('WeCom is busy. Try again in a moment.', '企业微信系统繁忙，请稍后重试。')],
  [0, t('OK.', '成功。')],
  [
    6000,
    t(
      'WeCom reported a data version conflict (someone changed the same data at the same time). Try again.',
      '企业微信数据版本冲突（同一数据被同时修改），请重试。',
    ),
  ],
  [
    40001,
    t(
      'WeCom rejected the app secret: it is missing, does not belong to this corp id, was reset, or the app is disabled. Check WECOM_CORP_ID and WECOM_CORP_SECRET.',
      '企业微信拒绝了应用 Secret：未填写、与企业 ID 不匹配、已被重置，或应用已停用。请检查 WECOM_CORP_ID 与 WECOM_CORP_SECRET。',
    ),
  ],
  [
    40003,
    t(
      'A member userid is invalid: it must be 1–64 letters, digits, "-", "_" or ".", and the member must exist in the directory and not have left.',
      '成员 userid 无效：须为 1–64 位字母、数字、"-"、"_" 或 "."，且成员须在通讯录中且未离职。',
    ),
  ],
  [
    40004,
    t(
      'WeCom rejected the media type. Images are uploaded as type=image.',
      '企业微信不接受该媒体文件类型，图片须以 type=image 上传。',
    ),
  ],
  [
    40005,
    t(
      'WeCom rejected the file type: an image must be a JPG or PNG file.',
      '企业微信不接受该文件类型：图片须为 JPG 或 PNG 文件。',
    ),
  ],
  [
    40006,
    t(
      'WeCom rejected the file size: an image must be more than 5 bytes and at most 10 MB.',
      '企业微信不接受该文件大小：图片须大于 5 字节且不超过 10 MB。',
    ),
  ],
  [
    40007,
    t(
      'WeCom does not know this media_id: it expired (a media_id lasts 3 days), was uploaded by another corp, or is of the wrong type. The bot uploads the image again.',
      'media_id 无效：已过期（media_id 仅三天内有效）、属于其他企业或类型不符。机器人会重新上传图片。',
    ),
  ],
  [40009, t('WeCom rejected the image size: at most 10 MB.', '图片大小无效：不能超过 10 MB。')],
  [
    40013,
    t(
      'WeCom does not know this corp id. Check WECOM_CORP_ID (我的企业 → 企业信息 → 企业ID).',
      '企业 ID 无效。请检查 WECOM_CORP_ID（我的企业 → 企业信息 → 企业ID）。',
    ),
  ],
  [
    40014,
    t(
      'WeCom rejected the access token (expired or invalid). The bot refreshes it automatically; if this persists, check that no other system resets the app secret.',
      '企业微信认为 access_token 无效或已过期。机器人会自动刷新；若持续出现，请确认没有其他系统重置应用 Secret。',
    ),
  ],
  [
    40031,
    t(
      'The member list contains userids that are misspelled or outside the app’s visible range. Check the userids and the app’s 可见范围.',
      '成员列表中有拼写错误或不在应用可见范围内的 userid。请检查 userid 与应用的可见范围。',
    ),
  ],
  [
    40035,
    t(
      'WeCom rejected a parameter as invalid. Check the values sent.',
      '企业微信认为某个参数不合法，请检查填写的内容。',
    ),
  ],
  [
    40058,
    t(
      'WeCom rejected a parameter: a value is too long, a list too large, or a required value empty.',
      '参数不合法：某个值过长、列表过大或必填项为空。',
    ),
  ],
  [40063, t('A required parameter is empty.', '必填参数为空。')],
  [
    40091,
    t(
      'The app secret is invalid (for example a secret of another corp). Check WECOM_CORP_SECRET.',
      'Secret 不合法（例如属于其他企业）。请检查 WECOM_CORP_SECRET。',
    ),
  ],
  [
    40096,
    t(
      'The external_userid is invalid. Use the id WeCom gave for this customer.',
      'external_userid 无效，请使用企业微信给出的客户 ID。',
    ),
  ],
  [
    40098,
    t(
      'A member is not real-name verified. Ask them to complete 实名认证 in WeCom.',
      '成员尚未实名认证，请让其在企业微信中完成实名认证。',
    ),
  ],
  [
    41001,
    t(
      'WeCom received no access token. This is a bug in the bot; please report it.',
      '企业微信未收到 access_token。这是机器人的缺陷，请反馈。',
    ),
  ],
  [
    41005,
    t(
      'The upload carried no file (the part must be named media).',
      '上传内容缺少文件（表单字段须名为 media）。',
    ),
  ],
  [
    41037,
    t(
      'The contact way type is missing (1 = one member, 2 = several members).',
      '缺少「联系我」类型 type（1 单人，2 多人）。',
    ),
  ],
  [
    41038,
    t(
      'The contact way scene is missing (1 = mini-program, 2 = QR code).',
      '缺少「联系我」场景 scene（1 小程序，2 二维码）。',
    ),
  ],
  [
    41039,
    t(
      'The contact way type is invalid: use 1 (one member) or 2 (several members).',
      '「联系我」类型 type 无效：只能是 1（单人）或 2（多人）。',
    ),
  ],
  [
    41040,
    t(
      'The contact way scene is invalid: use 1 (mini-program) or 2 (QR code), and omit style for QR codes.',
      '「联系我」场景 scene 无效：只能是 1（小程序）或 2（二维码），二维码不要填写 style。',
    ),
  ],
  [
    41041,
    t(
      'Too many members use this contact way: at most 100, counting everyone in the listed departments.',
      '使用该「联系我」的成员过多：最多 100 人（部门内成员一并计算）。',
    ),
  ],
  [
    41042,
    t(
      'The widget style is invalid: 1–3 for one member, 1–2 for several, and only for the mini-program scene.',
      '控件样式 style 无效：单人 1–3，多人 1–2，且仅小程序场景可用。',
    ),
  ],
  [41043, t('The config_id is missing.', '缺少 config_id。')],
  [
    41044,
    t(
      'WeCom does not know this config_id: the contact way does not exist, was deleted, or was created by another app.',
      '企业微信找不到该 config_id：「联系我」不存在、已删除，或由其他应用创建。',
    ),
  ],
  [
    41045,
    t(
      'This corp reached WeCom’s cap on contact ways created by API (500,000). Delete unused ones first.',
      '本企业通过接口创建的「联系我」已达上限（50 万个），请先删除不再使用的。',
    ),
  ],
  [
    41054,
    t(
      'A member is not activated: members of a contact way must have logged in to WeCom at least once and be real-name verified.',
      '成员尚未激活：「联系我」中的成员须至少登录过一次企业微信并完成实名认证。',
    ),
  ],
  [
    41057,
    t(
      'No WeChat developer account is bound to this corp, so unionid cannot be used. Bind one in 客户联系, or leave unionid empty.',
      '企业未绑定微信开发者账号，无法使用 unionid。请在「客户联系」中绑定，或不填写 unionid。',
    ),
  ],
  [41064, t('Too many welcome message attachments: at most 9.', '欢迎语附件过多：最多 9 个。')],
  [
    41065,
    t(
      'A welcome message attachment is invalid: its type must be image, link, miniprogram, video or file, with a body of that type.',
      '欢迎语附件无效：类型须为 image、link、miniprogram、video 或 file，且内容与类型一致。',
    ),
  ],
  [41102, t('The menu name is missing.', '缺少菜单名称。')],
  [
    42001,
    t(
      'The access token expired. The bot refreshes it automatically; if this persists, check the server clock and the token cache.',
      'access_token 已过期。机器人会自动刷新；若持续出现，请检查服务器时间与 token 缓存。',
    ),
  ],
  [
    40078,
    t(
      'The install’s auth_code was already used or has expired (10 minutes, single use).',
      '授权 auth_code 已被使用或已过期（10 分钟内有效，仅可使用一次）。',
    ),
  ],
  [
    40082,
    t(
      'WeCom rejected the suite access token. The bot fetches a new one automatically.',
      '企业微信拒绝了 suite_access_token，机器人会自动重新获取。',
    ),
  ],
  [
    40084,
    t(
      'WeCom refused the corp’s permanent code: the corp cancelled the authorization, or the code belongs to another provider. The corp must install the app again.',
      '企业微信拒绝了该企业的永久授权码：企业已取消授权，或授权码属于其他服务商。需由企业重新安装应用。',
    ),
  ],
  [
    40085,
    t(
      'WeCom refused the suite_ticket (missing or expired). The bot waits for WeCom’s next push (about every 10 minutes); an admin can press 刷新ticket in the provider console.',
      'suite_ticket 无效或已过期。机器人在等待企业微信下一次推送（约每 10 分钟）；也可在服务商管理后台点击「刷新ticket」。',
    ),
  ],
  [
    48004,
    t(
      'The corp’s authorization is no longer valid (none, or cancelled). The corp must install the app again.',
      '该企业的授权关系无效（未授权或已取消）。需由企业重新安装应用。',
    ),
  ],
  [301007, t('The corp is not available (dissolved or banned).', '该企业不可用（已解散或被封禁）。')],
  [
    42009,
    t(
      'The suite access token expired. The bot refreshes it automatically.',
      'suite_access_token 已过期，机器人会自动刷新。',
    ),
  ],
  [44001, t('The uploaded file is empty.', '上传的文件为空。')],
  [
    45009,
    t(
      'WeCom’s call-frequency limit was reached; calls are blocked for about a minute. Wait and try again.',
      '调用频率超过企业微信限制，约 1 分钟内会被拦截，请稍后再试。',
    ),
  ],
  [
    45033,
    t(
      'Too many concurrent calls to the same WeCom API. Try again in a second.',
      '同一接口并发调用过多，请稍后再试。',
    ),
  ],
  [
    48001,
    t(
      'This app is not authorized for this API. Grant the permission in the WeCom admin console.',
      '应用无权调用此接口，请在企业微信管理后台授权。',
    ),
  ],
  [
    48002,
    t(
      'WeCom forbids this call for the app: add it to 客户联系 → 可调用接口的应用 (third-party and 代开发 apps need the 「联系我」 permission). Temporary sessions (is_temp) are only for medical-industry corps: create a permanent contact way instead.',
      '应用无权调用此接口：请在「客户联系 → 可调用接口的应用」中添加本应用（第三方及代开发应用需「配置「联系我」二维码」权限）。临时会话（is_temp）仅医疗行业企业可用，其他企业请创建普通「联系我」。',
    ),
  ],
  [
    48009,
    t('The contact-sync assistant may not be used from a new IP.', '通讯录同步助手不允许从新 IP 调用。'),
  ],
  [
    60011,
    t(
      'The app has no permission for this member, department or tag: it is outside the app’s visible range. Extend the visible range.',
      '应用对该成员、部门或标签无权限（不在可见范围内），请扩大应用的可见范围。',
    ),
  ],
  [
    60020,
    t(
      'WeCom does not trust this server’s IP. Add it to the app’s 企业可信IP (third-party apps: the provider IP whitelist); it takes about a minute to apply.',
      '服务器 IP 不在企业可信 IP 中。请在应用的「企业可信IP」中添加本机出口 IP（第三方应用为服务商 IP 白名单），约 1 分钟后生效。',
    ),
  ],
  [
    60111,
    t(
      'A userid does not exist: the member left, was deleted, is outside the visible range, or a plain userid was used after the ID upgrade.',
      'userid 不存在：成员已离职、被删除、不在可见范围内，或 ID 升级后仍使用明文 userid。',
    ),
  ],
  [
    81013,
    t(
      'None of the members, departments or tags are valid or within the app’s visible range.',
      '成员、部门、标签均无效或不在应用可见范围内。',
    ),
  ],
  [
    84061,
    t(
      'There is no external-contact relationship (no temporary session) between this member and this customer.',
      '该成员与该客户之间不存在外部联系人关系（无临时会话）。',
    ),
  ],
  [
    84074,
    t(
      'A member has no customer-contact permission. Enable 客户联系 for them in the admin console.',
      '成员没有客户联系权限，请在管理后台为其开启「客户联系」。',
    ),
  ],
  [
    90206,
    t(
      'The mini-program is not associated with this corp. Associate it in the admin console.',
      '小程序未关联到本企业，请在管理后台关联。',
    ),
  ],
  [90207, t('The mini-program appid is invalid.', '小程序 appid 无效。')],
  [
    90208,
    t(
      'The mini-program appid does not match the one associated with this corp.',
      '小程序 appid 与企业关联的小程序不匹配。',
    ),
  ],
]);

/** Token errors: drop the token (if still the one that failed), fetch a new one, retry exactly once (§2, §6). */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

/** The suite_access_token was refused: fetch a new one from the newest ticket and retry exactly once. */
export const SUITE_TOKEN_ERRCODES: ReadonlySet<number> = new Set([40082, 42009]);

/** The corp's authorization is gone (cancelled, another provider's code, corp dissolved): stop calling for it. */
export const TENANT_LOST_ERRCODES: ReadonlySet<number> = new Set([40084, 48004, 301007, 2000002]);

/** WeCom says to retry these later, at most 3 times (§3). */
export const TRANSIENT_ERRCODES: ReadonlySet<number> = new Set([-1, 6000]);

/**
 * Throttling errcodes and how long to wait. 45009's minute-level block lasts 60 s (§4); 45033 is about
 * concurrency, so a short pause is enough.
 */
export const RATE_LIMIT_RETRY_AFTER_MS: ReadonlyMap<number, number> = new Map([
  [45009, 60_000],
  [45033, 1_000],
]);

/** Every errcode with a specific explanation (the generic fallback covers the rest). */
export function knownErrcodes(): number[] {
  return [...EXPLANATIONS.keys()];
}

/** What an errcode means and what to do about it, in English and Chinese. Unknown codes get a generic text naming the code. */
export function explainErrcode(errcode: number): Bilingual {
  return (
    EXPLANATIONS.get(errcode) ??
    t(
      `WeCom returned error ${errcode}. Look it up at https://open.work.weixin.qq.com/devtool/query?e=${errcode}.`,
      `企业微信返回错误 ${errcode}，可在 https://open.work.weixin.qq.com/devtool/query?e=${errcode} 查询原因。`,
    )
  );
}
