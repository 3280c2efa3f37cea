import { dirname, join } from 'node:path';
import { z } from 'zod';
import { parseDurationS } from './base/duration.js';
import { urlPassword } from './base/secrets.js';
import {
  commaList,
  httpUrl,
  localeSetting,
  optionalText,
  parseEnv,
  timeZoneSetting,
} from './base/settings.js';
import { type CreationLimit, parseCreationLimit } from './service/creation-limit.js';
import { type MiniprogramPresets, parseMiniprograms } from './service/miniprograms.js';
import { type PolicyConfig, policyFromEnv, readPolicyFile } from './service/policy.js';

/**
 * Every variable the core reads, parsed once at startup. Each adapter declares its own variables in its
 * `settings.ts`; `src/compose.ts` composes them. `.env.example` documents all of them, and no module reads
 * `process.env` itself.
 */
const list = commaList;

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
    if (env.OPS_PORT !== undefined && env.OPS_PORT !== 0 && env.OPS_PORT === env.PORT) {
      ctx.addIssue({
        code: 'custom',
        path: ['OPS_PORT'],
        message: 'must differ from PORT (leave it unset to serve everything on PORT)',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

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
    sandbox: !data.WECOM_CORP_ID,
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
    config.WECOM_CALLBACK_TOKEN,
    config.WECOM_CALLBACK_AES_KEY,
    ...urlPassword(config.STORE_URL),
  ].filter((v): v is string => !!v);
}
