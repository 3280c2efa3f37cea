import { setMaxListeners } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Logger } from '../base/logger.js';
import { silentLogger } from '../base/logger.js';
import { ENDPOINTS } from '../wecom/schemas.js';
import { ContactWayApi } from './contact-ways.js';
import type { CorpWorld } from './corp-world.js';
import { CustomerApi, type SandboxCustomer, type ScanResult } from './customers.js';
import { Directory } from './directory.js';
import { Faults } from './faults.js';
import { MediaStore } from './media.js';
import { ProviderPlatform } from './provider.js';
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
  /** The self-built corp, as a world like the provider's customer corps. */
  readonly selfBuilt: CorpWorld;
  /** WeCom's provider platform, when started with `provider`. */
  readonly provider: ProviderPlatform | undefined;
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
      checkMedia: (mediaId) => this.media.check(mediaId, this.corpId),
    });
    this.customers = new CustomerApi({
      corpId: this.corpId,
      store: this.store,
      directory: this.directory,
      now: this.now,
      scanWay: (configId, externalUserId) => this.api.scan(configId, externalUserId),
      checkMedia: (mediaId) => this.media.check(mediaId, this.corpId),
    });
    this.selfBuilt = {
      corpId: this.corpId,
      directory: this.directory,
      store: this.store,
      tokens: this.tokens,
      api: this.api,
      customers: this.customers,
    };
    this.provider = options.provider
      ? new ProviderPlatform(options.provider, {
          now: this.now,
          logger: this.logger,
          qrUrl: (id) => `${this.url}/sandbox/qr/${id}.png`,
          picUrl: (mediaId) => `${this.url}/sandbox/media/${encodeURIComponent(mediaId)}.png`,
          checkMedia: (mediaId, corpId) => this.media.check(mediaId, corpId),
          appCallback: () => this.customers.callbackTarget(),
          changed: () => this.changed(),
        })
      : undefined;
    this.stateFile = options.statePath ? new StateFile(options.statePath, this.logger) : undefined;
    this.restored = this.stateFile?.load(this.corpId);
    if (this.restored) {
      this.store.restore(this.restored.ways);
      this.tokens.restore(this.restored.tokens);
      this.customers.restore(this.restored.customers);
      if (this.restored.provider) this.provider?.restore(this.restored.provider);
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
      ...(this.provider ? { provider: this.provider.state() } : {}),
    };
  }

  /** The corp an access token was issued for: a provider customer's, else the self-built corp. */
  worldOf(token: string | null): CorpWorld {
    for (const world of this.provider?.worlds() ?? []) if (world.tokens.knows(token)) return world;
    return this.selfBuilt;
  }

  /** The corp a contact way belongs to (config ids are random, so unique across corps). */
  worldOfWay(configId: string): CorpWorld {
    return this.provider?.worlds().find((w) => w.store.get(configId)) ?? this.selfBuilt;
  }

  /** Invalidates every access token, of every corp. */
  revokeAllTokens(code: 42001 | 40014): void {
    this.tokens.revokeAll(code);
    for (const world of this.provider?.worlds() ?? []) world.tokens.revokeAll(code);
  }

  /** A customer scans a way of whichever corp; a provider customer's answer names the ids its app sees. */
  async scan(
    configId: string,
    options: { externalUserId?: string; name?: string } = {},
  ): Promise<ScanResult> {
    const world = this.worldOfWay(configId);
    try {
      const done = await world.customers.scan(configId, options);
      if (!world.ids) return done;
      return {
        ...done,
        externalUserId: world.ids.external(done.externalUserId),
        userid: world.ids.user(done.userid),
      };
    } finally {
      this.changed();
    }
  }

  /** A customer of the self-built corp, or of a provider customer corp by the id its app sees (in those ids). */
  customer(externalUserId: string): SandboxCustomer | undefined {
    const own = this.customers.customer(externalUserId);
    if (own) return own;
    for (const world of this.provider?.worlds() ?? []) {
      const ids = world.ids;
      const found = world.customers
        .state()
        .customers.find((c) => ids?.external(c.externalUserId) === externalUserId);
      if (found && ids) return { ...found, externalUserId, userid: ids.user(found.userid) };
    }
    return undefined;
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
    const way = this.worldOfWay(configId).store.get(configId);
    return way ? structuredClone(way) : undefined;
  }
}
