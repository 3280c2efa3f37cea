import { z } from 'zod';

/** One line of the audit trail: who did what to which contact way, and how it ended. */
export const auditEntrySchema = z.object({
  at: z.iso.datetime({ offset: true }),
  /** A requester key (`slack:T…:U…`), or `system` for jobs. */
  actor: z.string().min(1).max(512),
  /** What was attempted, e.g. `contact-way.create`. */
  action: z.string().min(1).max(128),
  /** Usually a config_id. */
  target: z.string().max(256).optional(),
  result: z.enum(['ok', 'error', 'denied']),
  /** The ContactwayError code when `result` is not `ok`. */
  code: z.string().max(128).optional(),
  detail: z.string().max(2_000).optional(),
  /** Provider modes: the corp the actor's workspace worked in; its admins read only their corp's entries. */
  authCorpId: z.string().min(1).max(128).optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
