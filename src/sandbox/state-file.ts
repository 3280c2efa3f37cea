import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../base/logger.js';
import { welcomeAttachmentSchema } from '../wecom/attachment-schemas.js';
import { addContactWayRequestSchema } from '../wecom/schemas.js';

/** Owner-only, like the store's files (src/store/open-keyv.ts): the file names the corp's customers. */
const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;
/** Changes within this window are written together: a burst of calls costs one write. */
const COALESCE_MS = 50;

const storedWaySchema = z.object({
  configId: z.string().min(1),
  seq: z.number().int(),
  createdAtMs: z.number(),
  request: addContactWayRequestSchema,
  expiresAtMs: z.number().optional(),
  usedAtMs: z.number().optional(),
  usedBy: z.string().optional(),
});

const sessionSchema = z.object({
  configId: z.string(),
  userid: z.string(),
  externalUserId: z.string(),
  expiresAtMs: z.number(),
  closed: z.boolean(),
});

const customerSchema = z.object({
  externalUserId: z.string(),
  name: z.string(),
  userid: z.string(),
  configId: z.string(),
  state: z.string().optional(),
  createTime: z.number().int(),
  welcomeCode: z.string(),
  welcome: z
    .object({
      content: z.string(),
      atMs: z.number(),
      attachments: z.array(welcomeAttachmentSchema).optional(),
    })
    .optional(),
});

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const waysSchema = z.object({
  seq: z.number().int(),
  ways: z.array(storedWaySchema),
  sessions: z.array(sessionSchema),
});
const tokensSchema = z.array(
  z.object({
    hash: sha256Hex,
    expiresAtMs: z.number(),
    revokedWith: z.literal([42001, 40014]).optional(),
  }),
);
const customersSchema = z.object({ named: z.number().int().min(0), customers: z.array(customerSchema) });

/**
 * The provider platform's part (only when started with `provider`): tickets, suite tokens and permanent codes
 * as SHA-256 only, and each customer corp's install, ways, customers and tokens.
 */
const providerStateSchema = z.object({
  suiteId: z.string(),
  lastTimestamp: z.number().int(),
  tickets: z.array(z.object({ hash: sha256Hex, issuedAtMs: z.number() })),
  suiteTokens: z.array(
    z.object({ hash: sha256Hex, expiresAtMs: z.number(), revokedWith: z.literal([42009, 40082]).optional() }),
  ),
  corps: z.array(
    z.object({
      corpId: z.string(),
      install: z
        .object({
          corpId: z.string(),
          openCorpId: z.string(),
          corpName: z.string(),
          agentId: z.number().int(),
          status: z.enum(['active', 'cancelled']),
          authType: z.number().int(),
          state: z.string().optional(),
          permanentCodeHash: sha256Hex,
        })
        .optional(),
      ways: waysSchema,
      tokens: tokensSchema,
      customers: customersSchema,
    }),
  ),
});
export type ProviderState = z.infer<typeof providerStateSchema>;

/** Everything a restarted sandbox needs to answer as the one before it did. Version 1. */
export const sandboxStateSchema = z.object({
  version: z.literal(1),
  /** The corp the state belongs to: a sandbox started for another corp id starts empty. */
  corpId: z.string(),
  /** The port last listened on, reused when none is asked for, so qr_code URLs handed out stay valid. */
  port: z.number().int().min(1).max(65_535).optional(),
  ways: waysSchema,
  tokens: tokensSchema,
  customers: customersSchema,
  provider: providerStateSchema.optional(),
});

export type SandboxState = z.infer<typeof sandboxStateSchema>;

/**
 * The sandbox's state on disk, so a restarted bot finds the ways, customers and tokens it left (WeCom does not
 * forget either). Loaded once at start; written whole, atomically (temp file + rename, 0600), shortly after each
 * change and at close. A missing file is a first run; an unreadable, corrupt or other-format one is set aside
 * with a warning and the sandbox starts empty: a demo tool must never refuse to start over its own cache.
 */
export class StateFile {
  private timer: NodeJS.Timeout | undefined;
  private lastWritten: string | undefined;
  private source: (() => SandboxState) | undefined;
  private failing = false;

  constructor(
    readonly path: string,
    private readonly logger: Logger,
  ) {}

  load(corpId: string): SandboxState | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      this.logger.warn(
        { path: this.path, err: error },
        'sandbox: cannot read the state file; starting empty',
      );
      return undefined;
    }
    let parsed: SandboxState;
    try {
      parsed = sandboxStateSchema.parse(JSON.parse(text));
    } catch {
      // The details may quote customer names; the path and the fact are enough to act on.
      return this.setAside('is corrupt or of another version');
    }
    if (parsed.corpId !== corpId) return this.setAside('belongs to another corp id');
    this.lastWritten = text;
    return parsed;
  }

  /** Moves an unusable file out of the way (kept for a look, never read again) and starts empty. */
  private setAside(why: string): undefined {
    const aside = `${this.path}.unused-${Date.now()}`;
    try {
      renameSync(this.path, aside);
    } catch {
      // It is overwritten at the first change instead.
    }
    this.logger.warn({ path: this.path, setAside: aside }, `sandbox: the state file ${why}; starting empty`);
    return undefined;
  }

  /** Writes `snapshot()` soon; several changes in a row are written once. */
  changed(snapshot: () => SandboxState): void {
    this.source = snapshot;
    this.timer ??= setTimeout(() => this.flush(), COALESCE_MS);
    // A pending write must not keep a test or a stopping process alive; close() flushes it.
    this.timer.unref();
  }

  /** Writes now if anything changed since the last write. Never throws: a failed write is logged once. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const source = this.source;
    if (!source) return;
    this.source = undefined;
    const text = JSON.stringify(source());
    if (text === this.lastWritten) return;
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: PRIVATE_DIR });
      rmSync(tmp, { force: true });
      writeFileSync(tmp, text, { mode: PRIVATE_FILE });
      renameSync(tmp, this.path);
      this.lastWritten = text;
      this.failing = false;
    } catch (error) {
      if (!this.failing)
        this.logger.warn({ path: this.path, err: error }, 'sandbox: cannot write the state file');
      this.failing = true;
    }
  }
}
