import { z } from 'zod';
import { t } from '../base/i18n.js';
import { human, maxBytes, maxChars, multiLine, oneLine } from '../base/validate.js';
import { conclusionImageSchema, linkBodySchema, miniprogramBodySchema } from './attachment-schemas.js';

/**
 * WeCom's contact-way wire format (../shared/wecom-contact-way.md §1, §6), as zod schemas.
 * The client checks every request with these before calling, the sandbox enforces them on what it receives,
 * and the commands validate form submissions with them: one rule, written once, one message everywhere.
 */

/** 14 days in seconds: the ceiling for `expires_in` and `chat_expires_in`. */
export const MAX_TEMP_SECONDS = 14 * 24 * 3600;
export const MAX_USERS = 100;
export const MAX_TEXT_CHARS = 30;

/** userid: 1–64 letters, digits, `-`, `_`, `.` (WeCom errcode 40003 otherwise). `@` appears in some corps' ids. */
export const userIdSchema = z.string().refine((s) => /^[A-Za-z0-9_.@-]{1,64}$/.test(s), {
  params: human(
    t('must be 1–64 letters, digits, "-", "_" or "."', '须为 1–64 位字母、数字、"-"、"_" 或 "."'),
  ),
});

export const configIdSchema = z.string().refine((s) => /^[A-Za-z0-9_-]{1,128}$/.test(s), {
  params: human(
    t(
      'must be a config_id as WeCom returned it (letters and digits)',
      '须为企业微信返回的 config_id（字母与数字）',
    ),
  ),
});

export const externalUserIdSchema = z.string().refine((s) => /^[A-Za-z0-9_-]{1,128}$/.test(s), {
  params: human(t('must be an external_userid as WeCom gives it', '须为企业微信给出的 external_userid')),
});

export const departmentIdSchema = z.number().int().positive();

/** A lifetime in seconds, at most 14 days. */
export const tempSecondsSchema = z
  .number()
  .refine((s) => Number.isInteger(s), {
    params: human(t('must be a whole number of seconds', '必须是整数秒')),
  })
  .refine((s) => s > 0, { params: human(t('must be longer than 0', '必须大于 0')) })
  .refine((s) => s <= MAX_TEMP_SECONDS, {
    params: human(t('must be at most 14 days (1209600 seconds)', '不能超过 14 天（1209600 秒）')),
  });

// Free text reaches admins' terminals, logs and WeCom's own UI: no control characters (issue 10, item 9).
const remarkSchema = oneLine(maxChars(MAX_TEXT_CHARS));
const stateSchema = oneLine(maxChars(MAX_TEXT_CHARS));
/** 结束语 (closing messages), write side: image by media_id only; WeCom sends one of image > link > miniprogram. */
export const conclusionsSchema = z
  .object({
    text: z
      .object({ content: multiLine(maxBytes(4000)) })
      .strict()
      .optional(),
    image: conclusionImageSchema.optional(),
    link: linkBodySchema.optional(),
    miniprogram: miniprogramBodySchema.optional(),
  })
  .strict()
  .refine((c) => Boolean(c.text?.content || c.image || c.link || c.miniprogram), {
    params: human(
      t('text, image, link and miniprogram must not all be empty', '文本、图片、图文、小程序不能全为空'),
    ),
  });

/**
 * unionid: WeChat's id of one person across a developer account's apps. Opaque to us; as WeChat issues them
 * (28 characters of base64url today), so letters, digits, `-` and `_`, at most 64.
 */
export const unionIdSchema = z.string().refine((s) => /^[A-Za-z0-9_-]{1,64}$/.test(s), {
  params: human(
    t(
      'must be a WeChat unionid: 1–64 letters, digits, "-" or "_" (e.g. oxTWIuGaIt6gTKsQRLau2M0AAAA)',
      '须为微信 unionid：1–64 位字母、数字、"-" 或 "_"（如 oxTWIuGaIt6gTKsQRLau2M0AAAA）',
    ),
  ),
});

/** 1 = one member, 2 = several members. */
const typeSchema = z.literal([1, 2]);
/** 1 = mini-program button, 2 = QR code. */
const sceneSchema = z.literal([1, 2]);
const styleSchema = z.number().int().min(1).max(3);

/** Fields that only mean something in temporary-session mode. */
const TEMP_ONLY = ['expires_in', 'chat_expires_in', 'unionid', 'conclusions'] as const;

const addShape = z
  .object({
    type: typeSchema,
    scene: sceneSchema,
    style: styleSchema.optional(),
    remark: remarkSchema.optional(),
    skip_verify: z.boolean().optional(),
    state: stateSchema.optional(),
    user: z.array(userIdSchema).max(MAX_USERS).optional(),
    party: z.array(departmentIdSchema).optional(),
    is_temp: z.boolean().optional(),
    expires_in: tempSecondsSchema.optional(),
    chat_expires_in: tempSecondsSchema.optional(),
    unionid: unionIdSchema.optional(),
    is_exclusive: z.boolean().optional(),
    mark_source: z.boolean().optional(),
    conclusions: conclusionsSchema.optional(),
  })
  .strict();

/** `add_contact_way` request, with every cross-field rule of §1a and §6. */
export const addContactWayRequestSchema = addShape.superRefine((req, ctx) => {
  const users = req.user ?? [];
  const parties = req.party ?? [];
  if (req.type === 1 && users.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['user'],
      message: 'type 1 needs exactly one user',
      params: human(
        t(
          'needs exactly one member when type is 1 (single person)',
          '单人类型（type=1）必须且只能填写一个成员',
        ),
      ),
    });
  }
  if (req.type === 1 && parties.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['party'],
      message: 'party only with type 2',
      params: human(
        t(
          'departments are only allowed when type is 2 (several members)',
          '只有多人类型（type=2）才能填写部门',
        ),
      ),
    });
  }
  if (req.type === 2 && users.length === 0 && parties.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['user'],
      message: 'type 2 needs members or departments',
      params: human(t('needs at least one member or department', '至少填写一个成员或部门')),
    });
  }
  if (req.style !== undefined && req.scene !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['style'],
      message: 'style only with scene 1',
      params: human(
        t(
          'is only for scene 1 (mini-program); omit it for QR codes',
          '仅小程序场景（scene=1）可设置，二维码请不要填写',
        ),
      ),
    });
  } else if (req.style !== undefined && req.type === 2 && req.style > 2) {
    ctx.addIssue({
      code: 'custom',
      path: ['style'],
      message: 'style 1 or 2 for type 2',
      params: human(t('must be 1 or 2 when type is 2', '多人类型时只能是 1 或 2')),
    });
  }
  if (req.is_temp && req.type !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['is_temp'],
      message: 'is_temp only with type 1',
      params: human(
        t('temporary sessions need type 1 and exactly one member', '临时会话模式仅支持单人（type=1）'),
      ),
    });
  }
  if (!req.is_temp) {
    for (const key of TEMP_ONLY) {
      if (req[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} only with is_temp`,
          params: human(
            t('only applies to temporary sessions (is_temp)', '仅在临时会话模式（is_temp）下有效'),
          ),
        });
      }
    }
  }
});
export type AddContactWayRequest = z.infer<typeof addContactWayRequestSchema>;

/**
 * `update_contact_way` request. type, scene and is_temp cannot change. Rules that depend on the existing
 * contact way (temp stays single-user, party only for type 2) are checked by the service with its record.
 */
export const updateContactWayRequestSchema = addShape
  .omit({ type: true, scene: true, is_temp: true })
  .extend({ config_id: configIdSchema })
  .strict();
export type UpdateContactWayRequest = z.infer<typeof updateContactWayRequestSchema>;

export const configIdRequestSchema = z.object({ config_id: configIdSchema }).strict();
export type ConfigIdRequest = z.infer<typeof configIdRequestSchema>;

export const listContactWayRequestSchema = z
  .object({
    start_time: z.number().int().nonnegative().optional(),
    end_time: z.number().int().nonnegative().optional(),
    cursor: z.string().optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  })
  .strict()
  .refine((r) => r.start_time === undefined || r.end_time === undefined || r.start_time <= r.end_time, {
    path: ['end_time'],
    params: human(t('must not be before start_time', '不能早于 start_time')),
  });
export type ListContactWayRequest = z.infer<typeof listContactWayRequestSchema>;

export const closeTempChatRequestSchema = z
  .object({ userid: userIdSchema, external_userid: externalUserIdSchema })
  .strict();
export type CloseTempChatRequest = z.infer<typeof closeTempChatRequestSchema>;

// ---- Responses. Loose objects: WeCom adds fields over time and we must not break on them. ----

export const baseResponseSchema = z.looseObject({
  errcode: z.number().int(),
  errmsg: z.string().default(''),
});
export type BaseResponse = z.infer<typeof baseResponseSchema>;

/**
 * gettoken's envelope. Some proxies and older WeCom answers carry no errcode at all on success
 * (`{access_token, expires_in}`): a token without errcode is success. Without a token, errcode stays required,
 * so an error page or `{}` is still not WeCom's format.
 */
export const tokenEnvelopeSchema = tokenEnvelope('access_token');

/**
 * The envelope of an answer that carries its token in `field` and errcode only on failure: gettoken,
 * get_suite_token (`suite_access_token`), get_corp_token, get_provider_token (`provider_access_token`).
 */
export function tokenEnvelope(field: string) {
  return z.preprocess(
    (body) =>
      typeof body === 'object' &&
      body !== null &&
      !('errcode' in body) &&
      typeof (body as Record<string, unknown>)[field] === 'string'
        ? { ...body, errcode: 0 }
        : body,
    baseResponseSchema,
  );
}

/** `service/get_suite_token`'s answer. */
export const suiteTokenResponseSchema = z.looseObject({
  suite_access_token: z.string().min(1).max(512),
  expires_in: z.number().int().positive(),
});

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1).max(512),
  expires_in: z.number().int().positive(),
});

// Ids in answers pass the schemas of our own input: they become store keys, file names and journal lines, so
// a proxy or endpoint answering `/../../x` must be refused here, as WeCom's format being broken.
export const addContactWayResponseSchema = z.looseObject({
  config_id: configIdSchema,
  qr_code: z.string().optional(),
});
export type AddContactWayResponse = z.infer<typeof addContactWayResponseSchema>;

/** 结束语, read side: image comes back as `pic_url`, not `media_id`. */
const conclusionsReadSchema = z.looseObject({
  text: z.looseObject({ content: z.string().optional() }).optional(),
  image: z.looseObject({ pic_url: z.string().optional(), media_id: z.string().optional() }).optional(),
  link: z
    .looseObject({
      title: z.string().optional(),
      picurl: z.string().optional(),
      desc: z.string().optional(),
      url: z.string().optional(),
    })
    .optional(),
  miniprogram: z
    .looseObject({
      title: z.string().optional(),
      pic_media_id: z.string().optional(),
      appid: z.string().optional(),
      page: z.string().optional(),
    })
    .optional(),
});

export const contactWaySchema = z.looseObject({
  config_id: configIdSchema,
  type: z.number().int(),
  scene: z.number().int(),
  style: z.number().int().optional(),
  remark: z.string().optional(),
  skip_verify: z.boolean().optional(),
  state: z.string().optional(),
  qr_code: z.string().optional(),
  user: z.array(userIdSchema).optional(),
  party: z.array(z.number().int()).optional(),
  is_temp: z.boolean().optional(),
  expires_in: z.number().int().optional(),
  chat_expires_in: z.number().int().optional(),
  unionid: z.string().optional(),
  is_exclusive: z.boolean().optional(),
  mark_source: z.boolean().optional(),
  conclusions: conclusionsReadSchema.optional(),
});
export type ContactWay = z.infer<typeof contactWaySchema>;

export const getContactWayResponseSchema = z.looseObject({ contact_way: contactWaySchema });

export const listContactWayResponseSchema = z.looseObject({
  contact_way: z.array(z.looseObject({ config_id: configIdSchema })).default([]),
  next_cursor: z.string().optional(),
});
export type ListContactWayResponse = z.infer<typeof listContactWayResponseSchema>;

/** The six contact-way endpoints, by their path under `/cgi-bin/externalcontact/`. */
export const ENDPOINTS = [
  'add_contact_way',
  'get_contact_way',
  'list_contact_way',
  'update_contact_way',
  'del_contact_way',
  'close_temp_chat',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];
