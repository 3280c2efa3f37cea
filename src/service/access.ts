/**
 * Who may do what, as the service applies the policy: use the bot at all, act on a given way (owner or admin),
 * and the policy's answers adapters ask for directly (admin, mapped WeCom user, CREATE_FOR scope).
 */
import { ForbiddenError, NotFoundError } from '../base/errors.js';
import { type ContactWayRecord, type RecordStore, type Requester, requesterKey } from '../store/index.js';
import type { ServiceContext } from './context.js';
import type { Policy } from './policy.js';
import type { ContactWayService } from './types.js';

export interface Ownership {
  isAdmin(requester: Requester): boolean;
  /** A record the requester may act on: their own, or any for an admin. Strangers get "not found". */
  owned(requester: Requester, configId: string): Promise<ContactWayRecord>;
  /** True when the requester owns the way or is an admin. */
  mayAct(requester: Requester, record: ContactWayRecord): boolean;
}

export function ownership(records: RecordStore, policy: Policy): Ownership {
  const isAdmin = (requester: Requester) => policy.isAdmin(requester);
  return {
    isAdmin,
    async owned(requester, configId) {
      const record = await records.get(configId);
      if (!record || record.status === 'deleted') throw new NotFoundError(configId);
      if (requesterKey(record.requester) !== requesterKey(requester) && !isAdmin(requester)) {
        throw new NotFoundError(configId);
      }
      return record;
    },
    mayAct: (requester, record) =>
      requesterKey(record.requester) === requesterKey(requester) || isAdmin(requester),
  };
}

type AccessMethods = Pick<
  ContactWayService,
  'accessDenied' | 'checkAccess' | 'isAdmin' | 'mappedUser' | 'memberScope'
>;

export function accessChecks(ctx: ServiceContext): AccessMethods {
  const { policy } = ctx;
  return {
    isAdmin: ctx.isAdmin,
    mappedUser: (requester) => policy.mappedUser(requester),
    memberScope: (requester) => policy.memberScope(requester),

    accessDenied(actor) {
      try {
        policy.checkAccess(actor);
        return undefined;
      } catch (error) {
        if (error instanceof ForbiddenError) return error;
        throw error;
      }
    },

    async checkAccess(actor) {
      try {
        policy.checkAccess(actor);
      } catch (error) {
        const { roles: _, ...requester } = actor;
        await ctx.appendAudit({
          actor: requesterKey(requester),
          action: 'access',
          result: 'denied',
          code: 'forbidden',
        });
        throw error;
      }
    },
  };
}
