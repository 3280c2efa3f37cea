import { randomBytes } from 'node:crypto';
import type { Logger } from '../base/logger.js';
import { ENCODING_AES_KEY } from '../callbacks/crypto.js';
import { contactEventXml } from '../callbacks/event.js';
import { type CorpWorld, createCustomerWorld } from './corp-world.js';
import type { CallbackTarget, SandboxCustomer } from './customers.js';
import { DEFAULT_MEMBERS } from './directory.js';
import { OpenIds } from './provider-ids.js';
import type {
  AuthEventOptions,
  AuthEventType,
  Delivery,
  SandboxCustomerCorp,
  SandboxInstall,
  SandboxProviderOptions,
  SandboxSuite,
} from './provider-types.js';
import type { ProviderState } from './state-file.js';
import { SuiteCredentials } from './suite-credentials.js';
import { infoTypeXml, pushEncrypted, verifyUrl } from './suite-push.js';
import { hashOf } from './tokens.js';
import { Rejection } from './wecom-reply.js';

/** WeCom: a pushed AuthCode lives 10 minutes and works once (D-90642). */
export const AUTH_CODE_TTL_S = 600;
/** setInterval's largest delay. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The agent id each install gets; the real one varies per corp, the sandbox keeps it simple. */
const AGENT_ID = 1000005;

const DEFAULT_CORPS: SandboxCustomerCorp[] = [
  { corpId: 'wwclinic', corpName: 'Sandbox Clinic 沙盒诊所' },
  { corpId: 'wwhospital', corpName: 'Sandbox Hospital 沙盒医院' },
];

/** A customer corp: its world, how the app sees its ids, and its authorization if it installed. */
interface Customer {
  options: SandboxCustomerCorp;
  world: CorpWorld & { ids: OpenIds };
  /** The permanent code is kept as its SHA-256 only, like every token the sandbox issues. */
  install?: SandboxInstall & { permanentCodeHash: string };
}

type Installed = Customer & { install: NonNullable<Customer['install']> };

interface AuthCode {
  corpId: string;
  expiresAtMs: number;
  used: boolean;
  state?: string;
  /** set_session_info's auth_type for the pre_auth_code the admin came with; 0 for a market install. */
  authType: number;
}

export interface ProviderDeps {
  now: () => number;
  logger: Logger;
  qrUrl: (configId: string) => string;
  picUrl: (mediaId: string) => string;
  /** 40007 for a media_id media/upload did not hand out or that expired. */
  /** 40007 unless `corpId` uploaded it. */
  checkMedia: (mediaId: string, corpId: string) => void;
  /** The self-built-style callback URL a 代开发 app's customer events go to (the bot's /wecom/callback). */
  appCallback: () => CallbackTarget | undefined;
  /** Something worth keeping changed outside an HTTP request (a scheduled ticket, an in-process control). */
  changed: () => void;
}

/**
 * WeCom's provider platform: a suite with its ticket, the customer corps that install it, their permanent codes
 * and tokens, and the pushes to the suite's command URL (suite_ticket, create/change/cancel_auth, third-party
 * customer events). The HTTP answers are in provider-api.ts.
 */
export class ProviderPlatform {
  readonly suite: SandboxSuite;
  readonly providerCorpId: string;
  readonly providerSecret: string;
  readonly credentials: SuiteCredentials;
  readonly createAuthOnRedirect: boolean;
  private readonly customers = new Map<string, Customer>();
  private readonly authCodes = new Map<string, AuthCode>();
  private suiteUrl: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    options: SandboxProviderOptions,
    private readonly deps: ProviderDeps,
  ) {
    const suiteId = options.suite?.suiteId ?? 'ww_sandbox_suite';
    this.suite = {
      suiteId,
      suiteSecret: options.suite?.suiteSecret ?? 'sandbox-suite-secret',
      token: options.suite?.token ?? 'sandboxSuiteToken',
      encodingAesKey: options.suite?.encodingAesKey ?? 'c2FuZGJveC1zdWl0ZS1rZXktMzItYnl0ZXMtbG9uZyE',
      kind: options.suite?.kind ?? (suiteId.startsWith('dk') ? 'customized' : 'third-party'),
    };
    // Now rather than at the first push: a wrong key would only show as the bot refusing every push.
    if (!ENCODING_AES_KEY.test(this.suite.encodingAesKey))
      throw new RangeError('sandbox: the suite EncodingAESKey must be 43 base64 characters');
    this.providerCorpId = options.providerCorpId ?? 'ww_sandbox_provider';
    this.providerSecret = options.providerSecret ?? 'sandbox-provider-secret';
    this.createAuthOnRedirect = options.createAuthOnRedirect ?? true;
    this.suiteUrl = options.suiteUrl;
    this.credentials = new SuiteCredentials(this.suite, deps.now, options.tokenTtlS ?? 7200);
    for (const corp of options.corps ?? DEFAULT_CORPS) this.addCustomer(corp, options.tokenTtlS ?? 7200);
    this.setTicketInterval(options.ticketIntervalMs ?? 10 * 60_000);
  }

  get corpIds(): string[] {
    return [...this.customers.keys()];
  }

  worlds(): CorpWorld[] {
    return [...this.customers.values()].map((c) => c.world);
  }

  connectSuite(url: string | undefined): void {
    if (url !== undefined) new URL(url); // throws now rather than at the next push
    this.suiteUrl = url;
  }

  setTicketInterval(ms: number): void {
    // Above 2^31-1 ms Node would fire every millisecond instead.
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_TIMER_MS)
      throw new RangeError(`sandbox: ticket interval must be 0..${MAX_TIMER_MS} ms`);
    clearInterval(this.timer);
    this.timer = undefined;
    if (ms === 0) return;
    this.timer = setInterval(() => {
      this.pushTicket().catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'sandbox: suite_ticket push failed'),
      );
    }, ms);
    // A demo sandbox must not keep a test process alive.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async pushTicket(options: { timestamp?: number } = {}) {
    const { ticket, timestamp } = this.credentials.newTicket(options.timestamp);
    this.deps.changed();
    const xml = infoTypeXml(this.suite.suiteId, 'suite_ticket', timestamp, [['SuiteTicket', ticket]]);
    return { ticket, timestamp, delivered: await this.toSuite(xml) };
  }

  /** The customer corp for a plaintext id, or for the open corp id the app sees. */
  customer(corpId: string): Customer | undefined {
    return (
      this.customers.get(corpId) ?? [...this.customers.values()].find((c) => c.world.ids.corp() === corpId)
    );
  }

  installs(): SandboxInstall[] {
    return [...this.customers.values()].flatMap(({ install }) => {
      if (!install) return [];
      const { permanentCodeHash: _secret, ...visible } = install;
      return [visible];
    });
  }

  /** A one-time AuthCode for this corp (an install page click or an app-market install). */
  issueAuthCode(corpId: string, state: string | undefined, authType = 0): string {
    const customer = this.customer(corpId);
    if (!customer) throw new RangeError(`sandbox: no customer corp ${corpId}`);
    const code = randomBytes(32).toString('base64url');
    this.authCodes.set(code, {
      corpId: customer.options.corpId,
      expiresAtMs: this.deps.now() + AUTH_CODE_TTL_S * 1000,
      used: false,
      authType,
      ...(state ? { state } : {}),
    });
    return code;
  }

  /** Pushes create_auth with a fresh AuthCode, as an app-market (or QR) install does. */
  async install(corpId: string, options: { state?: string } = {}) {
    const authCode = this.issueAuthCode(corpId, options.state);
    return { authCode, delivered: await this.pushCreateAuth(authCode, options.state) };
  }

  pushCreateAuth(authCode: string, state: string | undefined): Promise<Delivery> {
    const xml = infoTypeXml(this.suite.suiteId, 'create_auth', this.eventTime(), [
      ['AuthCode', authCode],
      ['State', state ?? ''],
      ['ExtraInfo', ''],
    ]);
    return this.toSuite(xml);
  }

  async pushAuthEvent(
    corpId: string,
    infoType: AuthEventType,
    options: AuthEventOptions = {},
  ): Promise<Delivery> {
    const customer = this.customer(corpId);
    if (!customer?.install) throw new RangeError(`sandbox: corp ${corpId} has not installed the suite`);
    // The admin changed what the app may see (通讯录范围): get_auth_info and the directory answer it from now on.
    if (options.visible)
      customer.options = { ...customer.options, visible: structuredClone(options.visible) };
    if (infoType === 'reset_permanent_code') {
      // 代开发 重新获取secret (D-97175): an AuthCode for the new secret; the old one works until it is exchanged.
      if (this.suite.kind !== 'customized')
        throw new RangeError('sandbox: reset_permanent_code is for 代开发 only');
      const authCode = this.issueAuthCode(customer.options.corpId, undefined, customer.install.authType);
      const xml = infoTypeXml(this.suite.suiteId, infoType, this.eventTime(), [['AuthCode', authCode]]);
      return this.toSuite(xml);
    }
    // WeCom forgets the authorization first; the event only tells the provider.
    if (infoType === 'cancel_auth') customer.install.status = 'cancelled';
    this.deps.changed();
    const xml = infoTypeXml(this.suite.suiteId, infoType, this.eventTime(), [
      ['AuthCorpId', customer.world.ids.corp()],
    ]);
    return this.toSuite(xml);
  }

  /**
   * Consumes an AuthCode: 40078 when unknown, expired or used before. Every exchange makes a new permanent code
   * (the one before stops working): re-installing yields a new one in WeCom too (D-90603), and the sandbox keeps
   * only hashes, so it could not hand the old one out again.
   */
  exchange(authCode: unknown): { customer: Installed; permanentCode: string } {
    if (typeof authCode !== 'string' || authCode === '') throw new Rejection(40078, 'auth_code missing');
    const found = this.authCodes.get(authCode);
    if (!found || found.used || this.deps.now() >= found.expiresAtMs)
      throw new Rejection(40078, found?.used ? 'auth_code already used' : 'auth_code invalid or expired');
    found.used = true;
    const customer = this.customers.get(found.corpId) as Customer;
    const permanentCode = randomBytes(32).toString('base64url');
    customer.install = {
      corpId: customer.options.corpId,
      openCorpId: customer.world.ids.corp(),
      corpName: customer.options.corpName,
      agentId: AGENT_ID,
      status: 'active',
      authType: found.authType,
      ...(found.state ? { state: found.state } : {}),
      permanentCodeHash: hashOf(permanentCode),
    };
    return { customer: customer as Installed, permanentCode };
  }

  /** Whether `code` is the active permanent code of this install (代开发: the app secret gettoken checks). */
  permanentCodeOk(install: Customer['install'], code: string | null): boolean {
    return install?.status === 'active' && code !== null && hashOf(code) === install.permanentCodeHash;
  }

  /** The install a (corp id, permanent code) pair names: 40084 for a wrong code or a cancelled install. */
  authorized(authCorpId: unknown, permanentCode: unknown): Installed {
    if (typeof authCorpId !== 'string' || authCorpId === '')
      throw new Rejection(2000002, 'auth_corpid missing');
    if (typeof permanentCode !== 'string' || permanentCode === '') throw new Rejection(41025);
    const customer = this.customer(authCorpId);
    if (!customer) throw new Rejection(2000002);
    if (!this.permanentCodeOk(customer.install, permanentCode)) throw new Rejection(40084);
    return customer as Installed;
  }

  /** The customer corp's members the app may see (its visible range), as plaintext userids. */
  visible(customer: Customer): Set<string> {
    const range = customer.options.visible ?? { parties: [1] };
    return customer.world.directory.expand(range.users ?? [], range.parties ?? []);
  }

  /** The installing admin: the configured one, or the first active member. */
  admin(customer: Customer): { userid: string; name: string } | undefined {
    const members = customer.world.directory.all();
    const m =
      members.find((x) => x.userid === customer.options.admin) ?? members.find((x) => x.active !== false);
    return m ? { userid: m.userid, name: m.name } : undefined;
  }

  /** What outlives a restart: credentials as hashes, and each customer corp's install, ways, customers, tokens. */
  state(): ProviderState {
    return {
      suiteId: this.suite.suiteId,
      ...this.credentials.state(),
      corps: [...this.customers.values()].map(({ options, world, install }) => ({
        corpId: options.corpId,
        ...(install ? { install: { ...install } } : {}),
        ways: world.store.state(),
        tokens: world.tokens.state(),
        customers: world.customers.state(),
      })),
    };
  }

  /** Takes back a state of the same suite (another suite's is ignored, with a warning); unknown corps are dropped. */
  restore(state: ProviderState): void {
    if (state.suiteId !== this.suite.suiteId) {
      this.deps.logger.warn(
        'sandbox: the saved provider state is of another suite; the provider starts empty',
      );
      return;
    }
    this.credentials.restore(state);
    for (const corp of state.corps) {
      const customer = this.customers.get(corp.corpId);
      if (!customer) continue;
      if (corp.install) customer.install = { ...corp.install };
      customer.world.store.restore(corp.ways);
      customer.world.tokens.restore(corp.tokens);
      customer.world.customers.restore(corp.customers);
    }
  }

  private addCustomer(corp: SandboxCustomerCorp, tokenTtlS: number): void {
    let customer: Customer | undefined;
    const base = createCustomerWorld({
      corpId: corp.corpId,
      members: corp.members ?? DEFAULT_MEMBERS,
      departments: corp.departments,
      medical: corp.medical ?? true,
      tokenTtlS,
      now: this.deps.now,
      qrUrl: this.deps.qrUrl,
      picUrl: this.deps.picUrl,
      checkMedia: (mediaId) => this.deps.checkMedia(mediaId, corp.corpId),
      deliver: (c) => this.deliverEvent(customer as Customer, c),
    });
    customer = {
      options: corp,
      world: {
        ...base,
        ids: new OpenIds(this.providerCorpId, base, () => this.visible(customer as Customer)),
      },
    };
    this.customers.set(corp.corpId, customer);
  }

  /**
   * A customer added a member of an installed corp. Third-party: InfoType format with AuthCorpId on the command
   * URL (D-92277). 代开发: the self-built format on the app's own callback URL, encrypted for the corp id the
   * app sees (D-96361; that ReceiveId is UNCONFIRMED in WeCom's docs).
   */
  private deliverEvent(customer: Customer, c: SandboxCustomer): Promise<Delivery> {
    if (customer.install?.status !== 'active') return Promise.resolve(undefined);
    const ids = customer.world.ids;
    if (this.suite.kind === 'third-party') {
      const xml = infoTypeXml(this.suite.suiteId, 'change_external_contact', c.createTime, [
        ['AuthCorpId', ids.corp()],
        ['ChangeType', 'add_external_contact'],
        ['UserID', ids.user(c.userid)],
        ['ExternalUserID', ids.external(c.externalUserId)],
        ['State', c.state],
        ['WelcomeCode', c.welcomeCode],
      ]);
      return this.toSuite(xml);
    }
    const target = this.deps.appCallback();
    if (!target) return Promise.resolve(undefined);
    const corp = ids.corp();
    const xml = contactEventXml({
      changeType: 'add_external_contact',
      corpId: corp,
      userId: ids.user(c.userid),
      externalUserId: ids.external(c.externalUserId),
      createTime: c.createTime,
      welcomeCode: c.welcomeCode,
      ...(c.state ? { state: c.state } : {}),
    });
    return pushEncrypted({ ...target, receiveId: corp, toUserName: corp }, xml, String(AGENT_ID));
  }

  /** The console's URL check on the command URL (echostr for the provider corp id); undefined without a URL. */
  async verifySuiteUrl(): Promise<{ ok: boolean; status: number; body: string } | undefined> {
    if (!this.suiteUrl) return undefined;
    const { token, encodingAesKey } = this.suite;
    return verifyUrl({ url: this.suiteUrl, token, encodingAesKey, receiveId: this.providerCorpId });
  }

  private toSuite(xml: string): Promise<Delivery> {
    if (!this.suiteUrl) return Promise.resolve(undefined);
    const { token, encodingAesKey, suiteId } = this.suite;
    return pushEncrypted(
      { url: this.suiteUrl, token, encodingAesKey, receiveId: suiteId, toUserName: suiteId },
      xml,
    );
  }

  private eventTime(): number {
    return Math.floor(this.deps.now() / 1000);
  }
}
