import { formatDurationS } from '../src/base/duration.js';
import { type FieldIssue, ValidationError } from '../src/base/errors.js';
import { type Bilingual, say, t } from '../src/base/i18n.js';
import type { UpdateChanges } from '../src/service/contact-way-service.js';
import { currentValues } from '../src/service/way-current.js';
import type { RichInput } from '../src/store/message-content.js';
import { updateContactWayRequestSchema } from '../src/wecom/schemas.js';
import { attachedImage } from './attached-image.js';
import { configIdArg, readConfigId } from './config-id-arg.js';
import { fields } from './fields.js';
import { checkForm } from './form-values.js';
import { readRemoval, removeImagesField } from './remove-images.js';
import { infoReply, recordActions, recordFacts } from './replies.js';
import { CARD_FIELDS, cardValues, checkWithCards, richFields, withoutCards } from './rich-fields.js';
import type { Command, FieldSpec, FormValues } from './types.js';

/** Typed in a text field, it clears the value (an emptied field keeps it, as when the form could not be filled). */
export const CLEAR = '-';

const KEEP = t('Empty keeps the current value.', '留空则保持不变。');
const FILE_KEEPS = t(
  `Empty keeps the current image; "Remove images" removes it (console: type ${CLEAR}).`,
  `留空则保持当前图片；在“删除图片”中选择可删除（控制台：输入 ${CLEAR}）。`,
);
const CLEARS = t(`Type ${CLEAR} to clear it; empty keeps it.`, `输入 ${CLEAR} 清除；留空则保持不变。`);

/** Fields `-` cannot clear, and why: said in their help and when `-` is typed. */
const KEPT: Record<string, Bilingual> = {
  // The way's state is how a customer's add event finds it: a way without one loses its customers' welcome.
  state: t(
    'can be changed but not cleared: it tells this QR’s customers apart',
    '可修改但不能清除：它用于识别此二维码的客户',
  ),
  // WeCom refuses a conclusions object with nothing in it (wecom-contact-way.md §1g).
  conclusions: t('WeCom can replace a closing message but not clear it', '企业微信只能替换结束语，不能清除'),
  user: t(
    'a contact way keeps at least one member: replace them instead',
    '「联系我」至少保留一个成员：请直接替换',
  ),
};

/**
 * Cleared by `-`: the remark, the welcome text, each card (a closing card is removed, its text kept) and the
 * closing image (a file path, where a platform lets one be typed: the console).
 */
const CLEARABLE = new Set(['remark', 'welcome', 'image', ...CARD_FIELDS]);

/** Removing an image on edit: the rest of the closing message stays, and WeCom cannot clear it. */
const removeImages = () =>
  removeImagesField(
    t(
      'Removes the closing image, the welcome image or both; the texts and cards stay. A closing message that would be left empty cannot be removed (WeCom cannot clear one).',
      '删除结束语图片、欢迎语图片或两者；文字和卡片保留。删除后结束语为空时不能删除（企业微信不能清除结束语）。',
    ),
  );

/** The edit's hint goes first: Discord shows only the first 100 characters of a help text. */
function hint({ id, kind }: FieldSpec): Bilingual {
  // Slack's and Discord's file inputs take no text: removal is the remove_images choice there.
  if (kind === 'file') return FILE_KEEPS;
  if (CLEARABLE.has(id)) return CLEARS;
  const kept = KEPT[id];
  if (kept) return t(`${cap(kept.en)}; ${KEEP.en.toLowerCase()}`, `${kept.zh}；${KEEP.zh}`);
  return KEEP;
}

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The form opens with the way's current values (`current`, read from our record just before it opens); a
 * field left empty keeps its value, so a form that could not be filled in time is still safe to submit.
 */
const form = (): FieldSpec[] =>
  [
    fields.remark(),
    fields.state(),
    {
      ...fields.skipVerify(''),
      kind: 'choice' as const,
      options: [
        { value: 'true', label: t('Yes', '是') },
        { value: 'false', label: t('No', '否') },
      ],
    },
    fields.members(true),
    fields.expiresIn(''),
    fields.chatExpiresIn(''),
    fields.conclusions(),
    fields.closingImage(),
    richFields.closingLink(),
    richFields.closingMiniprogram(),
    fields.welcome(),
    richFields.welcomeLinks(),
    richFields.welcomeMiniprograms(),
    fields.welcomeImage(),
    removeImages(),
  ].map((f) => {
    const h = hint(f);
    return { ...f, optional: true, default: '', help: t(`${h.en} ${f.help.en}`, `${h.zh}${f.help.zh}`) };
  });

/** `-` in a field that can be cleared becomes a clearing; in one that cannot, an error saying why. */
function readClears(values: FormValues): { kept: FormValues; cleared: Set<string>; issues: FieldIssue[] } {
  const kept: FormValues = {};
  const cleared = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const [id, value] of Object.entries(values)) {
    // Own keys only: a submitted field named like an Object builtin (`__proto__`) must not find one.
    const why = Object.hasOwn(KEPT, id) ? KEPT[id] : undefined;
    if (value?.trim() !== CLEAR) kept[id] = value;
    else if (CLEARABLE.has(id)) cleared.add(id);
    else if (why) issues.push({ field: id, message: why });
    // Anywhere else `-` is read like any other text, and refused as such.
    else kept[id] = value;
  }
  return { kept, cleared, issues };
}

/** `edit <config_id>`: change what WeCom lets us change; type, scene and temp mode are fixed. */
/** The edit form read: the changes, with a newly attached image still a reference (fetched when it runs). */
export type EditInput = Omit<UpdateChanges, 'closingImage' | 'welcomeImage'> & {
  /** A file reference; null removes the way's closing image. */
  closingImage?: string | null;
  /** A file reference; null removes the way's welcome image. */
  welcomeImage?: string | null;
};

export const edit: Command<{ config_id: string }, EditInput> = {
  name: 'edit',
  summary: t('Edit a contact way', '修改「联系我」'),
  word: t('edit', '修改'),
  changes: true,
  args: [configIdArg],
  formTitle: t('Edit contact way', '修改「联系我」'),
  submitLabel: t('Save', '保存'),
  form,

  async current({ service, requester }, args) {
    const now = currentValues(await service.way(requester, readConfigId(args)));
    const duration = (seconds: number | undefined) => (seconds === undefined ? '' : formatDurationS(seconds));
    return {
      remark: now.remark,
      state: now.state,
      skip_verify: String(now.skip_verify),
      user: now.user.join(','),
      expires_in: duration(now.expires_in),
      chat_expires_in: duration(now.chat_expires_in),
      conclusions: now.conclusions,
      welcome: now.welcome,
      ...cardValues(now.closing, now.welcomeCards),
    };
  },

  parseForm(args, values) {
    const { kept, cleared, issues } = readClears(values);
    const removal = readRemoval(kept, cleared);
    issues.push(...removal.issues);
    let checked: ReturnType<typeof check>;
    let rich: RichInput;
    try {
      ({ checked, rich } = checkWithCards(kept, () => check(args.config_id, kept, cleared), cleared));
    } catch (error) {
      if (!(error instanceof ValidationError) || issues.length === 0) throw error;
      const named = new Set(issues.map((i) => i.field));
      throw new ValidationError([...issues, ...error.issues.filter((i) => !named.has(i.field))]);
    }
    if (issues.length > 0) throw new ValidationError(issues);
    const { typed, request } = checked;
    const { config_id: _, ...changes } = request;
    // Stored with the way, not sent to WeCom; '' removes it.
    const welcome = cleared.has('welcome') ? '' : typed.welcome ? String(typed.welcome) : undefined;
    return {
      ...changes,
      ...(welcome === undefined ? {} : { welcome }),
      ...(removal.closing
        ? { closingImage: null }
        : typed.image
          ? { closingImage: String(typed.image) }
          : {}),
      ...(removal.welcome
        ? { welcomeImage: null }
        : typed.welcome_image
          ? { welcomeImage: String(typed.welcome_image) }
          : {}),
      ...rich,
    };
  },

  async run(ctx, args, { closingImage: ref, welcomeImage: welcomeRef, ...changes }) {
    const configId = readConfigId(args);
    // A new image is fetched and checked first: a bad one changes nothing.
    const image = ref === null ? null : await attachedImage(ctx, ref);
    const welcomeImage = welcomeRef === null ? null : await attachedImage(ctx, welcomeRef, 'welcome_image');
    const { record, changed } = await ctx.service.update(ctx.requester, configId, {
      ...changes,
      ...(image !== undefined ? { closingImage: image } : {}),
      ...(welcomeImage !== undefined ? { welcomeImage } : {}),
    });
    if (changed.length === 0) {
      return infoReply(
        t('Nothing changed: every field has its current value.', '没有修改：所有字段均为当前值。'),
        ctx.locale,
        [],
        'info',
      );
    }
    const labels = new Map(form().map((f) => [f.id, say(f.label, ctx.locale)]));
    labels.set('welcomeImage', labels.get('welcome_image') ?? 'welcome_image');
    labels.set('closingImage', labels.get('image') ?? 'image');
    return {
      status: 'ok',
      title: t(`Updated ${configId}`, `已更新 ${configId}`)[ctx.locale],
      facts: [
        {
          label: say(t('Changed', '已修改'), ctx.locale),
          value: changed.map((id) => labels.get(id) ?? id).join(ctx.locale === 'zh' ? '、' : ', '),
        },
        ...recordFacts(record, ctx),
      ],
      actions: recordActions(configId, ctx.locale),
    };
  },
};

function check(configId: string, values: FormValues, cleared: Set<string>) {
  return checkForm(form(), values, updateContactWayRequestSchema, (typed) => {
    const {
      conclusions,
      skip_verify,
      welcome: _,
      image: _image,
      remove_images: _r,
      ...rest
    } = withoutCards(typed);
    return {
      config_id: configId,
      ...rest,
      ...(cleared.has('remark') ? { remark: '' } : {}),
      ...(skip_verify === undefined ? {} : { skip_verify: skip_verify === 'true' }),
      ...(conclusions ? { conclusions: { text: { content: conclusions } } } : {}),
    };
  });
}
