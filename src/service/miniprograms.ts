/**
 * Mini-program cards an admin configures (MINIPROGRAMS): requesters pick one by name, since nobody in a chat
 * knows an appid, and WeCom takes only mini-programs associated with the corp (90206–90208 otherwise).
 */
import { z } from 'zod';
import { type FieldIssue, ValidationError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import { human } from '../base/validate.js';
import type { MiniprogramContent } from '../store/message-content.js';
import { miniprogramBodySchema } from '../wecom/attachment-schemas.js';

/** A preset's name: what requesters type or pick; short and plain so it fits a select and a slash option. */
export const presetNameSchema = z.string().refine((s) => /^[\p{L}\p{N}_.-]{1,32}$/u.test(s), {
  params: human(
    t(
      'must be a preset name: 1–32 letters, digits, "-", "_" or "."',
      '须为预设名称：1–32 位字母、数字、"-"、"_" 或 "."',
    ),
  ),
});

/** Preset name → WeCom's miniprogram body. */
export type MiniprogramPresets = ReadonlyMap<string, z.infer<typeof miniprogramBodySchema>>;

const presetsSchema = z
  .record(presetNameSchema, miniprogramBodySchema)
  .refine((r) => Object.keys(r).length <= 25, {
    params: human(t('at most 25 presets (a select holds 25)', '最多 25 个预设（下拉框最多 25 项）')),
  });

/**
 * Reads MINIPROGRAMS: a JSON object, name → `{appid, page, title, pic_media_id}`, e.g.
 * `{"booking":{"appid":"wx8bd80126147dfAAA","page":"pages/book/index","title":"预约挂号","pic_media_id":"…"}}`.
 * Returns the problem as text (for the config error naming the variable) instead of throwing.
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
  if (result.success) return new Map(Object.entries(result.data));
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

/** The presets by name, as a requester's form field `field` named them; a ValidationError naming each unknown one. */
export function resolveMiniprograms(
  presets: MiniprogramPresets,
  names: readonly string[],
  field: string,
): MiniprogramContent[] {
  const unknown = names.filter((name) => !presets.has(name));
  if (unknown.length > 0) throw new ValidationError([unknownPreset(presets, unknown, field)]);
  return names.map((name) => ({ kind: 'miniprogram', name, ...presets.get(name)! }));
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
