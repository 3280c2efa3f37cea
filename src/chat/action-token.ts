import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type RequesterIdentity, requesterKey } from '../store/keys.js';
import type { ReplyAction } from '../ui/model.js';
import { configIdSchema } from '../wecom/schemas.js';
import { STATE_TTL_MS, type StateStore } from './state-store.js';
import { encodeToken, readToken } from './token.js';

/**
 * How a platform asks before a button's action runs. `native`: its button carries the question (Slack's
 * confirm dialog) and the click arrives confirmed. `ask`: the flow answers the click with the question and
 * Yes/No buttons of its own (Discord, the console).
 */
export type ConfirmMode = 'native' | 'ask';

/**
 * How long a notification's buttons work: WeCom's longest temporary session (14 days) and a day more, so
 * End session works for as long as there is a session to end. Also the life of a reply's button that had
 * to be stored (a config_id too long for Discord's custom_id).
 */
export const NOTIFICATION_TTL_MS = 15 * 86_400_000;

/** 10 base64url characters (60 bits) of a digest: short enough for a custom_id, never equal by chance. */
const OWNER_CHARS = 10;

/**
 * The owner tag of a requester: a digest of `platform:workspace:user`, not the ids themselves, to leave room
 * in a Discord custom_id. It needs no secret: it is compared with the tag of whoever clicks, and forging
 * one's own tag gains nothing one could not get by running the command.
 */
export function ownerTag(requester: RequesterIdentity): string {
  return createHash('sha256').update(requesterKey(requester)).digest('base64url').slice(0, OWNER_CHARS);
}

const questionSchema = z.object({ t: z.string(), x: z.string(), y: z.string(), n: z.string() });

// Short keys: a Discord custom_id holds 100 characters, and a show or delete token must fit inline.
const wireSchema = z.object({
  k: z.enum(['show', 'delete', 'close', 'again', 'approve-link', 'decline-link']),
  c: configIdSchema,
  u: z.string().min(1).max(256).optional(),
  o: z.string().regex(/^[A-Za-z0-9_-]{10}$/),
  /** Ask before running (a platform without confirm dialogs). */
  a: z.literal(1).optional(),
  /** The "No" of a question: nothing runs. */
  n: z.literal(1).optional(),
  /** The "Yes" of a question: its result replaces the question. */
  y: z.literal(1).optional(),
  /** The workspace a notification was sent for: a click from outside it (a Discord DM) acts there. */
  w: z.string().min(1).max(128).optional(),
  /** The question's own texts, carried when the token is stored anyway (End session names the customer). */
  q: questionSchema.optional(),
});
type Wire = z.infer<typeof wireSchema>;

export interface Question {
  title: string;
  text: string;
  yes: string;
  no: string;
}

/** What a button means, read back from its token. */
export interface ActionIntent {
  kind: Wire['k'];
  configId: string;
  customer?: string | undefined;
  /** Ask before running it (the flow answers with the question). */
  ask: boolean;
  /** The "No" of a question: say so, run nothing. */
  no: boolean;
  /** The "Yes" of a question: run it, in place of the question. */
  yes: boolean;
  question?: Question | undefined;
  /** Where the action acts when clicked from outside any workspace (only ever from a stored token). */
  workspaceId?: string | undefined;
  /** The token named a state-store entry (its workspace may be trusted; its answers are stored too). */
  stored: boolean;
}

export type ReadIntent = { ok: true; intent: ActionIntent } | { ok: false; reason: 'stale' | 'not-yours' };

export interface ActionTokens {
  /**
   * These actions with their tokens, bound to `requester`; an action whose token could not be stored
   * is left out (its button would only say "expired"). Confirm texts stay only where the platform renders
   * them itself (`native`). `notification`: the tokens are stored for {@link NOTIFICATION_TTL_MS} and name
   * the requester's workspace, for clicks from a DM.
   */
  bind(
    actions: readonly ReplyAction[],
    requester: RequesterIdentity,
    how?: { notification?: boolean },
  ): Promise<ReplyAction[]>;
  /** The question's Yes and No buttons, for an intent read from a token of `requester`'s. */
  question(intent: ActionIntent, requester: RequesterIdentity, question: Question): Promise<ReplyAction[]>;
  /**
   * Reads a token back for the clicker. `elsewhere`: clicked from outside any workspace (a Discord DM), so
   * a stored token's workspace stands for the clicker's.
   */
  read(
    token: string,
    clicker: RequesterIdentity,
    options?: { elsewhere?: boolean; timeoutMs?: number },
  ): Promise<ReadIntent>;
}

/**
 * Tokens for the buttons of every reply the flow hands a platform, made like a form's state (token.ts):
 * inline when they fit `chars` (Slack's 2000-character button value, what a Discord custom_id leaves),
 * else stored. Each names the requester it is shown to by their owner tag: a click by anyone else is
 * refused, whatever the button does.
 */
export function createActionTokens(options: {
  state: StateStore;
  chars: number;
  confirm: ConfirmMode;
}): ActionTokens {
  const { state, chars } = options;

  async function encode(
    wire: Wire,
    how: { stored?: boolean; ttlMs: number; question?: Question | undefined },
  ): Promise<string | undefined> {
    const q = how.question;
    const storedWire = q ? { ...wire, q: { t: q.title, x: q.text, y: q.yes, n: q.no } } : wire;
    const encoded = encodeToken(wire, chars, state, {
      ttlMs: how.ttlMs,
      ...(how.stored ? { stored: true } : {}),
      storedWire,
    });
    if (encoded.written && !(await encoded.written)) return undefined;
    return encoded.token;
  }

  function wireOf(
    action: { kind: Wire['k']; configId: string; customer?: string | undefined },
    requester: RequesterIdentity,
  ): Wire {
    return {
      k: action.kind,
      c: action.configId,
      ...(action.customer ? { u: action.customer } : {}),
      o: ownerTag(requester),
    };
  }

  return {
    async bind(actions, requester, how = {}) {
      const notification = Boolean(how.notification);
      const bound = await Promise.all(
        actions.map(async (action): Promise<ReplyAction | undefined> => {
          // Already bound (a question's Yes and No); a `keep` means nothing without the question's token.
          if (action.token) return action;
          if (action.kind === 'keep') return undefined;
          const ask = Boolean(action.confirm) && options.confirm === 'ask';
          const wire: Wire = {
            ...wireOf({ ...action, kind: action.kind }, requester),
            ...(ask ? { a: 1 as const } : {}),
            ...(notification ? { w: requester.workspaceId } : {}),
          };
          const token = await encode(wire, {
            stored: notification,
            ttlMs: NOTIFICATION_TTL_MS,
            question: ask ? action.confirm : undefined,
          });
          if (!token) return undefined;
          const { confirm, ...rest } = action;
          return { ...rest, ...(confirm && !ask ? { confirm } : {}), token };
        }),
      );
      return bound.filter((a): a is ReplyAction => a !== undefined);
    },

    async question(intent, requester, question) {
      const base: Wire = {
        ...wireOf(intent, requester),
        ...(intent.workspaceId ? { w: intent.workspaceId } : {}),
      };
      // A question is answered within minutes; a stored answer keeps the workspace the question acted in.
      const how = { stored: intent.stored && Boolean(intent.workspaceId), ttlMs: STATE_TTL_MS };
      const [yes, no] = await Promise.all([encode({ ...base, y: 1 }, how), encode({ ...base, n: 1 }, how)]);
      const common = { configId: intent.configId, ...(intent.customer ? { customer: intent.customer } : {}) };
      return [
        ...(yes ? [{ kind: intent.kind, label: question.yes, danger: true, token: yes, ...common }] : []),
        ...(no ? [{ kind: 'keep' as const, label: question.no, token: no, ...common }] : []),
      ];
    },

    async read(token, clicker, readOptions = {}) {
      const { raw, stored } = await readToken(token, state, readOptions.timeoutMs);
      const parsed = wireSchema.safeParse(raw);
      if (!parsed.success) return { ok: false, reason: 'stale' };
      const w = parsed.data;
      // Only a stored token (its entry id unguessable, its content ours) may say where a DM click acts.
      const workspaceId = stored && readOptions.elsewhere && w.w ? w.w : undefined;
      const acting = workspaceId ? { ...clicker, workspaceId } : clicker;
      if (w.o !== ownerTag(acting)) return { ok: false, reason: 'not-yours' };
      return {
        ok: true,
        intent: {
          kind: w.k,
          configId: w.c,
          customer: w.u,
          ask: w.a === 1,
          no: w.n === 1,
          yes: w.y === 1,
          question: w.q ? { title: w.q.t, text: w.q.x, yes: w.q.y, no: w.q.n } : undefined,
          workspaceId: w.w && stored ? w.w : undefined,
          stored,
        },
      };
    },
  };
}
