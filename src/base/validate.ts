import { z } from 'zod';
import { type FieldIssue, ValidationError } from './errors.js';
import { type Bilingual, t } from './i18n.js';

/**
 * The one way we check data at an edge (env, form submissions, WeCom requests and responses):
 * `safeParse`, then a ValidationError naming each field and its limit in English and Chinese.
 * `fieldOf` maps a zod path to the id the user knows (a form field id); by default the dotted path.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  fieldOf: (path: PropertyKey[]) => string = dotted,
): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  // The ZodError is not kept as the cause: it holds the input, and logs must not carry what users typed.
  throw new ValidationError(toFieldIssues(result.error, fieldOf));
}

/** Converts zod issues into bilingual field issues, one per field (the first problem found wins). */
export function toFieldIssues(
  error: z.ZodError,
  fieldOf: (path: PropertyKey[]) => string = dotted,
): FieldIssue[] {
  const byField = new Map<string, FieldIssue>();
  for (const issue of error.issues) {
    const field = fieldOf(issue.path) || 'input';
    if (!byField.has(field)) byField.set(field, { field, message: describe(issue) });
  }
  return [...byField.values()];
}

export function dotted(path: PropertyKey[]): string {
  return path.map(String).join('.');
}

/** A refinement message: attach with `{ params: human(t('…', '…')) }` so `describe` can find it. */
export function human(text: Bilingual): { human: Bilingual } {
  return { human: text };
}

/** A string of at most `max` characters as WeCom counts them (code points: 一 is one character). */
export function maxChars(max: number) {
  return z.string().refine((s) => [...s].length <= max, {
    params: human(t(`must be at most ${max} characters`, `不能超过 ${max} 个字符`)),
  });
}

/** A string of at most `max` UTF-8 bytes (WeCom's limit for closing messages; a Chinese character is 3 bytes). */
export function maxBytes(max: number) {
  return z.string().refine((s) => Buffer.byteLength(s, 'utf8') <= max, {
    params: human(
      t(
        `must be at most ${max} bytes in UTF-8 (a Chinese character is 3 bytes)`,
        `UTF-8 编码不能超过 ${max} 字节（一个汉字占 3 字节）`,
      ),
    ),
  });
}

/**
 * Characters a terminal, a log viewer or a text renderer acts on instead of showing: C0 controls (NUL, BEL,
 * ESC, CR…), DEL, C1 controls (0x9B is a one-byte CSI), the Unicode line and paragraph separators, and the
 * bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make text read differently
 * than it is stored. `\n` is one of them here; multi-line fields allow it separately.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Half of a UTF-16 pair without its other half: no character at all, and WeCom's UTF-8 cannot carry it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function hasControl(text: string, allowNewline: boolean): boolean {
  for (const match of text.matchAll(CONTROL_CHARACTERS))
    if (!(allowNewline && match[0] === '\n')) return true;
  return false;
}

const BROKEN = {
  params: human(
    t(
      'must not hold a broken character (half of a UTF-16 pair); type it again',
      '包含损坏的字符（不完整的 UTF-16 代理对），请重新输入',
    ),
  ),
};

/** Refuses control characters and line breaks: for one-line text (remark, state, titles, ids we pass on). */
export function oneLine(schema: z.ZodString = z.string()): z.ZodString {
  return schema
    .refine((s) => !LONE_SURROGATE.test(s), BROKEN)
    .refine((s) => !hasControl(s, false), {
      params: human(
        t(
          'must not contain control characters or line breaks (such as ESC, NUL or bidi overrides)',
          '不能包含控制字符或换行（如 ESC、NUL、双向文本控制符）',
        ),
      ),
    });
}

/** Refuses control characters but keeps line breaks (`\n` only): for multi-line text such as a closing message. */
export function multiLine(schema: z.ZodString = z.string()): z.ZodString {
  return schema
    .refine((s) => !LONE_SURROGATE.test(s), BROKEN)
    .refine((s) => !hasControl(s, true), {
      params: human(
        t(
          'must not contain control characters (such as ESC, NUL or bidi overrides); line breaks are fine',
          '不能包含控制字符（如 ESC、NUL、双向文本控制符）；可以换行',
        ),
      ),
    });
}

function describe(issue: z.core.$ZodIssue): Bilingual {
  const params = (issue as { params?: { human?: Bilingual } }).params;
  if (params?.human) return params.human;
  if ('input' in issue && issue.input === undefined && issue.code !== 'custom')
    return t('is required', '必填');
  switch (issue.code) {
    case 'invalid_type':
      return t(`must be ${article(issue.expected)}`, `类型应为 ${issue.expected}`);
    case 'too_big':
      return issue.inclusive === false && !isCollection(issue.origin)
        ? t(`must be less than ${issue.maximum}`, `必须小于 ${issue.maximum}`)
        : tooBig(issue.origin, issue.maximum);
    case 'too_small':
      // `.positive()` is "> 0": saying "at least 0" would refuse 0 while naming 0 as allowed.
      return issue.inclusive === false && !isCollection(issue.origin)
        ? t(`must be greater than ${issue.minimum}`, `必须大于 ${issue.minimum}`)
        : tooSmall(issue.origin, issue.minimum);
    case 'invalid_format':
      return t(`has an invalid format (${issue.format})`, `格式不正确（${issue.format}）`);
    case 'invalid_value':
      return t(
        `must be one of ${issue.values.map(String).join(', ')}`,
        `只能是 ${issue.values.map(String).join('、')} 之一`,
      );
    case 'unrecognized_keys':
      return t(`has unknown fields: ${issue.keys.join(', ')}`, `包含未知字段：${issue.keys.join('、')}`);
    case 'not_multiple_of':
      return t('must be a whole number', '必须是整数');
    default:
      return t(issue.message, issue.message);
  }
}

function isCollection(origin: string): boolean {
  return origin === 'array' || origin === 'set' || origin === 'string';
}

function tooBig(origin: string, maximum: number | bigint): Bilingual {
  if (origin === 'array' || origin === 'set')
    return t(`must have at most ${maximum} items`, `最多 ${maximum} 项`);
  if (origin === 'string') return t(`must be at most ${maximum} characters`, `不能超过 ${maximum} 个字符`);
  return t(`must be at most ${maximum}`, `不能大于 ${maximum}`);
}

function tooSmall(origin: string, minimum: number | bigint): Bilingual {
  if (origin === 'array' || origin === 'set') {
    return minimum === 1
      ? t('must not be empty', '不能为空')
      : t(`must have at least ${minimum} items`, `至少 ${minimum} 项`);
  }
  if (origin === 'string')
    return minimum === 1
      ? t('must not be empty', '不能为空')
      : t(`must be at least ${minimum} characters`, `至少 ${minimum} 个字符`);
  return t(`must be at least ${minimum}`, `不能小于 ${minimum}`);
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** Drops undefined values: WeCom must only see fields someone set (never a silent skip_verify:false). */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
