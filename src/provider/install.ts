import { createHash } from 'node:crypto';
import type { Keyv } from 'keyv';
import { z } from 'zod';
import { WecomError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { storeCall } from '../base/store-call.js';
import { AUTH_CODE_PREFIX } from '../store/keys.js';
import { createSetIfAbsent } from '../store/set-if-absent.js';
import type { WecomCaller } from '../wecom/caller.js';
import { httpStatusOf } from '../wecom/failures.js';
import { tokenEnvelope } from '../wecom/schemas.js';
import type { AuthInfo, Tenant, TenantStore } from './tenant-store.js';

/** An auth_code lives 10 minutes and is single use (doc §1.4): the claim lasts as long. */
const AUTH_CODE_LIFE_MS = 10 * 60_000;

/** get_auth_info's agent (and v1 get_permanent_code's): its id and visible range (doc §1.6). */
const agentSchema = z.looseObject({
  agentid: z.number().int(),
  privilege: z
    .looseObject({
      allow_party: z.array(z.number().int()).optional(),
      allow_user: z.array(z.string()).optional(),
      allow_tag: z.array(z.number().int()).optional(),
    })
    .optional(),
});
const authInfoPart = z.looseObject({ agent: z.array(agentSchema).optional() }).optional();

/** v1 and v2 answers alike: v2 has only corpid and corp_name in auth_corp_info and no auth_info (doc §1.5). */
const permanentCodeSchema = z.looseObject({
  permanent_code: z.string().min(1).max(512),
  auth_corp_info: z.looseObject({
    corpid: z.string().min(1).max(128),
    corp_name: z.string().max(256).optional(),
  }),
  auth_info: authInfoPart,
  state: z.string().max(128).optional(),
});

const authInfoSchema = z.looseObject({
  auth_corp_info: z.looseObject({ corp_name: z.string().max(256).optional() }).optional(),
  auth_info: authInfoPart,
});

/** The agent and its visible range as the tenant keeps them; nothing when WeCom names no agent. */
function agentInfo(info: z.infer<typeof authInfoPart>): AuthInfo {
  const agent = info?.agent?.[0];
  if (!agent) return {};
  const p = agent.privilege;
  return {
    agentId: agent.agentid,
    ...(p
      ? {
          privilege: {
            allowParty: p.allow_party ?? [],
            allowUser: p.allow_user ?? [],
            allowTag: p.allow_tag ?? [],
          },
        }
      : {}),
  };
}

export type Exchanged =
  /** This call exchanged the code and stored the corp. */
  | { outcome: 'installed'; tenant: Tenant }
  /** Another delivery (a repeated push, the redirect, another instance) exchanged it, or is doing so. */
  | { outcome: 'already' };

export interface Installer {
  /** Exchanges an auth_code for the corp's permanent code once across instances and stores the corp. */
  exchange(authCode: string): Promise<Exchanged>;
  /**
   * The corp an auth_code installed, once its exchange (here or on another instance) is done; undefined while
   * it runs or when it never ran. What a delivery that lost the race (`already`) binds with.
   */
  exchanged(authCode: string): Promise<string | undefined>;
  /**
   * change_auth: re-reads get_auth_info (the agent, its visible range, the corp's name) into the tenant.
   * Resolves with the refreshed tenant; undefined for a corp not installed or no longer authorizing.
   */
  refresh(authCorpId: string): Promise<Tenant | undefined>;
}

const claimSchema = z.object({ authCorpId: z.string().min(1) });

function claimKey(authCode: string): string {
  return `${AUTH_CODE_PREFIX}${createHash('sha256').update(authCode).digest('hex')}`;
}

/**
 * v2 first (`service/v2/get_permanent_code`, recommended since 2025), v1 when v2 is not offered to this suite
 * (HTTP 404, or 48001 API not authorized): either way the code was not consumed, so the fallback is safe.
 */
function v2Missing(error: unknown): boolean {
  return httpStatusOf(error) === 404 || (error instanceof WecomError && error.errcode === 48001);
}

export function createInstaller(options: {
  suite: Pick<WecomCaller, 'call'>;
  tenants: TenantStore;
  keyv: Keyv;
  logger: Logger;
  /** Drops the corp's cached access token: a new permanent code (re-install, 代开发 reset) makes it stale. */
  dropCorpToken: (authCorpId: string) => Promise<void>;
}): Installer {
  const { suite, tenants, keyv, logger } = options;
  const claim = createSetIfAbsent(keyv);

  const post = (endpoint: string, path: string, body: unknown, secrets: string[]) =>
    suite.call(
      endpoint,
      (token) => ({
        endpoint,
        method: 'POST',
        path,
        query: { suite_access_token: token },
        body,
        secrets: [token, ...secrets],
        envelope: tokenEnvelope('permanent_code'),
      }),
      z.unknown(),
    );

  async function permanentCode(authCode: string) {
    try {
      const body = await post(
        'get_permanent_code',
        '/cgi-bin/service/v2/get_permanent_code',
        { auth_code: authCode },
        [authCode],
      );
      return permanentCodeSchema.parse(body);
    } catch (error) {
      if (!v2Missing(error)) throw error;
      logger.info('provider: v2 get_permanent_code not offered; using v1');
      const body = await post(
        'get_permanent_code',
        '/cgi-bin/service/get_permanent_code',
        { auth_code: authCode },
        [authCode],
      );
      return permanentCodeSchema.parse(body);
    }
  }

  /** get_auth_info (v2; 代开发 and third-party alike, with the suite token). */
  async function authInfo(authCorpId: string, code: string): Promise<AuthInfo> {
    const body = await suite.call(
      'get_auth_info',
      (token) => ({
        endpoint: 'get_auth_info',
        method: 'POST',
        path: '/cgi-bin/service/v2/get_auth_info',
        query: { suite_access_token: token },
        body: { auth_corpid: authCorpId, permanent_code: code },
        secrets: [token, code],
      }),
      authInfoSchema,
    );
    const corpName = body.auth_corp_info?.corp_name;
    return { ...agentInfo(body.auth_info), ...(corpName ? { corpName } : {}) };
  }

  /** v2 leaves out the agent: get_auth_info names it. Best effort: the install stands without it. */
  async function agentOf(authCorpId: string, code: string): Promise<AuthInfo> {
    try {
      const { corpName: _name, ...agent } = await authInfo(authCorpId, code);
      return agent;
    } catch (error) {
      logger.warn({ err: error, authCorpId }, 'provider: get_auth_info failed; the agent id is read later');
      return {};
    }
  }

  return {
    async exchange(authCode) {
      const key = claimKey(authCode);
      if (!(await claim(key, 1, AUTH_CODE_LIFE_MS))) return { outcome: 'already' };
      let answer: z.infer<typeof permanentCodeSchema>;
      try {
        answer = await permanentCode(authCode);
      } catch (error) {
        // 40078: the code was consumed (by us before a crash, or a racing delivery): nothing more to do.
        if (error instanceof WecomError && error.errcode === 40078) {
          logger.info('provider: auth_code already exchanged (40078); nothing to do');
          return { outcome: 'already' };
        }
        // Not consumed: let a later delivery of the same code try again.
        await storeCall(() => keyv.delete(key)).catch(() => undefined);
        throw error;
      }
      const authCorpId = answer.auth_corp_info.corpid;
      const fromAnswer = agentInfo(answer.auth_info);
      const agent =
        fromAnswer.agentId === undefined ? await agentOf(authCorpId, answer.permanent_code) : fromAnswer;
      const tenant = await tenants.save({
        authCorpId,
        permanentCode: answer.permanent_code,
        ...agent,
        corpName: answer.auth_corp_info.corp_name,
        state: answer.state || undefined,
      });
      await options.dropCorpToken(authCorpId);
      // The claim now names the corp, for the other delivery of this code (the redirect, or the push).
      await storeCall(() => keyv.set(key, { authCorpId }, AUTH_CODE_LIFE_MS)).catch((error: unknown) =>
        logger.warn({ err: error }, 'provider: the exchanged auth_code was not marked with its corp'),
      );
      return { outcome: 'installed', tenant };
    },

    async exchanged(authCode) {
      const parsed = claimSchema.safeParse(await storeCall(() => keyv.get(claimKey(authCode))));
      return parsed.success ? parsed.data.authCorpId : undefined;
    },

    async refresh(authCorpId) {
      if ((await tenants.get(authCorpId))?.status !== 'active') return undefined;
      const { permanentCode } = await tenants.credentials(authCorpId);
      return tenants.refresh(authCorpId, await authInfo(authCorpId, permanentCode));
    },
  };
}
