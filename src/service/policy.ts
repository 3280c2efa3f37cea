import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, ForbiddenError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import { toFieldIssues } from '../base/validate.js';
import { type Requester, requesterKey } from '../store/index.js';
import { userIdSchema } from '../wecom/schemas.js';

/**
 * A chat identity as USER_MAP, POLICY_FILE and ADMINS write it: `platform:workspace:user`, exactly three
 * non-empty parts (a part holding `:` is written URI-encoded, as requesterKey encodes it).
 */
const CHAT_IDENTITY = /^[a-z][a-z0-9-]{0,31}:[^\s:=,]+:[^\s:=,]+$/;
const chatIdentitySchema = z.string().regex(CHAT_IDENTITY, {
  message: 'must be a chat identity platform:workspace:user',
});

/**
 * Who may do what, platform-neutral. Read from the environment, or from the JSON file POLICY_FILE names (same
 * keys, lists as arrays). Who may reach the bot at all is each platform's own rule (`AccessRule`, built by its
 * adapter from its ACCESS_* settings): a fresh install allows every user of the workspaces and guilds the
 * bot is installed in, lets them create for any member, and has no admins.
 */
export const policySchema = z.object({
  /** Requester keys (`platform:workspace:user`) who see and manage every record and read the audit trail. */
  admins: z.array(z.string()).default([]),
  /** `any`: a requester may create for any member; `mapped`: only for the WeCom userid mapped to them. */
  createFor: z.enum(['any', 'mapped']).default('any'),
  /** Chat identity (`platform:workspace:user`) → WeCom userid; lets `temp` omit the userid. */
  userMap: z.record(chatIdentitySchema, userIdSchema).default({}),
});
export type PolicyConfig = z.infer<typeof policySchema>;

/**
 * Who is asking, platform-neutral: the requester plus what the platform says about them for the access
 * policy (Discord roles, Slack user groups). `roles` undefined means "not known without a slow lookup".
 */
export interface ChatActor extends Requester {
  roles?: string[] | undefined;
}

/** One platform's rule of who may use the bot there; its adapter builds it from its own settings. */
export interface AccessRule {
  platform: string;
  allows(actor: ChatActor): boolean;
}

/** Who is asking, with what their platform tells us about them (roles, groups) for its access rule. */
export type Actor = ChatActor;

export interface Policy {
  /** Throws ForbiddenError when the actor may not use the bot at all. */
  checkAccess(actor: Actor): void;
  isAdmin(requester: Requester): boolean;
  /** The admins' requester keys, as ADMINS lists them (whom a link request is sent to). */
  adminKeys(): readonly string[];
  /** The WeCom userid mapped to this chat identity, if any: a stored link (`link`) first, else USER_MAP. */
  mappedUser(requester: Requester): string | undefined;
  /**
   * Throws ForbiddenError when the requester may not give a contact way these members and departments, on
   * creation or on any later change of members. With `mapped`, departments are refused outright: a department
   * is everyone in it, which a requester limited to herself may never reach.
   */
  checkCreateFor(requester: Requester, userids: readonly string[], departments?: readonly number[]): void;
  /** The members this requester may create for: undefined for any (CREATE_FOR=any, admins), else the list. */
  memberScope(requester: Requester): readonly string[] | undefined;
}

/**
 * `links`: the stored links (src/store/links.ts), read synchronously from memory. A stored link wins over
 * USER_MAP, which is only the seed: an admin corrects a mapping with `link` instead of a restart.
 */
export function createPolicy(
  config: Partial<PolicyConfig> = {},
  rules: readonly AccessRule[] = [],
  links: (requester: string) => string | undefined = () => undefined,
): Policy {
  const p = policySchema.parse(config);
  const ruleOf = new Map(rules.map((r) => [r.platform, r]));
  const admins = new Set(p.admins);
  const isAdmin = (r: Requester) => admins.has(requesterKey(r));
  const mappedUser = (r: Requester) => {
    const key = requesterKey(r);
    return links(key) ?? p.userMap[key];
  };
  const denied = () =>
    new ForbiddenError(
      t(
        'You are not allowed to use contactway here. Ask an admin to add you.',
        '你无权在此使用 contactway，请联系管理员开通。',
      ),
    );

  return {
    isAdmin,
    adminKeys: () => [...admins],
    mappedUser,

    memberScope(r) {
      if (p.createFor === 'any' || isAdmin(r)) return undefined;
      const mine = mappedUser(r);
      return mine ? [mine] : [];
    },

    checkAccess(actor) {
      if (isAdmin(actor)) return;
      const rule = ruleOf.get(actor.platform);
      if (rule && !rule.allows(actor)) throw denied();
    },

    checkCreateFor(requester, userids, departments = []) {
      if (p.createFor === 'any' || isAdmin(requester)) return;
      const mine = mappedUser(requester);
      if (departments.length > 0) {
        throw new ForbiddenError(
          t(
            'Departments (party) are not allowed: you can only create contact ways for yourself. Leave Departments empty.',
            '不允许填写部门（party）：你只能为自己创建「联系我」，请将「部门」留空。',
          ),
        );
      }
      const others = userids.filter((u) => u !== mine);
      if (others.length > 0) {
        throw new ForbiddenError(
          mine
            ? t(
                `You can only create contact ways for yourself (${mine}).`,
                `你只能为自己（${mine}）创建「联系我」。`,
              )
            : t(
                'You can only create contact ways for your own WeCom account, and none is linked to you yet: run `link <your WeCom userid>` to ask an admin to link you.',
                '你只能为自己的企业微信账号创建「联系我」，但尚未为你绑定账号：请发送 `link <你的企业微信 userid>`，请管理员为你绑定。',
              ),
        );
      }
    },
  };
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Parses USER_MAP (`slack:T0123:U0456=zhangsan,discord:G1:42=lisi`) strictly: every entry must be a chat
 * identity, `=`, and a valid WeCom userid, and no identity may appear twice. A lenient parse would turn a typo
 * into a silently wrong mapping (`slack:T1:U1` without `=` once mapped `slack:T1` to `U1`), and under
 * CREATE_FOR=mapped a mapping is an authorization.
 *
 * @throws ConfigError naming USER_MAP and each bad entry by position (values are not echoed).
 */
export function parseUserMap(
  text: string | undefined,
  platforms?: readonly string[],
): Record<string, string> {
  const known = (identity: string) =>
    CHAT_IDENTITY.test(identity) && (!platforms || platforms.includes(identity.split(':')[0] ?? ''));
  const map: Record<string, string> = {};
  const seenAt = new Map<string, number>();
  const problems: Array<{ en: string; zh: string }> = [];
  list(text).forEach((entry, i) => {
    const n = i + 1;
    const eq = entry.indexOf('=');
    if (eq < 0) {
      problems.push({
        en: `entry ${n} has no "=" (write platform:workspace:user=userid)`,
        zh: `第 ${n} 项缺少 "="（格式为 平台:工作区:用户=userid）`,
      });
      return;
    }
    const identity = entry.slice(0, eq).trim();
    const userid = entry.slice(eq + 1).trim();
    if (!known(identity)) {
      const names = platforms ? ` (${platforms.join(', ')})` : '';
      problems.push({
        en: `entry ${n}: the chat identity must be platform:workspace:user${names}`,
        zh: `第 ${n} 项：聊天身份须为 平台:工作区:用户${names}`,
      });
    } else if (!userIdSchema.safeParse(userid).success) {
      problems.push({
        en: `entry ${n}: the WeCom userid must be 1–64 letters, digits, "-", "_", "." or "@"`,
        zh: `第 ${n} 项：企业微信 userid 须为 1–64 位字母、数字、"-"、"_"、"." 或 "@"`,
      });
    } else if (seenAt.has(identity)) {
      problems.push({
        en: `entry ${n} maps the same chat identity as entry ${seenAt.get(identity)}`,
        zh: `第 ${n} 项与第 ${seenAt.get(identity)} 项的聊天身份重复`,
      });
    } else {
      seenAt.set(identity, n);
      map[identity] = userid;
    }
  });
  if (problems.length > 0) {
    throw new ConfigError(
      t(
        `USER_MAP is invalid: ${problems.map((p) => p.en).join('; ')}`,
        `USER_MAP 有误：${problems.map((p) => p.zh).join('；')}`,
      ),
    );
  }
  return map;
}

/** The environment variables the core's policy reads (see `.env.example`). */
export interface PolicyEnv {
  ADMINS?: string[] | undefined;
  CREATE_FOR?: string | undefined;
  USER_MAP?: string | undefined;
}

/**
 * POLICY_FILE's content as an object ({} when unset): the core reads its neutral keys, each adapter its own
 * (its access lists). Unknown keys are left to whoever reads them.
 */
export function readPolicyFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      t(`POLICY_FILE cannot be read as JSON (${path})`, `POLICY_FILE 无法作为 JSON 读取（${path}）`),
      // JSON.parse quotes the start of the file in its message: if POLICY_FILE names .env or a token file
      // by mistake, that would put a secret in the logs. A read error (ENOENT, EACCES) is safe to keep.
      { cause: error instanceof SyntaxError ? undefined : error },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(t('POLICY_FILE must hold a JSON object', 'POLICY_FILE 须为 JSON 对象'));
  }
  return parsed as Record<string, unknown>;
}

/** Builds the policy config from the environment; the POLICY_FILE's keys, when present, win key by key. */
export function policyFromEnv(
  env: PolicyEnv,
  file: Record<string, unknown> = {},
  platforms?: readonly string[],
): PolicyConfig {
  const fromEnv = {
    admins: env.ADMINS ?? [],
    createFor: env.CREATE_FOR || undefined,
    userMap: parseUserMap(env.USER_MAP, platforms),
  };
  const neutral = Object.fromEntries(Object.entries(file).filter(([key]) => key in policySchema.shape));
  const result = policySchema.safeParse({ ...fromEnv, ...neutral });
  if (!result.success) {
    const line = toFieldIssues(result.error)
      .map((i) => `${i.field} ${i.message.en}`)
      .join('; ');
    throw new ConfigError(
      t(`Invalid policy (POLICY_FILE, ADMINS, CREATE_FOR, USER_MAP): ${line}`, `权限策略配置有误：${line}`),
    );
  }
  return result.data;
}
