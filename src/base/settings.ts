import { existsSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { LOCALE_TAGS, type Locale, parseLocale, t } from './i18n.js';
import { isTimeZone, machineTimeZone } from './time.js';
import { human, toFieldIssues } from './validate.js';

/**
 * The building blocks of every environment fragment: the core's (`src/config.ts`) and each adapter's own
 * (its `settings.ts`), all composed by `src/compose.ts`. One parser, so a bad variable is reported the same way
 * wherever it is declared: one line naming each bad variable, never its value (some are secrets).
 */
export const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** A comma-separated list (`a, b,c`); empty when unset. */
export const commaList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const httpUrl = z.url({ protocol: /^https?$/ });

/**
 * Parses `env` with a fragment's schema; throws a ConfigError naming every bad variable. An empty or
 * whitespace-only value is unset, for every variable, before any schema sees it: `cp .env.example .env`
 * leaves most variables as `NAME=`, and `PORT=` must mean the default port, not 0.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(withoutBlanks(env), { reportInput: true });
  if (result.success) return result.data;
  const issues = toFieldIssues(result.error);
  const line = issues.map((i) => `${i.field} ${i.message.en}`).join('; ');
  const zh = issues.map((i) => `${i.field} ${i.message.zh}`).join('；');
  throw new ConfigError(t(`Invalid configuration: ${line}`, `配置有误：${zh}`), { cause: undefined });
}

function withoutBlanks(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value?.trim()));
}

/** A language setting: any tag parseLocale reads (`en`, `zh-CN`, `zh_Hans`…), as our Locale. */
export function localeSetting(fallback: Locale) {
  return z
    .string()
    .default(fallback)
    .transform((tag, ctx) => {
      const locale = parseLocale(tag);
      if (locale) return locale;
      const text = t(`must be ${LOCALE_TAGS.en}`, `须为${LOCALE_TAGS.zh}`);
      ctx.addIssue({ code: 'custom', message: text.en, params: human(text) });
      return z.NEVER;
    });
}

/** A time zone setting: an IANA name this runtime knows (`Asia/Shanghai`, `UTC`); default the machine's zone. */
export function timeZoneSetting() {
  return z
    .string()
    .trim()
    .optional()
    .transform((name, ctx) => {
      if (name === undefined) return machineTimeZone();
      if (isTimeZone(name)) return name;
      const text = t(
        'must be an IANA time zone name like Asia/Shanghai, America/New_York or UTC',
        '须为 IANA 时区名，如 Asia/Shanghai、America/New_York 或 UTC',
      );
      ctx.addIssue({ code: 'custom', message: text.en, params: human(text) });
      return z.NEVER;
    });
}

/**
 * A list setting of the access policy: the POLICY_FILE's key when the file has it (the file wins key by
 * key), else the environment's comma list. Throws a ConfigError naming the key when the file's value is
 * not a list of strings.
 */
export function policyList(file: Record<string, unknown>, key: string, fromEnv: string[]): string[] {
  if (!(key in file)) return fromEnv;
  const parsed = z.array(z.string()).safeParse(file[key]);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    t(
      `Invalid policy (POLICY_FILE): ${key} must be a list of strings`,
      `权限策略配置有误：${key} 须为字符串列表`,
    ),
  );
}

/** Reads `.env` into `process.env` when the file exists; variables already set win. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
