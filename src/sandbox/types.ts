import type { Logger } from '../base/logger.js';
import type { CallbackTarget, SandboxCustomer, ScanResult } from './customers.js';
import type { SandboxProvider, SandboxProviderOptions } from './provider-types.js';

export type { CallbackTarget, SandboxCustomer, ScanResult } from './customers.js';

/** A member of the sandbox corp's directory (通讯录). */
export interface SandboxMember {
  userid: string;
  name: string;
  /** Department ids the member belongs to. */
  departments: number[];
  /** False models a member who never activated WeCom: contact ways reject them with 41054. Default true. */
  active?: boolean;
  /**
   * False models a member not enabled for customer contact (客户联系 → 权限配置): absent from
   * get_follow_user_list, and contact ways reject them with 84074. Default true.
   */
  customerContact?: boolean;
}

/** A department of the sandbox corp; `parentid` 0 marks the root. */
export interface SandboxDepartment {
  id: number;
  name: string;
  parentid: number;
}

/** How to start a sandbox. Every field has a default, so `startSandbox()` is enough for a demo. */
export interface SandboxOptions {
  /** Port to listen on; default 0 (any free port). */
  port?: number;
  /** Interface to listen on; default '127.0.0.1'. */
  host?: string;
  /** The only corpid gettoken accepts; default 'ww_sandbox_corp'. */
  corpId?: string;
  /** The only corpsecret gettoken accepts; default 'sandbox-secret'. */
  corpSecret?: string;
  /**
   * The directory; default zhangsan, lisi, wangwu (active), zhaoliu (not activated) and sunqi (active, not
   * enabled for customer contact).
   */
  members?: SandboxMember[];
  /** Departments; default 1 Sandbox Corp (root), 2 Sales, 3 Support. */
  departments?: SandboxDepartment[];
  /** Whether the corp is in the medical industry, the only one allowed temp sessions (48002 otherwise). Default true. */
  medical?: boolean;
  /** Lifetime of issued access tokens, in seconds; default 7200. */
  tokenTtlS?: number;
  /** Delay added to every WeCom API call (gettoken and the six endpoints), in ms; default 0. */
  latencyMs?: number;
  /** The clock for token and temp-QR expiry and list windows, in ms; default Date.now. */
  now?: () => number;
  /** Where request lines go (debug level); default silent. */
  logger?: Logger;
  /**
   * A JSON file keeping contact ways, customers, temp sessions and issued tokens (hashed) across restarts, and
   * the port, reused when `port` is 0 or unset. Written atomically (0600) after changes and at close; a corrupt
   * or other-format file is set aside with a warning. Default none: state lives in memory only.
   */
  statePath?: string;
  /**
   * Also play WeCom's provider platform: a suite (third-party, or 代开发 with a dk… id), its suite_ticket pushes,
   * the service/* endpoints, the install page and the customer corps that install (provider-types.ts). Default
   * none: the sandbox is the self-built corp only, exactly as before. Kept in `statePath` too.
   */
  provider?: SandboxProviderOptions;
}

/**
 * A fault to serve instead of the normal answer. Queued by `inject` (or `POST /sandbox/faults`), consumed by the
 * next matching calls. `hang` wins over `garbage`, which wins over `status`/`errcode`.
 */
export interface FaultSpec {
  /** Answer this errcode (HTTP 200 unless `status` is set). */
  errcode?: number;
  /** errmsg to send with `errcode`, verbatim; default a WeCom-like text with hint and URL. */
  errmsg?: string;
  /** HTTP status. Alone it sends a non-JSON error page, as a gateway would; with `errcode` a JSON body. */
  status?: number;
  /** Answer HTTP 200 with a body that is not JSON. */
  garbage?: boolean;
  /** Never answer; released (connection destroyed) by `close()`. */
  hang?: boolean;
  /** How many matching calls this fault answers; default 1. */
  times?: number;
  /** 'gettoken' or an endpoint name (e.g. 'add_contact_way'); default every WeCom API call. */
  endpoint?: string;
}

/** Counts of WeCom API calls received, faulted ones included. */
export interface SandboxStats {
  gettoken: number;
  /** One entry per contact-way endpoint, 0 when never called. */
  calls: Record<string, number>;
}

/** A running sandbox. */
export interface Sandbox {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash): use it as the WeCom API base. */
  readonly url: string;
  readonly corpId: string;
  readonly corpSecret: string;
  /** Queues a fault, consumed by the next matching calls. */
  inject(fault: FaultSpec): void;
  /** Sets the delay added to every WeCom API call. */
  setLatency(ms: number): void;
  /** Drops every queued fault (latency stays; use setLatency(0)). */
  clearFaults(): void;
  /** Invalidates every token issued so far: the next call with one answers `code` (default 42001). */
  expireTokens(code?: 42001 | 40014): void;
  /**
   * A customer scans the QR code. For a temp way this opens the temp session (closable by close_temp_chat)
   * and, as in WeCom, invalidates the QR. Throws if the contact way is unknown, or a temp QR expired or was used.
   */
  simulateScan(configId: string, externalUserId: string): void;
  /** Where to post callback events (URL, Token, EncodingAESKey), as WeCom's admin console is told. */
  connectCallbacks(target: CallbackTarget): void;
  /** Forgets the callback URL: scans then happen at "WeCom" but their events are lost (the endpoint was down). */
  disconnectCallbacks(): void;
  /**
   * A customer scans the QR and adds the member, as in simulateScan, and the encrypted add_external_contact
   * event (with a WelcomeCode) is posted to the callback URL when one is connected. A simulated customer with
   * a Chinese name unless `name` is given.
   */
  scan(configId: string, options?: { externalUserId?: string; name?: string }): Promise<ScanResult>;
  /**
   * A simulated customer (with the welcome message the bot sent them, if any). A provider customer corp's is
   * found by the external_userid its app sees, and answered with the ids that app sees.
   */
  customer(externalUserId: string): SandboxCustomer | undefined;
  stats(): SandboxStats;
  /**
   * The JSON bodies of the latest calls to a POST endpoint (e.g. 'update_contact_way'), oldest first: what
   * the bot sent, and so what it left out. Bounded to the last 200 calls of every endpoint together.
   */
  received(endpoint: string): Record<string, unknown>[];
  /** A snapshot of what the sandbox stores for a contact way, or undefined when unknown or deleted. */
  contactWay(configId: string): unknown | undefined;
  /** The provider platform's controls, when started with `provider`. */
  readonly provider?: SandboxProvider;
  /**
   * Moves the simulated clock forward (tokens, temp QRs, welcome codes and media_ids expire on it); also
   * `POST /sandbox/clock {"advance_ms": …}` from another process.
   */
  advanceClock(ms: number): void;
  /** Stops listening, releases hanging responses and pending latency. */
  close(): Promise<void>;
}
