import type { ScanResult } from './customers.js';
import type { SandboxDepartment, SandboxMember } from './types.js';

/** The app a provider registered: its ids and the 指令回调 (command callback) Token and EncodingAESKey. */
export interface SandboxSuite {
  /** ww… for a third-party app, dk… for a 代开发 template; default 'ww_sandbox_suite'. */
  suiteId: string;
  suiteSecret: string;
  /** The command callback's Token. */
  token: string;
  /** The command callback's 43-character EncodingAESKey. */
  encodingAesKey: string;
  /** Third-party (get_corp_token) or 代开发 (gettoken with the permanent code); default from the dk prefix. */
  kind: 'third-party' | 'customized';
}

/** A customer corp that can install the suite, with its own directory and contact ways. */
export interface SandboxCustomerCorp {
  /** The corp's own (plaintext) id; the app only ever sees its provider-scoped ciphertext. */
  corpId: string;
  corpName: string;
  /** Default: the sandbox's default members. */
  members?: SandboxMember[];
  departments?: SandboxDepartment[];
  /** Only medical corps may create temp ways (48002 otherwise); default true. */
  medical?: boolean;
  /** The app's visible range (plaintext userids / department ids); default the whole corp (department 1). */
  visible?: { users?: string[]; parties?: number[] };
  /** The admin who installs (auth_user_info); default the first active member. */
  admin?: string;
}

/** `SandboxOptions.provider`: the sandbox also plays WeCom's provider platform. */
export interface SandboxProviderOptions {
  suite?: Partial<SandboxSuite>;
  /** The provider's own corp id (GET echo ReceiveId, provider token); default 'ww_sandbox_provider'. */
  providerCorpId?: string;
  providerSecret?: string;
  /** Default: 'wwclinic' (Sandbox Clinic) and 'wwhospital' (Sandbox Hospital). */
  corps?: SandboxCustomerCorp[];
  /** Where the command callback (the bot's /wecom/suite) is; settable later with `connectSuite`. */
  suiteUrl?: string;
  /** suite_ticket push period in ms on the wall clock; WeCom's is 10 minutes. 0: only on demand. */
  ticketIntervalMs?: number;
  /** suite_access_token and corp token lifetime in seconds; default 7200. */
  tokenTtlS?: number;
  /**
   * Whether an install from the install page also pushes create_auth. WeCom's doc says it does not
   * (D-90597: only app-market installs push); default true so the bot's idempotent exchange is exercised.
   */
  createAuthOnRedirect?: boolean;
}

/** The auth events the sandbox pushes on demand (create_auth comes with `install`). */
export type AuthEventType = 'change_auth' | 'cancel_auth' | 'reset_permanent_code';

/** change_auth's change: the app's new visible range (plaintext userids, department ids). */
export interface AuthEventOptions {
  visible?: SandboxCustomerCorp['visible'];
}

/** What a push to the command callback got back from the bot, or undefined when no URL is known. */
export type Delivery = { status: number; body: string } | undefined;

/** One installed corp, as the provider platform knows it. */
export interface SandboxInstall {
  corpId: string;
  /** The corp id the app sees (provider-scoped ciphertext). */
  openCorpId: string;
  corpName: string;
  agentId: number;
  status: 'active' | 'cancelled';
  /** 0 正式授权, 1 测试授权, from set_session_info. */
  authType: number;
  state?: string;
}

/** `Sandbox.provider`: the provider platform's controls. */
export interface SandboxProvider {
  readonly suite: Readonly<SandboxSuite>;
  readonly providerCorpId: string;
  readonly providerSecret: string;
  /** The customer corps' plaintext ids. */
  readonly corpIds: readonly string[];
  /** Sets (or clears) the command callback URL. */
  connectSuite(url: string | undefined): void;
  /**
   * The check WeCom's console makes when the command URL is saved: a GET with `echostr` encrypted for the
   * provider corp id; `ok` when the URL answered the plaintext. Undefined when no URL is set.
   */
  verifySuiteUrl(): Promise<{ ok: boolean; status: number; body: string } | undefined>;
  /** Pushes a fresh suite_ticket now (刷新ticket); `timestamp` (Unix s) lets a test push an old one. */
  pushTicket(options?: {
    timestamp?: number;
  }): Promise<{ ticket: string; timestamp: number; delivered: Delivery }>;
  /** Changes the push period (ms); 0 stops the schedule. */
  setTicketInterval(ms: number): void;
  /** An install from the app market: a new AuthCode pushed as create_auth. */
  install(corpId: string, options?: { state?: string }): Promise<{ authCode: string; delivered: Delivery }>;
  /**
   * Pushes an auth event for an installed corp: change_auth, cancel_auth (which first revokes it: 40084 after),
   * or, 代开发 only, reset_permanent_code with an AuthCode whose exchange replaces the secret (the old → 40001).
   * change_auth may first change the app's visible range (`visible`), as the corp admin does in WeCom.
   */
  pushAuthEvent(corpId: string, infoType: AuthEventType, options?: AuthEventOptions): Promise<Delivery>;
  /** Every suite_access_token issued so far answers `code` from now on (default 42009). */
  expireSuiteTokens(code?: 42009 | 40082): void;
  installs(): SandboxInstall[];
  /** The ids the app sees for a corp, a member and a customer of that corp. */
  openCorpId(corpId: string): string;
  openUserId(corpId: string, userid: string): string;
  openExternalUserId(corpId: string, externalUserId: string): string;
  /** A customer of that corp scans a way: the event goes to the command URL (third-party) or the app URL. */
  scan(configId: string, options?: { externalUserId?: string; name?: string }): Promise<ScanResult>;
}
