import type { Keyv } from 'keyv';
import { z } from 'zod';
import type { Logger } from '../base/logger.js';
import { type Sealer, sealedSchema } from '../base/seal.js';
import { storeCall } from '../base/store-call.js';
import { TENANT_PREFIX } from '../store/keys.js';
import { scanKeys } from '../store/scan-keys.js';
import {
  notInstalled,
  type TenantCredentials,
  type TenantSource,
  tenantLost,
} from '../wecom/corp-token-sources.js';
import { secretFingerprint } from '../wecom/token-source.js';

/**
 * An installed corp. The corp id is kept exactly as WeCom gave it: after the 2022 id upgrade it is a
 * case-sensitive ciphertext (doc §1.10), never lower-cased. The permanent code is sealed (STORE_ENCRYPTION_KEY)
 * and only its fingerprint is ever logged; cancel_auth deletes it ("应当确保删除该企业所有相关的数据").
 */
const tenantSchema = z.object({
  authCorpId: z.string().min(1),
  mode: z.enum(['customized', 'third-party']),
  /** The suite (or 代开发 template) it installed; tenants stored before it was kept have only `mode`. */
  suiteId: z.string().optional(),
  status: z.enum(['active', 'cancelled', 'lost']),
  permanentCode: sealedSchema.optional(),
  /** secretFingerprint of the permanent code: tells two installs apart in logs without the code. */
  codeFingerprint: z.string().optional(),
  agentId: z.number().int().optional(),
  /** The app's visible range as get_auth_info last said (install, change_auth); userids as the app sees them. */
  privilege: z
    .object({
      allowParty: z.array(z.number().int()),
      allowUser: z.array(z.string()),
      allowTag: z.array(z.number().int()),
    })
    .optional(),
  corpName: z.string().optional(),
  state: z.string().optional(),
  /** The errcode that made it lost (40084…). */
  lostErrcode: z.number().int().optional(),
  updatedAtMs: z.number(),
});
export type StoredTenant = z.infer<typeof tenantSchema>;
/** A tenant as the rest of the bot sees it: everything but the permanent code. */
export type Tenant = Omit<StoredTenant, 'permanentCode'>;
export type Privilege = NonNullable<StoredTenant['privilege']>;
/** What get_auth_info tells of an install: the agent, its visible range, the corp's name. */
export interface AuthInfo {
  agentId?: number | undefined;
  privilege?: Privilege | undefined;
  corpName?: string | undefined;
}

export interface TenantStore extends TenantSource {
  get(authCorpId: string): Promise<Tenant | undefined>;
  /** Every tenant, in corp id order. */
  list(): Promise<Tenant[]>;
  /** Stores an install (or a reset permanent code) as active. */
  save(
    install: AuthInfo & { authCorpId: string; permanentCode: string; state?: string | undefined },
  ): Promise<Tenant>;
  /** change_auth: the agent, visible range and name get_auth_info now gives; undefined when not installed. */
  refresh(authCorpId: string, info: AuthInfo): Promise<Tenant | undefined>;
  /** cancel_auth: the permanent code is deleted, a tombstone says the corp left. */
  cancel(authCorpId: string): Promise<void>;
}

export function tenantKey(authCorpId: string): string {
  return `${TENANT_PREFIX}${encodeURIComponent(authCorpId)}`;
}

/** The fields of `info` that are set: a get_auth_info that says less keeps what was known. */
function definedInfo(info: AuthInfo): AuthInfo {
  return {
    ...(info.agentId === undefined ? {} : { agentId: info.agentId }),
    ...(info.privilege === undefined ? {} : { privilege: info.privilege }),
    ...(info.corpName === undefined ? {} : { corpName: info.corpName }),
  };
}

function withoutCode(stored: StoredTenant): Tenant {
  const { permanentCode: _code, ...rest } = stored;
  return rest;
}

export function createTenantStore(options: {
  keyv: Keyv;
  mode: 'customized' | 'third-party';
  /**
   * The running suite: a tenant another suite installed (the store once ran the other mode) is not ours. Its
   * permanent code is that suite's, and asking WeCom for a token with it under this suite would fail.
   */
  suiteId: string;
  sealer: Sealer;
  logger: Logger;
  now?: () => number;
  /** Told each permanent code read or stored, so every log line is scrubbed of it (the secrets registry). */
  remember?: (secret: string) => void;
}): TenantStore {
  const { keyv, mode, suiteId, sealer, logger } = options;
  const remember = options.remember ?? (() => {});
  const now = options.now ?? Date.now;

  async function read(authCorpId: string): Promise<StoredTenant | undefined> {
    const parsed = tenantSchema.safeParse(await storeCall(() => keyv.get(tenantKey(authCorpId))));
    if (!parsed.success) return undefined;
    const tenant = parsed.data;
    const ours = tenant.suiteId === undefined ? tenant.mode === mode : tenant.suiteId === suiteId;
    return ours ? tenant : undefined;
  }

  async function write(tenant: StoredTenant): Promise<void> {
    await storeCall(() => keyv.set(tenantKey(tenant.authCorpId), tenant));
  }

  async function mark(authCorpId: string, change: Partial<StoredTenant>): Promise<void> {
    const current = await read(authCorpId);
    if (!current) return;
    await write({ ...current, ...change, updatedAtMs: now() });
  }

  return {
    async get(authCorpId) {
      const stored = await read(authCorpId);
      return stored && withoutCode(stored);
    },

    async list() {
      const keys = await storeCall(() => scanKeys(keyv, TENANT_PREFIX));
      const tenants = await Promise.all(
        keys.map((key) => read(decodeURIComponent(key.slice(TENANT_PREFIX.length)))),
      );
      return tenants.filter((x): x is StoredTenant => x !== undefined).map(withoutCode);
    },

    async save(install) {
      remember(install.permanentCode);
      const codeFingerprint = secretFingerprint(install.permanentCode);
      const tenant: StoredTenant = {
        authCorpId: install.authCorpId,
        mode,
        suiteId,
        status: 'active',
        permanentCode: sealer.seal(install.permanentCode),
        codeFingerprint,
        ...definedInfo(install),
        ...(install.state === undefined ? {} : { state: install.state }),
        updatedAtMs: now(),
      };
      await write(tenant);
      logger.info(
        { authCorpId: install.authCorpId, agentId: install.agentId, codeFingerprint },
        'provider: corp installed (permanent code stored)',
      );
      return withoutCode(tenant);
    },

    async refresh(authCorpId, info) {
      const current = await read(authCorpId);
      if (!current) return undefined;
      const next: StoredTenant = { ...current, ...definedInfo(info), updatedAtMs: now() };
      await write(next);
      logger.info(
        { authCorpId, agentId: next.agentId, parties: next.privilege?.allowParty.length },
        'provider: the corp’s authorization re-read (agent, visible range)',
      );
      return withoutCode(next);
    },

    async cancel(authCorpId) {
      const current = await read(authCorpId);
      if (!current) return;
      const { permanentCode: _dropped, ...rest } = current;
      await write({ ...rest, status: 'cancelled', updatedAtMs: now() });
      logger.warn(
        { authCorpId },
        'provider: the corp cancelled its authorization; its permanent code is deleted',
      );
    },

    async credentials(authCorpId): Promise<TenantCredentials> {
      const tenant = await read(authCorpId);
      if (!tenant || tenant.status === 'cancelled' || !tenant.permanentCode) {
        if (tenant?.status === 'cancelled') throw tenantLost(authCorpId);
        throw notInstalled(authCorpId);
      }
      if (tenant.status === 'lost') throw tenantLost(authCorpId);
      const permanentCode = sealer.open(tenant.permanentCode);
      remember(permanentCode);
      return { authCorpId, permanentCode };
    },

    async lost(authCorpId, errcode) {
      await mark(authCorpId, { status: 'lost', lostErrcode: errcode });
      logger.warn(
        { authCorpId, errcode },
        'provider: WeCom refuses the corp’s permanent code; the corp is marked lost and no longer called',
      );
    },
  };
}
