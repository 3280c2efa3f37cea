import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { parseDurationS } from './base/duration.js';
import { type Bilingual, t } from './base/i18n.js';
import { parseEncryptionKey } from './base/seal.js';
import { urlPassword } from './base/secrets.js';
import {
  commaList,
  httpUrl,
  localeSetting,
  optionalText,
  parseEnv,
  timeZoneSetting,
} from './base/settings.js';
import { human } from './base/validate.js';
import { type CreationLimit, parseCreationLimit } from './service/creation-limit.js';
import { type MiniprogramPresets, parseMiniprograms } from './service/miniprograms.js';
import { type PolicyConfig, policyFromEnv, readPolicyFile } from './service/policy.js';

/**
 * Every variable the core reads, parsed once at startup. Each adapter declares its own variables in its
 * `settings.ts`; `src/compose.ts` composes them. `.env.example` documents all of them, and no module reads
 * `process.env` itself.
 */
const list = commaList;

/** How contactway runs against WeCom: one corp's own app, a provider's 代开发 app, or a provider's third-party app. */
export const WECOM_MODES = ['self-built', 'customized', 'third-party'] as const;
export type WecomMode = (typeof WECOM_MODES)[number];

export const envSchema = z
  .object({
    WECOM_CORP_ID: optionalText,
    WECOM_CORP_SECRET: optionalText,
    WECOM_API_BASE: httpUrl.default('https://qyapi.weixin.qq.com'),
    WECOM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    WECOM_MAX_CALLS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(5_000),
    WECOM_CALLBACK_TOKEN: optionalText.pipe(
      z
        .string()
        .refine((v) => /^[A-Za-z0-9]{3,32}$/.test(v), {
          message: 'must be the Token from WeCom’s admin console (3–32 letters or digits)',
        })
        .optional(),
    ),
    WECOM_CALLBACK_AES_KEY: optionalText.pipe(
      z
        .string()
        .refine((v) => /^[A-Za-z0-9+/]{43}$/.test(v), {
          message: 'must be the 43-character EncodingAESKey from WeCom’s admin console',
        })
        .optional(),
    ),
    WECOM_MODE: z.enum(WECOM_MODES).default('self-built'),
    WECOM_SUITE_ID: optionalText.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/, {
          message:
            'must be the suite id from the provider console (ww…/wx… for a third-party app, dk… for a 代开发 template)',
        })
        .optional(),
    ),
    WECOM_SUITE_SECRET: optionalText,
    WECOM_SUITE_TOKEN: optionalText.pipe(
      z
        .string()
        .refine((v) => /^[A-Za-z0-9]{3,32}$/.test(v), {
          message: 'must be the Token of the 指令回调 URL in the provider console (3–32 letters or digits)',
        })
        .optional(),
    ),
    WECOM_SUITE_AES_KEY: optionalText.pipe(
      z
        .string()
        .refine((v) => /^[A-Za-z0-9+/]{43}$/.test(v), {
          message: 'must be the 43-character EncodingAESKey of the 指令回调 URL in the provider console',
        })
        .optional(),
    ),
    WECOM_PROVIDER_CORP_ID: optionalText.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be the provider’s own corp id (服务商 CorpID)' })
        .optional(),
    ),
    WECOM_PROVIDER_SECRET: optionalText,
    WECOM_AUTH_TYPE: optionalText.pipe(
      z
        .enum(['0', '1'], {
          message: 'must be 0 (正式授权, a released app) or 1 (测试授权, not yet released)',
        })
        .optional(),
    ),
    PUBLIC_URL: optionalText.pipe(httpUrl.optional()),
    STORE_ENCRYPTION_KEY: optionalText.pipe(
      z
        .string()
        .refine((v) => parseEncryptionKey(v) !== undefined, {
          message: 'must be 32 random bytes as 64 hex digits or base64, e.g. `openssl rand -base64 32`',
        })
        .optional(),
    ),
    CALLBACK_RETRY_MS: z.coerce.number().int().min(1000).max(3_600_000).default(15_000),
    STORE_URL: z
      .string()
      .default('sqlite://data/contactway.sqlite')
      .refine((v) => /^(sqlite|redis|rediss|postgres|postgresql|memory):/.test(v), {
        message: 'must start with sqlite://, redis://, rediss://, postgres:// or memory:',
      }),
    STORE_NAMESPACE: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, { message: 'must be 1–64 letters, digits or "-"' })
      .default('contactway'),
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    WORKERS: z
      .string()
      .default('1')
      .transform((v, ctx) => {
        const n = v.trim().toLowerCase() === 'auto' ? availableParallelism() : Number(v);
        if (Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS) return n;
        ctx.addIssue({
          code: 'custom',
          params: human(
            t(
              `must be a number of processes from 1 to ${MAX_WORKERS}, or auto (one per CPU)`,
              `须为 1 到 ${MAX_WORKERS} 之间的进程数，或 auto（每个 CPU 一个）`,
            ),
          ),
        });
        return z.NEVER;
      }),
    OPS_PORT: optionalText.pipe(z.coerce.number<string | undefined>().int().min(0).max(65_535).optional()),
    OPS_HOST: optionalText,
    METRICS_TOKEN: optionalText.pipe(
      z
        .string()
        .regex(/^[\x21-\x7e]{16,512}$/, { message: 'must be 16–512 visible ASCII characters (no spaces)' })
        .optional(),
    ),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
    DEFAULT_LOCALE: localeSetting('en'),
    DEFAULT_TIMEZONE: timeZoneSetting(),
    ADMINS: list,
    POLICY_FILE: optionalText,
    MINIPROGRAMS: optionalText.superRefine((v, ctx) => {
      const parsed = parseMiniprograms(v);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    }),
    CREATE_FOR: z.enum(['any', 'mapped']).optional(),
    LINK_CHECK: z.enum(['off', 'public', 'any']).optional(),
    USER_MAP: optionalText,
    RATE_LIMIT_CREATES: z
      .string()
      .default('30/1h')
      .refine((v) => parseCreationLimit(v, parseDurationS) !== undefined, {
        message: 'must look like 30/1h (at most 30 creations per requester per hour)',
      }),
    AUDIT_RETENTION: z
      .string()
      .default('90d')
      .refine((v) => parseDurationS(v) !== undefined, {
        message: 'must be a duration like 90d, 2160h or a number of seconds',
      }),
    DIRECTORY_REFRESH: z
      .string()
      .default('15m')
      .refine((v) => (parseDurationS(v) ?? 0) >= 60, {
        message: 'must be a duration of at least 1 minute, like 15m or 1h',
      }),
    STORE_SWEEP_INTERVAL: z
      .string()
      .default('10m')
      .refine((v) => (parseDurationS(v) ?? 0) >= 10, {
        message: 'must be a duration of at least 10 seconds, like 10m or 1h',
      }),
    SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
    SANDBOX_STATE_PATH: optionalText,
    QR_DIR: z.string().default('data/qr'),
    JOURNAL_PATH: z.string().default('data/pending-records.jsonl'),
    JOURNAL_RETRY_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  })
  .superRefine((env, ctx) => {
    if (env.WECOM_CORP_ID && !env.WECOM_CORP_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['WECOM_CORP_SECRET'],
        message: 'is required when WECOM_CORP_ID is set',
      });
    }
    if (env.WECOM_CORP_SECRET && !env.WECOM_CORP_ID) {
      ctx.addIssue({
        code: 'custom',
        path: ['WECOM_CORP_ID'],
        message: 'is required when WECOM_CORP_SECRET is set',
      });
    }
    checkMode(env, ctx);
    if (Boolean(env.WECOM_CALLBACK_TOKEN) !== Boolean(env.WECOM_CALLBACK_AES_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.WECOM_CALLBACK_TOKEN ? 'WECOM_CALLBACK_AES_KEY' : 'WECOM_CALLBACK_TOKEN'],
        message: 'is required when the other WECOM_CALLBACK_ variable is set',
      });
    }
    if (env.OPS_HOST && env.OPS_PORT === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['OPS_HOST'],
        message: 'is used only with OPS_PORT: set OPS_PORT too, or unset OPS_HOST',
      });
    }
    const refused = env.WORKERS > 1 ? workersRefusal(env) : undefined;
    if (refused) ctx.addIssue({ code: 'custom', path: ['WORKERS'], params: human(refused) });
    if (env.OPS_PORT !== undefined && env.OPS_PORT !== 0 && env.OPS_PORT === env.PORT) {
      ctx.addIssue({
        code: 'custom',
        path: ['OPS_PORT'],
        message: 'must differ from PORT (leave it unset to serve everything on PORT)',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** The provider's settings: all set (a real provider account) or none (the sandbox plays the platform). */
const SUITE_SETTINGS = [
  'WECOM_SUITE_ID',
  'WECOM_SUITE_SECRET',
  'WECOM_SUITE_TOKEN',
  'WECOM_SUITE_AES_KEY',
  'WECOM_PROVIDER_CORP_ID',
  'PUBLIC_URL',
] as const;
/** Used by provider modes only: set with self-built they would be silently ignored. */
const PROVIDER_ONLY = [...SUITE_SETTINGS, 'WECOM_PROVIDER_SECRET', 'WECOM_AUTH_TYPE'] as const;

/**
 * WECOM_MODE's combinations, each wrong one named by the variable to change. Self-built keeps today's rules and
 * refuses the provider's variables; a provider mode takes its corps from their installs, so WECOM_CORP_ID and
 * WECOM_CORP_SECRET are refused there, and the suite settings come all together or not at all.
 */
function checkMode(
  env: { WECOM_MODE: WecomMode } & Partial<
    Record<(typeof PROVIDER_ONLY)[number] | 'WECOM_CORP_ID' | 'WECOM_CORP_SECRET', string | undefined>
  >,
  ctx: z.RefinementCtx,
): void {
  if (env.WECOM_MODE === 'self-built') {
    for (const name of PROVIDER_ONLY) {
      if (env[name] === undefined || name === 'PUBLIC_URL') continue;
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message:
          'is used only with WECOM_MODE=third-party or WECOM_MODE=customized: set WECOM_MODE, or unset it',
      });
    }
    return;
  }
  for (const name of ['WECOM_CORP_ID', 'WECOM_CORP_SECRET'] as const) {
    if (env[name] === undefined) continue;
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message: `is used only with WECOM_MODE=self-built: with WECOM_MODE=${env.WECOM_MODE} each corp’s credentials come from its install; unset it`,
    });
  }
  const set = SUITE_SETTINGS.filter((name) => env[name] !== undefined);
  if (set.length === 0 || set.length === SUITE_SETTINGS.length) return;
  for (const name of SUITE_SETTINGS.filter((n) => env[n] === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message: `is required with WECOM_MODE=${env.WECOM_MODE} once ${set[0]} is set (all of ${SUITE_SETTINGS.join(', ')}, or none for the sandbox)`,
    });
  }
}

/** WORKERS' ceiling: a typo (WORKERS=200) must not fork a process per request. */
export const MAX_WORKERS = 64;

/**
 * Why more than one worker cannot run with this store or WeCom: a sqlite file (and the in-process locks that
 * go with it) or a memory: store is one process's, and each worker would run an embedded sandbox of its own.
 */
function workersRefusal(
  env: Pick<Env, 'STORE_URL' | 'WECOM_CORP_ID' | 'WECOM_MODE' | 'WECOM_SUITE_ID'>,
): Bilingual | undefined {
  const store = /^(sqlite|memory):/i.exec(env.STORE_URL)?.[1]?.toLowerCase();
  if (store)
    return t(
      `must be 1 with a ${store} STORE_URL: its ${store === 'sqlite' ? 'file' : 'memory'} and in-process locks cannot coordinate processes (use redis:// or postgres://)`,
      `使用 ${store} 的 STORE_URL 时须为 1：${store === 'sqlite' ? '其文件' : '其内存'}和进程内锁无法协调多个进程（请用 redis:// 或 postgres://）`,
    );
  const onSandbox = env.WECOM_MODE === 'self-built' ? !env.WECOM_CORP_ID : !env.WECOM_SUITE_ID;
  if (onSandbox)
    return t(
      'must be 1 on the embedded WeCom sandbox (WECOM_CORP_ID unset): each process would simulate a WeCom of its own',
      '在内置企业微信沙盒上（未设 WECOM_CORP_ID）须为 1：每个进程都会模拟各自的企业微信',
    );
  return undefined;
}

/** Where the ops endpoints listen when OPS_PORT is set and OPS_HOST is not: this host only. */
export const DEFAULT_OPS_HOST = '127.0.0.1';

/** The typed configuration the wiring uses. */
export interface Config extends Env {
  /** True when no WeCom credentials are set: the bot runs on the embedded sandbox. */
  sandbox: boolean;
  policy: PolicyConfig;
  /** POLICY_FILE's content ({} when unset): adapters read their access lists from it too. */
  policyFile: Record<string, unknown>;
  creationLimit: CreationLimit;
  /** Mini-program cards requesters pick by name (MINIPROGRAMS). */
  miniprograms: MiniprogramPresets;
  /** How long audit entries are kept (AUDIT_RETENTION); older ones are pruned on a schedule. */
  auditRetentionMs: number;
  /** How often the member directory is refreshed from WeCom (DIRECTORY_REFRESH). */
  directoryRefreshMs: number;
  /** How often expired keys are deleted from sqlite/PostgreSQL (STORE_SWEEP_INTERVAL). */
  storeSweepMs: number;
  /** Where the embedded sandbox keeps its state across restarts; undefined keeps it in memory. */
  sandboxStatePath: string | undefined;
}

/**
 * SANDBOX_STATE_PATH, or by default `sandbox.json` next to a sqlite store's file: the sandbox's ways must live
 * exactly as long as the records about them. A memory: store forgets at exit, so does the sandbox; Redis and
 * PostgreSQL are shared by instances that each run their own sandbox, so no default file fits them.
 */
export function sandboxStatePath(env: Pick<Env, 'SANDBOX_STATE_PATH' | 'STORE_URL'>): string | undefined {
  if (env.SANDBOX_STATE_PATH) return env.SANDBOX_STATE_PATH === 'off' ? undefined : env.SANDBOX_STATE_PATH;
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/i.exec(env.STORE_URL)?.[1];
  if (!sqlite || sqlite === ':memory:') return undefined;
  return join(dirname(sqlite), 'sandbox.json');
}

/**
 * Parses the environment. Throws a ConfigError whose message is one line naming each bad variable and what
 * is wrong with it; values are never echoed, since some are secrets.
 */
export interface LoadOptions {
  /** The chat platforms this build knows (adapters/index.ts lists them): USER_MAP may name only these. */
  platforms?: readonly string[];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  const data = parseEnv(envSchema, env);
  const policyFile = readPolicyFile(data.POLICY_FILE);
  return {
    ...data,
    OPS_HOST: data.OPS_HOST ?? (data.OPS_PORT === undefined ? undefined : DEFAULT_OPS_HOST),
    sandbox: !data.WECOM_CORP_ID && !data.WECOM_SUITE_ID,
    policyFile,
    policy: policyFromEnv(data, policyFile, options.platforms),
    creationLimit: parseCreationLimit(data.RATE_LIMIT_CREATES, parseDurationS)!,
    miniprograms: parseMiniprograms(data.MINIPROGRAMS) as MiniprogramPresets,
    auditRetentionMs: parseDurationS(data.AUDIT_RETENTION)! * 1000,
    directoryRefreshMs: parseDurationS(data.DIRECTORY_REFRESH)! * 1000,
    storeSweepMs: parseDurationS(data.STORE_SWEEP_INTERVAL)! * 1000,
    sandboxStatePath: sandboxStatePath(data),
  };
}

export { loadDotEnv } from './base/settings.js';

/** The core's credentials, for the secrets registry (each adapter lists its own next to its settings). */
export function configSecrets(config: Env): string[] {
  return [
    config.WECOM_CORP_SECRET,
    config.WECOM_SUITE_SECRET,
    config.WECOM_SUITE_TOKEN,
    config.WECOM_SUITE_AES_KEY,
    config.WECOM_PROVIDER_SECRET,
    config.STORE_ENCRYPTION_KEY,
    config.WECOM_CALLBACK_TOKEN,
    config.WECOM_CALLBACK_AES_KEY,
    ...urlPassword(config.STORE_URL),
  ].filter((v): v is string => !!v);
}
