import { t } from '../src/base/i18n.js';
import { addContactWayRequestSchema } from '../src/wecom/schemas.js';
import { attachedImage } from './attached-image.js';
import { createdReply } from './created-reply.js';
import { fields } from './fields.js';
import { checkForm } from './form-values.js';
import { checkWithCards, richFields, withoutCards } from './rich-fields.js';
import type { Command, CreateInput, FieldSpec, NoArgs } from './types.js';

const form = (): FieldSpec[] => [
  fields.members(false),
  fields.departments(),
  fields.remark(),
  fields.state(),
  fields.skipVerify('true'),
  fields.welcome(),
  richFields.welcomeLinks(),
  richFields.welcomeMiniprograms(),
  fields.welcomeImage(),
];

/** `new`: a permanent QR for one member (type 1) or several members and departments (type 2). */
export const newCommand: Command<NoArgs, CreateInput> = {
  name: 'new',
  summary: t('Create a permanent QR for one or more members', '为一个或多个成员创建长期二维码'),
  word: t('new', '长期码'),
  changes: true,
  args: [],
  formTitle: t('Permanent QR', '长期二维码'),
  form,

  parseForm(_args, values) {
    const { checked, rich } = checkWithCards(values, () =>
      checkForm(form(), values, addContactWayRequestSchema, ({ welcome: _, ...all }) => {
        const typed = withoutCards(all);
        const users = (typed.user as string[] | undefined) ?? [];
        const parties = (typed.party as number[] | undefined) ?? [];
        const single = users.length === 1 && parties.length === 0;
        return { type: single ? 1 : 2, scene: 2, ...typed };
      }),
    );
    const { typed, request } = checked;
    // The welcome message is stored with the way, not sent to WeCom; the service checks its 4000 bytes.
    return {
      request,
      ...(typed.welcome ? { welcome: String(typed.welcome) } : {}),
      ...(typed.welcome_image ? { welcomeImage: String(typed.welcome_image) } : {}),
      ...(Object.keys(rich).length > 0 ? { rich } : {}),
    };
  },

  async run(ctx, _args, { request, welcome, welcomeImage, rich }) {
    // Fetched and checked before the service is asked: a bad image creates nothing.
    const image = await attachedImage(ctx, welcomeImage, 'welcome_image');
    const result = await ctx.service.create(ctx.requester, request, {
      idempotencyKey: ctx.idempotencyKey,
      ...(welcome ? { welcome } : {}),
      ...(image ? { welcomeImage: image } : {}),
      ...(rich ? { rich } : {}),
      creator: { locale: ctx.locale, timeZone: ctx.ownTimeZone },
    });
    const who = [...(request.user ?? []), ...(request.party ?? []).map((p) => `#${p}`)].join(', ');
    return createdReply(ctx, result, t(`Permanent QR for ${who}`, `${who} 的长期二维码`));
  },
};
