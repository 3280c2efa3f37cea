import { z } from 'zod';
import type { Locale } from '../base/i18n.js';
import { type Requester, requesterKey } from '../store/index.js';
import type { FormValues } from '../ui/model.js';
import type { Extra } from './port.js';
import type { StateStore } from './state-store.js';
import { encodeToken, readToken } from './token.js';

/**
 * What a form carries to be completed later: the command and its arguments, fields given outside the form,
 * who opened it, its language, the adapter's own data, and (for a form reopened after errors) what was typed.
 * It travels as a token (token.ts): inline when it fits, else stored as `@<id>`. Either way it is bound to its requester: a submission by anyone else is refused.
 */
export interface FormState {
  command: string;
  args: Record<string, string>;
  fixed: Record<string, string>;
  owner: string;
  locale: Locale;
  extra: Extra;
  typed?: Record<string, string> | undefined;
}

// Short keys: Slack's response_url alone takes ~100 of private_metadata's 3000 characters.
const wireSchema = z.object({
  v: z.literal(2),
  c: z.string().min(1).max(32),
  a: z.record(z.string(), z.string()),
  f: z.record(z.string(), z.string()),
  o: z.string().min(1).max(400),
  l: z.enum(['en', 'zh']),
  x: z.record(z.string(), z.string()),
  t: z.record(z.string(), z.string()).optional(),
});

function toWire(s: FormState): z.input<typeof wireSchema> {
  return { v: 2, c: s.command, a: s.args, f: s.fixed, o: s.owner, l: s.locale, x: s.extra, t: s.typed };
}

function fromWire(raw: unknown): FormState | undefined {
  const parsed = wireSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const w = parsed.data;
  return { command: w.c, args: w.a, fixed: w.f, owner: w.o, locale: w.l, extra: w.x, typed: w.t };
}

/** Builds the state of a form opened by `requester`. */
export function formState(
  requester: Requester,
  fields: Omit<FormState, 'owner' | 'fixed' | 'extra'> & { fixed?: FormValues; extra?: Extra | undefined },
): FormState {
  const fixed = Object.fromEntries(
    Object.entries(fields.fixed ?? {}).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return { ...fields, fixed, extra: fields.extra ?? {}, owner: requesterKey(requester) };
}

/**
 * The token for a state: inline JSON when it fits `maxChars`, else a stored reference. Synchronous: the id
 * is chosen now and the write goes on in the background (`written`), since a form must open before any await.
 */
export function encodeFormState(
  state: FormState,
  maxChars: number,
  store: StateStore,
): { token: string; written?: Promise<boolean> } {
  const { token, written } = encodeToken(toWire(state), maxChars, store);
  return { token, ...(written ? { written } : {}) };
}

export type Decoded =
  | { ok: true; state: FormState }
  | { ok: false; reason: 'stale' }
  /** `locale`: the language the form was shown in, which its submitter was reading. */
  | { ok: false; reason: 'not-yours'; locale: Locale };

/** Reads a token back and checks it belongs to `requester`. */
export async function decodeFormState(
  token: string,
  requester: Requester,
  store: StateStore,
  timeoutMs?: number,
): Promise<Decoded> {
  const { raw } = await readToken(token, store, timeoutMs);
  const state = fromWire(raw);
  if (!state) return { ok: false, reason: 'stale' };
  if (state.owner !== requesterKey(requester))
    return { ok: false, reason: 'not-yours', locale: state.locale };
  return { ok: true, state };
}
