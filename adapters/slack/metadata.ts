import { z } from 'zod';
import type { Locale } from '../../src/i18n.js';

/** Slack's limit for a view's `private_metadata`, in characters. */
export const MAX_METADATA_CHARS = 3000;

/**
 * What a modal must remember about the slash command that opened it. A `view_submission` carries neither
 * the channel nor the `response_url` of that command, so they travel in `private_metadata`, which Slack
 * sends back untouched inside the signed payload (no server-side state to lose on a restart).
 */
export interface FormContext {
  /** The command the form belongs to (`temp`). */
  command: string;
  /** Its parsed arguments (`{ user: 'zhangsan' }`), checked again on submission. */
  args: Record<string, string>;
  /** The channel the command was typed in; where the ephemeral summary goes when response_url fails. */
  channelId: string;
  teamId: string;
  userId: string;
  /** The slash command's response_url: 5 uses within 30 minutes, ephemeral by default. */
  responseUrl: string;
  /** The language the form was rendered in. */
  locale: Locale;
}

// Short keys: the response_url alone takes ~100 of the 3000 characters.
const wireSchema = z.object({
  v: z.literal(1),
  c: z.string().min(1).max(32),
  a: z.record(z.string(), z.string()),
  ch: z.string().max(64),
  t: z.string().max(64),
  u: z.string().max(64),
  r: z.string().max(1000),
  l: z.enum(['en', 'zh']),
});

/** Encodes a form context for `private_metadata`; undefined when it would not fit in 3000 characters. */
export function encodeMetadata(context: FormContext): string | undefined {
  const text = JSON.stringify({
    v: 1,
    c: context.command,
    a: context.args,
    ch: context.channelId,
    t: context.teamId,
    u: context.userId,
    r: context.responseUrl,
    l: context.locale,
  } satisfies z.input<typeof wireSchema>);
  return text.length <= MAX_METADATA_CHARS ? text : undefined;
}

/** Decodes `private_metadata`; undefined when it is not ours (another view, or an older format). */
export function decodeMetadata(text: string | undefined): FormContext | undefined {
  if (!text) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = wireSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const w = parsed.data;
  return {
    command: w.c,
    args: w.a,
    channelId: w.ch,
    teamId: w.t,
    userId: w.u,
    responseUrl: w.r,
    locale: w.l,
  };
}
