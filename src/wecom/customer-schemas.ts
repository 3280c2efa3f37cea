import { z } from 'zod';
import { t } from '../base/i18n.js';
import { human, maxBytes } from '../base/validate.js';
import { welcomeAttachmentsSchema } from './attachment-schemas.js';
import { externalUserIdSchema, userIdSchema } from './schemas.js';

/**
 * The customer-contact endpoints the callbacks need (reference §3, §5, §6): externalcontact/get,
 * send_welcome_msg and batch/get_by_user. Requests strict, responses loose, as in `schemas.ts`.
 */

/** Paths under `/cgi-bin/externalcontact/`; also the sandbox's fault names. */
export const CUSTOMER_ENDPOINTS = ['get', 'send_welcome_msg', 'batch/get_by_user'] as const;
export type CustomerEndpoint = (typeof CUSTOMER_ENDPOINTS)[number];

/** WeCom's limit for a welcome message's text (document 92137). */
export const MAX_WELCOME_BYTES = 4000;
export const welcomeTextSchema = maxBytes(MAX_WELCOME_BYTES);

export const sendWelcomeMsgRequestSchema = z
  .object({
    welcome_code: z.string().min(1).max(512),
    text: z.object({ content: welcomeTextSchema }).strict().optional(),
    attachments: welcomeAttachmentsSchema.optional(),
  })
  .strict()
  .refine((r) => Boolean(r.text?.content) || (r.attachments?.length ?? 0) > 0, {
    params: human(t('text and attachments must not both be empty', 'text 和 attachments 不能同时为空')),
  });
export type SendWelcomeMsgRequest = z.infer<typeof sendWelcomeMsgRequestSchema>;

export const getExternalContactQuerySchema = z.object({ external_userid: externalUserIdSchema }).strict();

export const externalContactSchema = z.looseObject({
  external_userid: z.string(),
  name: z.string().default(''),
  type: z.number().int().optional(),
  corp_name: z.string().optional(),
});

const followInfoSchema = z.looseObject({
  userid: z.string().optional(),
  remark: z.string().optional(),
  createtime: z.number().int().optional(),
  state: z.string().optional(),
  add_way: z.number().int().optional(),
});

export const getExternalContactResponseSchema = z.looseObject({
  external_contact: externalContactSchema,
  follow_user: z.array(followInfoSchema).default([]),
});
export type ExternalContactDetail = z.infer<typeof getExternalContactResponseSchema>;

export const batchGetByUserRequestSchema = z
  .object({
    userid_list: z.array(userIdSchema).min(1).max(100),
    cursor: z.string().optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .strict();
export type BatchGetByUserRequest = z.infer<typeof batchGetByUserRequestSchema>;

export const batchGetByUserResponseSchema = z.looseObject({
  external_contact_list: z
    .array(
      z.looseObject({
        external_contact: externalContactSchema,
        follow_info: followInfoSchema.extend({ userid: z.string() }),
      }),
    )
    .default([]),
  next_cursor: z.string().optional(),
});
export type BatchGetByUserResponse = z.infer<typeof batchGetByUserResponseSchema>;
