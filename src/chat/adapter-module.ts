import type { Locale } from '../base/i18n.js';
import type { OpsHandler } from '../ops/http.js';
import type { FlowOptions } from './flow.js';
import type { AccessRule, ChatPort } from './port.js';

/**
 * What one chat platform brings to the bot, as the composer (src/compose.ts) sees it: its name, its
 * settings fragment, its access rule, and a start that is imported only when the platform is configured
 * (a bot that does not use a platform never loads its SDK). `adapters/index.ts` lists every module; a
 * new platform is a folder under adapters/ and one line there.
 */
export interface ChatAdapterModule<S = unknown> {
  /** How its requesters are named in records, USER_MAP and ADMINS (`platform:workspace:user`). */
  readonly platform: string;
  /**
   * Its variables (and POLICY_FILE's keys for it), parsed; undefined when it is not configured. Throws a
   * ConfigError naming every bad variable of its fragment.
   */
  readSettings(env: NodeJS.ProcessEnv, policyFile: Record<string, unknown>): S | undefined;
  /** Who may use the bot from this platform; none means anyone who can reach it. */
  accessRule?(settings: S): AccessRule;
  /** The credentials in its settings, scrubbed from every log line and error (src/base/secrets.ts). */
  secrets?(settings: S): string[];
  /** Runs only when no other module is configured (the console: a bot with no chat credentials). */
  readonly fallback?: boolean;
  /**
   * A person at this terminal reads stdout: logs go to stderr (warnings only unless LOG_LEVEL says), no
   * port is opened for the bot except WeCom's callback (a free loopback one on the sandbox, so a console
   * beside a running bot never collides), and the bot stops when the adapter ends.
   */
  readonly terminal?: boolean;
  /**
   * The platform lets the bot hold one connection only (a gateway login that receives every event): with
   * WORKERS above 1 each process would log in, so the composer refuses to start.
   */
  readonly oneConnection?: boolean;
  /** Imports the adapter itself: called only when it runs. */
  load(): Promise<AdapterStarter<S>>;
}

export interface AdapterStarter<S> {
  start(chatPort: ChatPortFactory, host: AdapterHost, settings: S): Promise<RunningAdapter>;
}

/** The core's port for a platform's limits (see src/chat/port.ts). */
export type ChatPortFactory = (options: FlowOptions) => ChatPort;

/** An HTTP route an adapter serving PORT mounts for the core (WeCom's `/wecom/callback`). */
export interface HostRoute {
  path: string;
  methods: readonly ('GET' | 'POST' | 'HEAD')[];
  /** Reads the request body itself. */
  handler: OpsHandler;
}

/** What the composer offers an adapter besides its port: where it may listen and what it must serve there. */
export interface AdapterHost {
  /** PORT: where an adapter that runs its own HTTP server listens (0 = any free port). */
  readonly port: number;
  /**
   * The ops endpoints an adapter answering PORT serves beside its own paths: all of them, or only /healthz
   * when OPS_PORT keeps readiness and metrics on an internal port.
   */
  readonly ops: { handler: OpsHandler; paths: readonly string[] };
  /** More routes an adapter answering PORT mounts (WeCom's callback, when configured). */
  readonly routes: readonly HostRoute[];
  /** DEFAULT_LOCALE. */
  readonly locale: Locale;
  /** The bot runs on the embedded WeCom sandbox. */
  readonly sandbox: boolean;
  /** QR_DIR: where QR images are saved for a person to open. */
  readonly qrDir: string;
  /**
   * Mounts a route of the adapter's (a platform's webhook) on the server the composer opens on PORT, for
   * an adapter that receives HTTP but does not run a server of its own. Call it during `start`.
   */
  serve(route: HostRoute): void;
}

/** A chat adapter once started: the composer stops it on shutdown. */
export interface RunningAdapter {
  readonly name: string;
  /**
   * Set when the adapter answers PORT itself (with `host.ops` and `host.routes`): the port it listens on.
   * The composer then opens no server there and tells WeCom's callbacks this port.
   */
  readonly servesPort?: number | undefined;
  /** Resolves when the adapter ends by itself (the console: `exit` or end of input). */
  readonly ended?: Promise<void> | undefined;
  stop(): Promise<void>;
}
