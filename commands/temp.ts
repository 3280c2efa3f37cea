import { ValidationError } from '../src/base/errors.js';
import { t } from '../src/base/i18n.js';
import { validate } from '../src/base/validate.js';
import { addContactWayRequestSchema, configIdSchema, userIdSchema } from '../src/wecom/schemas.js';
import { attachedImage } from './attached-image.js';
import { createdReply } from './created-reply.js';
import { fields } from './fields.js';
import { checkForm } from './form-values.js';
import { IMAGES_FROM, readRemoval, removeImagesField } from './remove-images.js';
import { checkWithCards, richFields, withoutCards } from './rich-fields.js';
import type { Command, CreateInput, FieldSpec } from './types.js';

// Without a member (typed or USER_MAP's), the form asks for one first: `user` is picked in the form (formFor).
const form = (): FieldSpec[] => [
  fields.expiresIn('7d'),
  fields.chatExpiresIn('24h'),
  fields.remark(),
  fields.state(),
  fields.skipVerify('true'),
  fields.conclusions(),
  fields.closingImage(),
  richFields.closingLink(),
  richFields.closingMiniprogram(),
  fields.welcome(),
  richFields.welcomeLinks(),
  richFields.welcomeMiniprograms(),
  fields.welcomeImage(),
  richFields.unionid(),
  removeImagesField(
    t(
      'After `again`: the earlier QR’s images are reused unless new ones are attached; pick to leave out.',
      '仅用于「再建」的二维码：沿用原二维码的结束语和欢迎语图片，除非附加新图片；在此选择则不沿用。',
    ),
  ),
];

/** `temp <userid>`: a temporary-session QR for one member. Every field has a default: submit as opened works. */
export const temp: Command<{ user: string }, CreateInput> = {
  name: 'temp',
  summary: t('Create a temporary-session QR for a member', '为成员创建临时会话二维码'),
  word: t('temp', '临时码'),
  changes: true,
  args: [
    {
      name: 'user',
      label: t('Member userid', '成员 userid'),
      required: true,
      mappedFromRequester: true,
      pickedInForm: true,
      word: t('user', '成员'),
      check: (value) => validate(userIdSchema, value, () => 'user'),
    },
  ],
  formTitle: t('Temporary QR', '临时会话二维码'),
  form,

  parseForm(args, values) {
    // The same schema the WeCom client enforces: limits are written once, and named by form field.
    const { checked, rich } = checkWithCards(values, () =>
      checkForm(
        form(),
        values,
        addContactWayRequestSchema,
        ({ welcome: _, image: _image, remove_images: _r, conclusions, ...typed }) => ({
          type: 1,
          scene: 2,
          user: [args.user],
          is_temp: true,
          ...withoutCards(typed),
          ...(conclusions ? { conclusions: { text: { content: conclusions } } } : {}),
        }),
      ),
    );
    const { typed, request } = checked;
    const removal = readRemoval(values);
    if (removal.issues.length > 0) throw new ValidationError(removal.issues);
    const from = values[IMAGES_FROM]?.trim();
    const imagesFrom = from && {
      configId: validate(configIdSchema, from, () => IMAGES_FROM),
      closing: !typed.image && !removal.closing,
      welcome: !typed.welcome_image && !removal.welcome,
    };
    // The welcome message is stored with the way, not sent to WeCom; the service checks its 4000 bytes.
    return {
      request,
      ...(typed.welcome ? { welcome: String(typed.welcome) } : {}),
      ...(typed.image ? { closingImage: String(typed.image) } : {}),
      ...(typed.welcome_image ? { welcomeImage: String(typed.welcome_image) } : {}),
      ...(Object.keys(rich).length > 0 ? { rich } : {}),
      ...(imagesFrom && (imagesFrom.closing || imagesFrom.welcome) ? { imagesFrom } : {}),
    };
  },

  async run(ctx, args, { request, welcome, closingImage, welcomeImage, rich, imagesFrom }) {
    // Fetched and checked before the service is asked: a bad image creates nothing.
    const image = await attachedImage(ctx, closingImage);
    const welcomeImg = await attachedImage(ctx, welcomeImage, 'welcome_image');
    const result = await ctx.service.create(ctx.requester, request, {
      idempotencyKey: ctx.idempotencyKey,
      ...(welcome ? { welcome } : {}),
      ...(image ? { closingImage: image } : {}),
      ...(welcomeImg ? { welcomeImage: welcomeImg } : {}),
      ...(rich ? { rich } : {}),
      ...(imagesFrom ? { imagesFrom } : {}),
      creator: { locale: ctx.locale, timeZone: ctx.ownTimeZone },
    });
    return createdReply(ctx, result, t(`Temporary QR for ${args.user}`, `${args.user} 的临时会话二维码`));
  },
};
