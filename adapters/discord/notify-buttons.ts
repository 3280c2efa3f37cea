import { z } from 'zod';
import type { ReplyAction } from '../../commands/index.js';
import type { ChatActor } from '../../src/chat/port.js';
import type { StateStore } from '../../src/chat/state-store.js';

/**
 * How long a notification's buttons work: WeCom's longest temporary session (14 days) and a day more, so
 * End session works for as long as there is a session to end.
 */
export const NOTE_TTL_MS = 15 * 86_400_000;

/** What a notification button means, kept in the state store (its custom_id holds only the entry's id). */
const noteSchema = z.object({
  kind: z.enum(['show', 'close']),
  configId: z.string(),
  customer: z.string().optional(),
  /** Whom the DM went to: only they may click, and they act as themselves in that guild. */
  requester: z.object({ platform: z.string(), workspaceId: z.string(), userId: z.string() }),
  confirm: z.object({ title: z.string(), text: z.string(), yes: z.string(), no: z.string() }).optional(),
});
export type Note = z.infer<typeof noteSchema>;

/** Saves one entry per show/close action of a notification; resolves with their ids once stored. */
export async function saveNotes(
  state: StateStore,
  requester: Pick<ChatActor, 'platform' | 'workspaceId' | 'userId'>,
  actions: readonly ReplyAction[],
): Promise<(string | undefined)[]> {
  const saved = actions.map((action) => {
    if (action.kind === 'delete') return undefined;
    const note: Note = {
      kind: action.kind,
      configId: action.configId,
      ...(action.customer ? { customer: action.customer } : {}),
      requester: {
        platform: requester.platform,
        workspaceId: requester.workspaceId,
        userId: requester.userId,
      },
      ...(action.confirm ? { confirm: action.confirm } : {}),
    };
    return state.save(note, NOTE_TTL_MS);
  });
  // A button whose entry could not be stored would only say "expired": leave it out instead.
  return Promise.all(saved.map(async (s) => (s && (await s.written) ? s.id : undefined)));
}

export async function loadNote(state: StateStore, id: string): Promise<Note | undefined> {
  const parsed = noteSchema.safeParse(await state.load(id));
  return parsed.success ? parsed.data : undefined;
}
