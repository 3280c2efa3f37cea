import { t } from '../src/i18n.js';
import type { TempInput } from '../src/service/contact-way-service.js';
import { validate } from '../src/validate.js';
import { addContactWayRequestSchema, userIdSchema } from '../src/wecom/schemas.js';
import { createdReply } from './created-reply.js';
import { fields } from './fields.js';
import { checkForm } from './form-values.js';
import type { Command, FieldSpec } from './types.js';

const form = (): FieldSpec[] => [
  fields.expiresIn('7d'),
  fields.chatExpiresIn('24h'),
  fields.remark(),
  fields.state(),
  fields.skipVerify('true'),
  fields.conclusions(),
  fields.welcome(),
];

/** `temp <userid>`: a temporary-session QR for one member. Every field has a default: submit as opened works. */
export const temp: Command = {
  name: 'temp',
  summary: t('Create a temporary-session QR for a member', '为成员创建临时会话二维码'),
  args: [
    {
      name: 'user',
      label: t('Member userid', '成员 userid'),
      required: true,
      mappedFromRequester: true,
      check: (value) => validate(userIdSchema, value, () => 'user'),
    },
  ],
  formTitle: t('Temporary QR', '临时会话二维码'),
  form,

  parseForm(args, values): TempInput {
    // The same schema the WeCom client enforces: limits are written once, and named by form field.
    const { typed } = checkForm(form(), values, addContactWayRequestSchema, ({ welcome: _, ...typed }) => ({
      type: 1,
      scene: 2,
      user: [args.user],
      is_temp: true,
      ...typed,
      conclusions: typed.conclusions ? { text: { content: typed.conclusions } } : undefined,
    }));
    return {
      userid: args.user ?? '',
      expires_in: typed.expires_in as number | undefined,
      chat_expires_in: typed.chat_expires_in as number | undefined,
      remark: typed.remark as string | undefined,
      state: typed.state as string | undefined,
      skip_verify: typed.skip_verify as boolean | undefined,
      closingText: typed.conclusions as string | undefined,
      // Stored with the way, not sent to WeCom; the service checks its 4000 bytes.
      welcome: typed.welcome as string | undefined,
    };
  },

  async run(ctx, _args, input) {
    const { userid } = input as TempInput;
    const result = await ctx.service.createTemp(ctx.requester, input as TempInput, {
      idempotencyKey: ctx.idempotencyKey,
    });
    return createdReply(ctx, result, t(`Temporary QR for ${userid}`, `${userid} 的临时会话二维码`));
  },
};
