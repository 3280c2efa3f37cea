/** Admin-only actions: reading the audit trail, and syncing ways and customers from WeCom. */
import { ForbiddenError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import type { ServiceContext } from './context.js';
import { syncFromWecom } from './sync.js';
import type { ContactWayService } from './types.js';

export function adminActions(ctx: ServiceContext): Pick<ContactWayService, 'auditTrail' | 'sync'> {
  const { wecom, records, customers, logger, now, audit, audited, isAdmin } = ctx;
  return {
    auditTrail(requester, limit) {
      return audited(requester, 'audit', undefined, async () => {
        if (!isAdmin(requester)) {
          throw new ForbiddenError(
            t('Only admins can read the audit trail.', '只有管理员可以查看审计记录。'),
          );
        }
        // Provider modes: a corp's admins read that corp's trail only.
        const corp = ctx.corp?.();
        return audit.latest(limit, corp ? (entry) => entry.authCorpId === corp : undefined);
      });
    },

    sync(requester) {
      return audited(requester, 'sync', undefined, async () => {
        if (!isAdmin(requester)) {
          throw new ForbiddenError(t('Only admins can sync contact ways.', '只有管理员可以同步「联系我」。'));
        }
        return syncFromWecom(
          {
            wecom,
            records,
            customers,
            logger,
            now,
            ...(ctx.customerClient ? { customerClient: ctx.customerClient } : {}),
            ...(ctx.stateIndex ? { stateIndex: ctx.stateIndex } : {}),
          },
          requester,
          ctx.corp?.(),
        );
      });
    },
  };
}
