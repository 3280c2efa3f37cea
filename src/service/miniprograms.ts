/**
 * Mini-program cards an admin configures (MINIPROGRAMS): requesters pick one by name, since nobody in a chat
 * knows an appid, and WeCom takes only mini-programs associated with the corp (90206–90208 otherwise).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type FieldIssue, ValidationError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import { human } from '../base/validate.js';
import { type CheckedImage, checkImage, type ImageMedia, imageHash } from '../media/index.js';
import type { MiniprogramContent } from '../store/message-content.js';
import { type MiniprogramBody, miniprogramBodySchema } from '../wecom/attachment-schemas.js';

/** A preset's name: what requesters type or pick; short and plain so it fits a select and a slash option. */
export const presetNameSchema = z.string().refine((s) => /^[\p{L}\p{N}_.-]{1,32}$/u.test(s), {
  params: human(
    t(
      'must be a preset name: 1–32 letters, digits, "-", "_" or "."',
      '须为预设名称：1–32 位字母、数字、"-"、"_" 或 "."',
    ),
  ),
});

/**
 * A preset: WeCom's miniprogram body, its cover either a media_id (which WeCom expires after 3 days) or a local
 * JPG/PNG (`pic_path`), read and checked at startup, kept and uploaded by src/media, refreshed like a welcome
 * image and sent with a fresh media_id.
 */
export type MiniprogramPreset = Omit<MiniprogramBody, 'pic_media_id'> &
  ({ pic_media_id: string; cover?: undefined } | { pic_media_id?: undefined; cover: CheckedImage });

/** Preset name → the preset. */
export type MiniprogramPresets = ReadonlyMap<string, MiniprogramPreset>;

const presetSchema = miniprogramBodySchema
  .extend({
    pic_media_id: miniprogramBodySchema.shape.pic_media_id.optional(),
    pic_path: z.string().min(1).max(4096).optional(),
  })
  .refine((p) => (p.pic_media_id === undefined) !== (p.pic_path === undefined), {
    params: human(
      t('needs exactly one of pic_path or pic_media_id', '须且只能填写 pic_path 或 pic_media_id 之一'),
    ),
  });

const presetsSchema = z.record(presetNameSchema, presetSchema).refine((r) => Object.keys(r).length <= 25, {
  params: human(t('at most 25 presets (a select holds 25)', '最多 25 个预设（下拉框最多 25 项）')),
});

/**
 * Reads MINIPROGRAMS: a JSON object, name → `{appid, page, title, pic_path | pic_media_id}`, e.g.
 * `{"booking":{"appid":"wx8bd80126147dfAAA","page":"pages/book/index","title":"预约挂号","pic_path":"covers/booking.png"}}`.
 * A pic_path is read and checked now (JPG/PNG, ≤ 10 MB): a missing or wrong file stops the start, naming the
 * preset. Returns the problem as text (for the config error naming the variable) instead of throwing.
 */
export function parseMiniprograms(text: string | undefined): MiniprogramPresets | string {
  if (!text) return new Map();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'must be a JSON object: {"name":{"appid":"wx…","page":"…","title":"…","pic_media_id":"…"}}';
  }
  const result = presetsSchema.safeParse(json);
  if (result.success) {
    const presets = new Map<string, MiniprogramPreset>();
    for (const [name, { pic_path, pic_media_id, ...body }] of Object.entries(result.data)) {
      if (pic_media_id !== undefined) {
        presets.set(name, { ...body, pic_media_id });
        continue;
      }
      const cover = readCover(pic_path ?? '');
      if (typeof cover === 'string') return `${name}.pic_path ${cover}`;
      presets.set(name, { ...body, cover });
    }
    return presets;
  }
  const issue = result.error.issues[0];
  // A bad name is reported by zod as "Invalid key in record": say what a name must be.
  const why =
    issue?.code === 'invalid_key'
      ? 'must be a preset name: 1–32 letters, digits, "-", "_" or "."'
      : ((issue as { params?: { human?: { en: string } } } | undefined)?.params?.human?.en ??
        issue?.message ??
        '');
  return `${issue?.path.map(String).join('.') || 'value'} ${why}`.trim();
}

/** A cover image file, checked as an attached image is; the problem as text. */
function readCover(path: string): CheckedImage | string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return `cannot be read (${code}): ${path}`;
  }
  try {
    return checkImage(bytes, 'pic_path', path);
  } catch (error) {
    const issue = error instanceof ValidationError ? error.issues[0] : undefined;
    return `${issue?.message.en ?? 'is not a JPG or PNG image'}: ${path}`;
  }
}

/** The presets by name, as a requester's form field `field` named them; a ValidationError naming each unknown one. */
export function resolveMiniprograms(
  presets: MiniprogramPresets,
  names: readonly string[],
  field: string,
): MiniprogramContent[] {
  const unknown = names.filter((name) => !presets.has(name));
  if (unknown.length > 0) throw new ValidationError([unknownPreset(presets, unknown, field)]);
  return names.map((name) => {
    const { cover, pic_media_id, ...body } = presets.get(name)!;
    // A file's cover is named by its hash: its media_id is asked of src/media each time the card is sent.
    const pic = cover ? { pic_image: imageHash(cover.bytes) } : { pic_media_id: pic_media_id ?? '' };
    return { kind: 'miniprogram', name, ...body, ...pic };
  });
}

function unknownPreset(presets: MiniprogramPresets, unknown: string[], field: string): FieldIssue {
  const names = [...presets.keys()];
  const which = unknown.join(', ');
  if (names.length === 0) {
    return {
      field,
      message: t(
        `no mini-program is configured (an admin sets MINIPROGRAMS); "${which}" is unknown`,
        `尚未配置小程序（由管理员设置 MINIPROGRAMS）；“${which}” 不存在`,
      ),
    };
  }
  return {
    field,
    message: t(
      `unknown mini-program "${which}"; configured: ${names.join(', ')}`,
      `未知的小程序“${which}”；可选：${names.join('、')}`,
    ),
  };
}

/**
 * Keeps the presets' cover files with src/media at startup, as welcome images: the refresh loop (started with
 * the housekeeping, once at start) uploads them, per corp in a provider mode where a media_id belongs to the
 * corp that uploaded it; a closing message uploads on demand. Nothing is uploaded here, outside any corp.
 */
export async function keepPresetCovers(presets: MiniprogramPresets, images: ImageMedia): Promise<void> {
  for (const [, { cover }] of presets) {
    if (cover) await images.keep(cover, { welcome: true });
  }
}
