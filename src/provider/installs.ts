import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Keyv } from 'keyv';
import { z } from 'zod';
import { ContactwayError } from '../base/errors.js';
import { type Bilingual, t } from '../base/i18n.js';
import type { Logger } from '../base/logger.js';
import { storeCall } from '../base/store-call.js';
import type { StoreLock } from '../lock/lock.js';
import type { ProviderAdmin, ProviderStatus } from '../service/provider-admin.js';
import { type Requester, requesterSchema } from '../store/record-schema.js';
import { scanKeys } from '../store/scan-keys.js';
import type { WecomCaller } from '../wecom/caller.js';
import type { Installer } from './install.js';
import { customizedAuthPage, thirdPartyInstallPage } from './install-links.js';
import { installedPage, pendingPage, refusedPage, startPage } from './install-pages.js';
import type { TenantStore } from './tenant-store.js';
import type { SuiteTicketStore } from './ticket-store.js';

/** Where WeCom sends the admin back after the install page (PUBLIC_URL + this). */
export const INSTALL_PATH = '/wecom/install';
/** WeCom's install page (D-90597); the sandbox serves the same path. */
export const WECOM_INSTALL_BASE = 'https://open.work.weixin.qq.com';
/** A pre_auth_code lives 20 minutes (D-90601): the state no longer. */
const STATE_LIFE_MS = 20 * 60_000;
/**
 * A 代开发 authorization QR lives 10 days (D-98744), but a state is who asked to bind: a day is enough for a
 * corp admin to scan it, and a link forwarded long after does not bind a workspace by surprise.
 */
const QR_STATE_LIFE_MS = 24 * 3600_000;
/** How long the redirect waits for the other delivery of its auth_code (the create_auth push) to finish. */
const EXCHANGE_WAIT_MS = 20_000;
export const INSTALL_STATE_PREFIX = 'wecom:install-state:';
export const BINDING_PREFIX = 'wecom:binding:';

const localeSchema = z.enum(['en', 'zh']);
/** A state handed out with an install link: who asked, and which install (if any) used it. */
const stateSchema = z.object({
  requester: requesterSchema,
  locale: localeSchema,
  createdAtMs: z.number(),
  /** WeCom's install page for this state, which the start page links to. */
  installUrl: z.string().optional(),
  authCorpId: z.string().optional(),
  /** sha256 of the auth_code that used it: the same redirect loaded again is not a second use. */
  authCodeHash: z.string().optional(),
});
/** A workspace (platform + workspace/guild id) bound to one installed corp. */
const bindingSchema = z.object({
  authCorpId: z.string().min(1),
  /** The suite the corp installed; a binding stored before it was kept is ours when its tenant is. */
  suiteId: z.string().optional(),
  by: requesterSchema,
  locale: localeSchema,
  boundAtMs: z.number(),
});
export type Binding = z.infer<typeof bindingSchema>;

/** How the bot tells someone in chat (the notifier path the callbacks use). */
export type Tell = (
  requester: Requester,
  message: { title: Bilingual; body: Bilingual[]; status: 'ok' | 'error' },
  locale: 'en' | 'zh',
) => Promise<void>;

export interface Installs extends ProviderAdmin {
  readonly path: string;
  /** `GET /wecom/install?auth_code&state`: false for another path. */
  handler(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** The base the redirect_uri is built on when PUBLIC_URL is unset (the sandbox: the local server). */
  serveAt(baseUrl: string): void;
  /** An install finished (push or redirect): binds the state's workspace, once, and tells the admin. */
  completed(authCorpId: string, state: string | undefined, authCode: string): Promise<boolean>;
  /** The corp left (cancel_auth, 40084): tells the admins (ADMINS) of each workspace bound to it. */
  lost(authCorpId: string): Promise<void>;
  /** The corp a workspace is bound to. */
  bindingOf(platform: string, workspaceId: string): Promise<Binding | undefined>;
  /** Whether any workspace is bound to a corp. */
  anyBound(): Promise<boolean>;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const part = encodeURIComponent;
const stateKey = (state: string) => `${INSTALL_STATE_PREFIX}${state}`;
export const bindingKey = (platform: string, workspaceId: string) =>
  `${BINDING_PREFIX}${part(platform)}:${part(workspaceId)}`;

export function createInstalls(options: {
  keyv: Keyv;
  lock: StoreLock;
  suite: Pick<WecomCaller, 'call'>;
  /** Calls with the provider_access_token (WECOM_PROVIDER_SECRET set): a 代开发 install QR from chat. */
  provider?: Pick<WecomCaller, 'call'> | undefined;
  installer: Installer;
  tenants: TenantStore;
  tickets: SuiteTicketStore;
  settings: { mode: 'customized' | 'third-party'; suiteId: string };
  /** WeCom's install page host (the sandbox's URL on the sandbox). */
  installBase: string;
  /** PUBLIC_URL; unset, `serveAt` gives the base. */
  publicUrl?: string | undefined;
  /** set_session_info's auth_type: 1 = 测试授权 (an app not yet released installs only so), 0 = 正式授权. */
  authType: 0 | 1;
  tell: () => Tell | undefined;
  /** A workspace's admins (ADMINS entries of that platform and workspace): who hears that its corp left. */
  admins?: ((platform: string, workspaceId: string) => Requester[]) | undefined;
  logger: Logger;
  now?: () => number;
}): Installs {
  const { keyv, lock, suite, installer, tenants, tickets, settings, logger } = options;
  const now = options.now ?? Date.now;
  const expiredLink =
    settings.mode === 'customized'
      ? t(
          'This install link is unknown or has expired (links last a day).',
          '此安装链接未知或已过期（链接有效 1 天）。',
        )
      : t(
          'This install link is unknown or has expired (links last 20 minutes).',
          '此安装链接未知或已过期（链接有效 20 分钟）。',
        );
  let base = options.publicUrl?.replace(/\/+$/, '');

  async function readState(state: string) {
    const parsed = stateSchema.safeParse(await storeCall(() => keyv.get(stateKey(state))));
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * A stored binding, if it is this suite's: one the other mode left in the same store (another suite's corp)
   * binds nothing here, or this suite would be asked for a token with that suite's permanent code.
   */
  async function ours(value: unknown): Promise<Binding | undefined> {
    const parsed = bindingSchema.safeParse(value);
    if (!parsed.success) return undefined;
    const binding = parsed.data;
    if (binding.suiteId !== undefined) return binding.suiteId === settings.suiteId ? binding : undefined;
    return (await tenants.get(binding.authCorpId)) ? binding : undefined;
  }

  async function bindingOf(platform: string, workspaceId: string) {
    return ours(await storeCall(() => keyv.get(bindingKey(platform, workspaceId))));
  }

  async function bindings(): Promise<Binding[]> {
    const keys = await storeCall(() => scanKeys(keyv, BINDING_PREFIX));
    const all = await Promise.all(keys.map(async (key) => ours(await storeCall(() => keyv.get(key)))));
    return all.filter((b): b is Binding => b !== undefined);
  }

  async function tell(requester: Requester, message: Parameters<Tell>[1], locale: 'en' | 'zh') {
    const to = options.tell();
    if (!to) return;
    await to(requester, message, locale).catch((error: unknown) =>
      logger.warn({ err: error }, 'provider: an admin was not told'),
    );
  }

  async function completed(authCorpId: string, state: string | undefined, authCode: string) {
    if (!state) return false;
    const bound = await lock(stateKey(state), async () => {
      const current = await readState(state);
      if (!current || current.authCorpId) return undefined;
      const { requester, locale } = current;
      const binding: Binding = {
        authCorpId,
        suiteId: settings.suiteId,
        by: requester,
        locale,
        boundAtMs: now(),
      };
      await storeCall(() => keyv.set(bindingKey(requester.platform, requester.workspaceId), binding));
      await storeCall(() =>
        keyv.set(stateKey(state), { ...current, authCorpId, authCodeHash: sha(authCode) }, STATE_LIFE_MS),
      );
      return current;
    });
    if (!bound) return false;
    const tenant = await tenants.get(authCorpId);
    const name = tenant?.corpName ?? authCorpId;
    logger.info(
      { authCorpId, platform: bound.requester.platform, workspaceId: bound.requester.workspaceId },
      'provider: corp bound to the workspace its install came from',
    );
    await tell(
      bound.requester,
      {
        title: t(`contactway is installed in ${name}`, `contactway 已安装到 ${name}`),
        body: [
          t(
            `This workspace now uses the corp ${authCorpId} (agent ${tenant?.agentId ?? '?'}). Try temp <userid>.`,
            `本工作区现使用企业 ${authCorpId}（应用 ${tenant?.agentId ?? '?'}）。试试 temp <userid>。`,
          ),
        ],
        status: 'ok',
      },
      bound.locale,
    );
    return true;
  }

  /** The corp the code installed: this delivery's exchange, or the other one's once it is done. */
  async function corpOf(authCode: string): Promise<string | undefined> {
    const done = await installer.exchange(authCode);
    if (done.outcome === 'installed') return done.tenant.authCorpId;
    const until = now() + EXCHANGE_WAIT_MS;
    for (;;) {
      const corp = await installer.exchanged(authCode);
      if (corp || now() > until) return corp;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function start(state: string, res: ServerResponse): Promise<void> {
    const current = /^[a-zA-Z0-9]{1,128}$/.test(state) ? await readState(state) : undefined;
    if (!current?.installUrl || current.authCorpId) {
      refusedPage(
        res,
        current ? t('This install link was already used.', '此安装链接已被使用。') : expiredLink,
      );
      return;
    }
    startPage(res, current.installUrl, settings.mode);
  }

  async function redirect(url: URL, res: ServerResponse): Promise<void> {
    const begin = url.searchParams.get('start');
    if (begin !== null) return start(begin, res);
    const authCode = url.searchParams.get('auth_code') ?? '';
    const state = url.searchParams.get('state') ?? '';
    if (!authCode || authCode.length > 512 || !/^[a-zA-Z0-9]{1,128}$/.test(state)) {
      refusedPage(res, t('The link lacks its auth_code or state.', '链接缺少 auth_code 或 state。'));
      return;
    }
    const current = await readState(state);
    if (!current) {
      refusedPage(res, expiredLink);
      return;
    }
    if (current.authCorpId) {
      if (current.authCodeHash !== sha(authCode)) {
        refusedPage(res, t('This install link was already used.', '此安装链接已被使用。'));
        return;
      }
      const tenant = await tenants.get(current.authCorpId);
      installedPage(res, tenant?.corpName ?? current.authCorpId);
      return;
    }
    let corp: string | undefined;
    try {
      corp = await corpOf(authCode);
    } catch (error) {
      logger.warn({ err: error }, 'provider: the install redirect’s auth_code was not exchanged');
      const human =
        error instanceof ContactwayError
          ? error.human
          : t('WeCom did not complete the install.', '企业微信未完成安装。');
      refusedPage(res, human);
      return;
    }
    if (!corp) {
      pendingPage(res);
      return;
    }
    await completed(corp, state, authCode);
    const tenant = await tenants.get(corp);
    installedPage(res, tenant?.corpName ?? corp);
  }

  return {
    path: INSTALL_PATH,
    serveAt(baseUrl) {
      base ??= baseUrl.replace(/\/+$/, '');
    },
    completed,
    bindingOf,
    async anyBound() {
      return (await bindings()).length > 0;
    },

    async handler(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== INSTALL_PATH) return false;
      if (req.method !== 'GET') {
        res.writeHead(405, { allow: 'GET' }).end();
        return true;
      }
      await redirect(url, res);
      return true;
    },

    async installLink(requester, locale) {
      if (!base) throw new Error('provider: the install redirect has no base URL yet (PUBLIC_URL)');
      // a-zA-Z0-9 only, ≤32 for 代开发 and ≤128 for third-party (D-98744, D-90597): 32 hex, unguessable.
      const state = randomBytes(16).toString('hex');
      const wecom =
        settings.mode === 'customized'
          ? await customizedAuthPage({ provider: options.provider, templateId: settings.suiteId, state })
          : await thirdPartyInstallPage({
              suite,
              installBase: options.installBase,
              suiteId: settings.suiteId,
              redirectUri: `${base}${INSTALL_PATH}`,
              state,
              authType: options.authType,
            });
      const life = Math.min(
        wecom.expiresInS * 1000,
        settings.mode === 'customized' ? QR_STATE_LIFE_MS : STATE_LIFE_MS,
      );
      const stored = {
        requester: requesterSchema.parse(requester),
        locale,
        createdAtMs: now(),
        installUrl: wecom.url,
      };
      await storeCall(() => keyv.set(stateKey(state), stored, life));
      // The chat gets our own start page, which links on to WeCom's: WeCom checks the install link's Referer
      // against the app's 安装完成回调域名 (doc §1.4, staff answer), so it must be clicked on a page of ours;
      // and the chat's link is then only our base and an alphanumeric state, safe in any chat markup.
      const url = `${base}${INSTALL_PATH}?start=${state}`;
      return { url, expiresInS: Math.floor(life / 1000) };
    },

    async status(requester) {
      const binding = await bindingOf(requester.platform, requester.workspaceId);
      const tenant = binding && (await tenants.get(binding.authCorpId));
      const ticket = await tickets.status();
      const all = await tenants.list();
      const bound = new Set((await bindings()).map((b) => b.authCorpId));
      const tenantState = binding ? (tenant?.status ?? 'unknown') : undefined;
      const token: ProviderStatus['token'] = !binding
        ? 'not_bound'
        : tenantState !== 'active'
          ? 'lost'
          : settings.mode === 'third-party' && (!ticket || ticket.refused)
            ? 'waiting_for_ticket'
            : 'ok';
      return {
        mode: settings.mode,
        suiteId: settings.suiteId,
        binding: binding && {
          authCorpId: binding.authCorpId,
          corpName: tenant?.corpName,
          agentId: tenant?.agentId,
          visible: tenant?.privilege && {
            parties: tenant.privilege.allowParty,
            users: tenant.privilege.allowUser.length,
            tags: tenant.privilege.allowTag,
          },
          tenant: tenantState ?? 'unknown',
          boundAtMs: binding.boundAtMs,
        },
        ticket: ticket && { ageMs: Math.max(0, now() - ticket.receivedAtMs), refused: ticket.refused },
        token,
        // Only how many: the corps' names are theirs, not every workspace's admins' to read.
        unbound: all.filter((x) => x.status === 'active' && !bound.has(x.authCorpId)).length,
      };
    },

    async lost(authCorpId) {
      const tenant = await tenants.get(authCorpId);
      const name = tenant?.corpName ?? authCorpId;
      const bound = (await bindings()).filter((b) => b.authCorpId === authCorpId);
      const told = bound.flatMap((binding) => {
        const admins = options.admins?.(binding.by.platform, binding.by.workspaceId) ?? [];
        return (admins.length > 0 ? admins : [binding.by]).map((to) => ({ to, locale: binding.locale }));
      });
      for (const { to, locale } of told) {
        await tell(
          to,
          {
            title: t(`${name} no longer authorizes contactway`, `${name} 已不再授权 contactway`),
            body: [
              t(
                `WeCom says the corp ${authCorpId} cancelled the app or its authorization is no longer valid: this workspace cannot create contact ways in it. An admin of the corp can install it again with /contactway install.`,
                `企业微信表示企业 ${authCorpId} 已取消授权或授权已失效：本工作区无法再在该企业创建「联系我」。企业管理员可运行 /contactway install 重新安装。`,
              ),
            ],
            status: 'error',
          },
          locale,
        );
      }
    },
  };
}
