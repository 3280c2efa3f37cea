import { setMaxListeners } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Logger } from '../base/logger.js';
import { silentLogger } from '../base/logger.js';
import { ENDPOINTS } from '../wecom/schemas.js';
import { ContactWayApi } from './contact-ways.js';
import { CustomerApi } from './customers.js';
import { Directory } from './directory.js';
import { Faults } from './faults.js';
import { MediaStore } from './media.js';
import { type SandboxState, StateFile } from './state-file.js';
import { Tokens } from './tokens.js';
import type { FaultSpec, SandboxOptions, SandboxStats } from './types.js';
import { WayStore } from './way-store.js';

/** Everything the sandbox knows, shared by the HTTP routes and the in-process API. */
/** Request bodies kept for `received`: enough for a test, bounded for a long-running `npm run sandbox`. */
const MAX_BODIES = 200;

export class SandboxCore {
  readonly corpId: string;
  readonly corpSecret: string;
  readonly now: () => number;
  readonly logger: Logger;
  readonly directory: Directory;
  readonly store = new WayStore();
  readonly tokens: Tokens;
  readonly faults = new Faults();
  readonly api: ContactWayApi;
  /** Simulated customers and the callback events their scans send. */
  readonly customers: CustomerApi;
  /** media/upload's images and the three-day life of their media_ids. */
  readonly media: MediaStore;
  /** Responses a `hang` fault holds open; `close()` destroys them. */
  readonly hanging = new Set<ServerResponse>();
  /** Aborted by `close()`, so pending latency waits end with the server. */
  readonly closing = (() => {
    const controller = new AbortController();
    // Every delayed call listens on this one signal; hundreds at once are expected, not a leak.
    setMaxListeners(0, controller.signal);
    return controller;
  })();
  latencyMs: number;
  /** Set once the server listens; qr_code URLs are built from it. */
  url = '';
  /** Set once the server listens; kept in the state file so a restart can listen there again. */
  port: number | undefined;
  /** Where the state is kept across restarts, when `statePath` is given. */
  readonly stateFile: StateFile | undefined;
  /** What the state file held at start (the port to try first), undefined on a first run. */
  readonly restored: SandboxState | undefined;
  private gettokenCount = 0;
  private clockOffsetMs = 0;
  private readonly bodies: { endpoint: string; body: Record<string, unknown> }[] = [];
  private readonly calls: Record<string, number> = Object.fromEntries(ENDPOINTS.map((e) => [e, 0]));

  constructor(options: SandboxOptions) {
    this.corpId = options.corpId ?? 'ww_sandbox_corp';
    this.corpSecret = options.corpSecret ?? 'sandbox-secret';
    const clock = options.now ?? Date.now;
    // Simulated time: `advanceClock` moves every expiry (tokens, temp QRs, media_ids) forward together.
    this.now = () => clock() + this.clockOffsetMs;
    this.media = new MediaStore(this.now);
    this.logger = options.logger ?? silentLogger();
    this.latencyMs = options.latencyMs ?? 0;
    this.directory = new Directory(options.members, options.departments);
    this.tokens = new Tokens(options.tokenTtlS ?? 7200, this.now);
    this.api = new ContactWayApi({
      store: this.store,
      directory: this.directory,
      medical: options.medical ?? true,
      now: this.now,
      qrUrl: (id) => `${this.url}/sandbox/qr/${id}.png`,
      picUrl: (mediaId) => `${this.url}/sandbox/media/${encodeURIComponent(mediaId)}.png`,
      nameOf: (externalUserId) => this.customers.customer(externalUserId)?.name,
      checkMedia: (mediaId) => this.media.check(mediaId),
    });
    this.customers = new CustomerApi({
      corpId: this.corpId,
      store: this.store,
      directory: this.directory,
      now: this.now,
      scanWay: (configId, externalUserId) => this.api.scan(configId, externalUserId),
      checkMedia: (mediaId) => this.media.check(mediaId),
    });
    this.stateFile = options.statePath ? new StateFile(options.statePath, this.logger) : undefined;
    this.restored = this.stateFile?.load(this.corpId);
    if (this.restored) {
      this.store.restore(this.restored.ways);
      this.tokens.restore(this.restored.tokens);
      this.customers.restore(this.restored.customers);
      this.logger.info(
        { path: this.stateFile?.path, ways: this.restored.ways.ways.length },
        'sandbox: state restored',
      );
    }
  }

  /**
   * Something may have changed (any API call or control): the state file is rewritten soon, and only if its
   * content differs. Cheaper and surer than each mutation site remembering to say so.
   */
  changed(): void {
    this.stateFile?.changed(() => this.state());
  }

  private state(): SandboxState {
    return {
      version: 1,
      corpId: this.corpId,
      ...(this.port ? { port: this.port } : {}),
      ways: this.store.state(),
      tokens: this.tokens.state(),
      customers: this.customers.state(),
    };
  }

  count(api: string): void {
    if (api === 'gettoken') this.gettokenCount += 1;
    else this.calls[api] = (this.calls[api] ?? 0) + 1;
  }

  /** Remembers a request's JSON body (bounded), so tests can see what the bot sent and what it left out. */
  remember(endpoint: string, body: Record<string, unknown>): void {
    this.bodies.push({ endpoint, body: structuredClone(body) });
    if (this.bodies.length > MAX_BODIES) this.bodies.shift();
  }

  received(endpoint: string): Record<string, unknown>[] {
    return this.bodies.filter((b) => b.endpoint === endpoint).map((b) => structuredClone(b.body));
  }

  stats(): SandboxStats {
    return { gettoken: this.gettokenCount, calls: { ...this.calls } };
  }

  inject(fault: FaultSpec): void {
    this.faults.inject(fault);
  }

  /** Moves the sandbox clock forward by `ms` (never back): "three days later" in a test that takes a second. */
  advanceClock(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError('sandbox: advance the clock by a number of ms >= 0');
    this.clockOffsetMs += ms;
  }

  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('sandbox: latency must be a number of ms >= 0');
    this.latencyMs = ms;
  }

  simulateScan(configId: string, externalUserId: string): void {
    try {
      this.api.scan(configId, externalUserId);
    } finally {
      this.changed();
    }
  }

  contactWay(configId: string): unknown | undefined {
    const way = this.store.get(configId);
    return way ? structuredClone(way) : undefined;
  }
}
