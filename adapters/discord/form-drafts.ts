import { randomBytes } from 'node:crypto';
import type Keyv from 'keyv';
import { z } from 'zod';
import type { Logger } from '../../src/logger.js';

/**
 * A form kept server-side, for what does not fit in a 100-character `custom_id`: a modal's context when its
 * arguments are long, and what a requester typed into a form that failed validation (so "Fix and resubmit"
 * reopens it prefilled). Kept in the core's Keyv with a TTL: drafts are disposable, never records.
 */
const draftSchema = z.object({
  command: z.string(),
  /** The command's arguments and the form fields given as slash options. */
  params: z.record(z.string(), z.string()),
  /** What was typed into the modal, by field id. */
  values: z.record(z.string(), z.string()).optional(),
  /** Only the requester it was made for (guild + user, see `ownerTag`) may use it. */
  owner: z.string(),
});
export type FormDraft = z.infer<typeof draftSchema>;

export interface DraftStore {
  /**
   * Picks the id at once (synchronously) and writes in the background, so a handler can put the id in a
   * modal's custom_id and show the modal before the write completes. `written` never rejects: it says
   * whether the draft was stored (a failure is logged), so a background write cannot crash the process.
   */
  save(draft: FormDraft): { id: string; written: Promise<boolean> };
  /** The draft, or undefined when unknown, expired, unreadable, or slower than `timeoutMs`. */
  load(id: string, timeoutMs?: number): Promise<FormDraft | undefined>;
}

/** Key family for drafts in the shared Keyv (see src/store/keys.ts for the others). */
const PREFIX = 'discord-form:';

/** Long enough to fix a form and come back; short enough that stale drafts do not pile up. */
export const DRAFT_TTL_MS = 30 * 60 * 1000;

export function createDraftStore(keyv: Keyv, options: { ttlMs?: number; logger?: Logger } = {}): DraftStore {
  const ttlMs = options.ttlMs ?? DRAFT_TTL_MS;
  return {
    save(draft) {
      // 9 random bytes = 12 base64url characters: unguessable, and short enough for any custom_id.
      const id = randomBytes(9).toString('base64url');
      const written = keyv.set(`${PREFIX}${id}`, draft, ttlMs).then(
        () => true,
        (error: unknown) => {
          options.logger?.warn({ err: error }, 'could not store a Discord form draft');
          return false;
        },
      );
      return { id, written };
    },
    async load(id, timeoutMs = 2_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      });
      try {
        const raw = await Promise.race([keyv.get(`${PREFIX}${id}`), timeout]);
        const parsed = draftSchema.safeParse(raw);
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Form values without the empty slots, as a draft stores them. */
export function compactValues(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
}
