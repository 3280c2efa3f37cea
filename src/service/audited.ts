/** The audit trail's writer: every action leaves one entry, whatever happens, and a failing write fails nothing. */
import { ContactwayError, ForbiddenError, NotFoundError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import {
  type AuditInput,
  type AuditLog,
  type Requester,
  requesterKey,
  type StoreWrite,
} from '../store/index.js';

/**
 * The action's success entry as a write, for an action that stores it with its own writes (one batch); once
 * it is taken, `audited` does not append it. Should the action fail afterwards, its error entry is appended
 * as usual.
 */
export type SuccessEntry = () => StoreWrite;

export interface Auditing {
  /** Runs an action and writes its audit entry whatever happens; a failing audit never fails the action. */
  audited<T>(
    requester: Requester,
    action: string,
    target: string | undefined,
    fn: (success: SuccessEntry) => Promise<T>,
  ): Promise<T>;
  /** Writes one entry; a failure is logged, never thrown. */
  appendAudit(entry: Parameters<AuditLog['append']>[0]): Promise<void>;
}

/** `corp`: provider modes' current corp, recorded on each entry (absent in self-built mode). */
export function auditing(audit: AuditLog, logger: Logger, corp?: () => string | undefined): Auditing {
  const stamped = (entry: AuditInput): AuditInput => {
    const authCorpId = corp?.();
    return authCorpId ? { ...entry, authCorpId } : entry;
  };

  async function appendAudit(entry: AuditInput) {
    try {
      await audit.append(stamped(entry));
    } catch (error) {
      logger.error({ err: error, audit: entry }, 'audit write failed');
    }
  }

  async function audited<T>(
    requester: Requester,
    action: string,
    target: string | undefined,
    fn: (success: SuccessEntry) => Promise<T>,
  ) {
    const actor = requesterKey(requester);
    const ok = { actor, action, target, result: 'ok' as const };
    let taken = false;
    try {
      const result = await fn(() => {
        const write = audit.entryWrite(stamped(ok));
        taken = true;
        return write;
      });
      if (!taken) await appendAudit(ok);
      return result;
    } catch (error) {
      const code = error instanceof ContactwayError ? error.code : 'internal';
      const result = error instanceof ForbiddenError || error instanceof NotFoundError ? 'denied' : 'error';
      await appendAudit({ actor, action, target, result, code });
      throw error;
    }
  }

  return { audited, appendAudit };
}
