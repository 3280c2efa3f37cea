import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { control } from './control-routes.js';
import type { SandboxCore } from './core.js';
import { sendJson } from './http-io.js';
import { MAX_TIMER_MS, type ProviderPlatform } from './provider.js';
import type { SandboxProvider } from './provider-types.js';

const ticketSchema = z.object({ timestamp: z.number().int().positive().optional() }).strict();
const intervalSchema = z.object({ ms: z.number().int().min(0).max(MAX_TIMER_MS) }).strict();
const suiteUrlSchema = z.object({ url: z.url({ protocol: /^https?$/ }).nullable() }).strict();
const installSchema = z
  .object({
    corp_id: z.string().min(1),
    state: z
      .string()
      .regex(/^[a-zA-Z0-9]{0,128}$/)
      .optional(),
  })
  .strict();
const authEventSchema = z
  .object({
    corp_id: z.string().min(1),
    info_type: z.enum(['change_auth', 'cancel_auth', 'reset_permanent_code']),
    /** change_auth only: the app's new visible range (plaintext userids, department ids). */
    visible: z
      .object({
        users: z.array(z.string().min(1)).optional(),
        parties: z.array(z.number().int().positive()).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((x) => x.visible === undefined || x.info_type === 'change_auth', {
    message: 'visible goes with info_type change_auth only',
    path: ['visible'],
  });
const expireSchema = z.object({ code: z.literal([42009, 40082]).optional() }).strict();

/**
 * `/sandbox/provider/*`: the provider platform's HTTP controls, for a bot under test in another process (and
 * the 服务商管理后台 buttons: 刷新ticket, a market install, cancel/change of an authorization). False when no match.
 */
export async function handleProviderControl(
  provider: ProviderPlatform,
  method: string,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  switch (`${method} ${path}`) {
    case 'GET /sandbox/provider':
      sendJson(res, 200, {
        suite_id: provider.suite.suiteId,
        kind: provider.suite.kind,
        provider_corp_id: provider.providerCorpId,
        corps: provider.corpIds.map((corpId) => ({
          corp_id: corpId,
          open_corp_id: provider.customer(corpId)?.world.ids.corp(),
        })),
        installs: provider.installs(),
      });
      return true;
    case 'POST /sandbox/provider/ticket':
      return control(req, res, ticketSchema, ({ timestamp }) =>
        provider.pushTicket(timestamp === undefined ? {} : { timestamp }),
      );
    case 'POST /sandbox/provider/verify-url':
      return control(req, res, z.object({}).strict(), async () => ({
        verified: await provider.verifySuiteUrl(),
      }));
    case 'POST /sandbox/provider/ticket-interval':
      return control(req, res, intervalSchema, ({ ms }) => provider.setTicketInterval(ms));
    case 'POST /sandbox/provider/suite-url':
      return control(req, res, suiteUrlSchema, ({ url }) => provider.connectSuite(url ?? undefined));
    case 'POST /sandbox/provider/install':
      return control(req, res, installSchema, async ({ corp_id, state }) => {
        const done = await provider.install(corp_id, state === undefined ? {} : { state });
        return { auth_code: done.authCode, delivered: done.delivered };
      });
    case 'POST /sandbox/provider/auth-event':
      return control(req, res, authEventSchema, async ({ corp_id, info_type, visible }) => ({
        delivered: await provider.pushAuthEvent(corp_id, info_type, visible ? { visible } : {}),
      }));
    case 'POST /sandbox/provider/expire-suite-tokens':
      return control(req, res, expireSchema, ({ code }) =>
        provider.credentials.expireSuiteTokens(code ?? 42009),
      );
    default:
      return false;
  }
}

/** The in-process twin of the controls above: `Sandbox.provider`. */
export function providerControls(core: SandboxCore, provider: ProviderPlatform): SandboxProvider {
  const ids = (corpId: string) => {
    const customer = provider.customer(corpId);
    if (!customer) throw new RangeError(`sandbox: no customer corp ${corpId}`);
    return customer.world.ids;
  };
  return {
    suite: provider.suite,
    providerCorpId: provider.providerCorpId,
    providerSecret: provider.providerSecret,
    corpIds: provider.corpIds,
    connectSuite: (url) => provider.connectSuite(url),
    verifySuiteUrl: () => provider.verifySuiteUrl(),
    pushTicket: (options) => provider.pushTicket(options),
    setTicketInterval: (ms) => provider.setTicketInterval(ms),
    install: (corpId, options) => provider.install(corpId, options),
    pushAuthEvent: (corpId, infoType, options) => provider.pushAuthEvent(corpId, infoType, options),
    expireSuiteTokens: (code = 42009) => provider.credentials.expireSuiteTokens(code),
    installs: () => provider.installs(),
    openCorpId: (corpId) => ids(corpId).corp(),
    openUserId: (corpId, userid) => ids(corpId).user(userid),
    openExternalUserId: (corpId, externalUserId) => ids(corpId).external(externalUserId),
    scan: (configId, options) => core.scan(configId, options),
  };
}
