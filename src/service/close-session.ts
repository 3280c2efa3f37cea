/**
 * Ending a temporary session: finds it (by way and customer, or by member and customer id), checks who may end
 * it (the way's owner or an admin; a session we never saw, admins only), ends it at WeCom, records it as ended.
 */
import { ForbiddenError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import { validate } from '../base/validate.js';
import type { CustomerRecord } from '../store/customer-store.js';
import { requesterKey } from '../store/index.js';
import { closeTempChatRequestSchema } from '../wecom/schemas.js';
import type { ServiceContext } from './context.js';
import { pickCustomer } from './sessions.js';
import type { ContactWayService } from './types.js';

export function closeSessions(
  ctx: ServiceContext,
): Pick<ContactWayService, 'closeSession' | 'closeTempChat'> {
  const { wecom, records, customers, now, audited, owned, isAdmin, mayAct } = ctx;

  /** Finds the session, checks who may end it, ends it at WeCom, then records it as ended. */
  const closeSession: ContactWayService['closeSession'] = (requester, target) => {
    const where =
      'configId' in target
        ? `${target.configId}/${target.customer ?? ''}`
        : `${target.userid}/${target.externalUserId}`;
    return audited(requester, 'close', where, async () => {
      let customer: CustomerRecord | undefined;
      const known = 'configId' in target ? await records.get(target.configId) : undefined;
      // `close <userid> <external_userid>` reads like `close <config_id> <customer>`: no such way, so a member.
      const byWay = 'configId' in target && (known || !target.customer) ? target : undefined;
      if (byWay) {
        const record = await owned(requester, byWay.configId);
        customer = pickCustomer(
          record.configId,
          await customers.listByWay(record.configId),
          byWay.customer,
          now(),
        );
      } else {
        const pair =
          'configId' in target
            ? { userid: target.configId, external_userid: target.customer }
            : { userid: target.userid, external_userid: target.externalUserId };
        const request = validate(closeTempChatRequestSchema, pair, (path) =>
          path[0] === 'userid' ? 'config_id' : 'customer',
        );
        // The newest record of this pair names the way the session came from, hence its owner.
        customer = (await customers.find(request.userid, request.external_userid)).at(-1);
        const way = customer ? await records.get(customer.configId) : undefined;
        // Provider modes: a customer of a way this corp does not see is another corp's, not ours to name.
        if (!way && ctx.corp?.()) customer = undefined;
        if (!customer && !isAdmin(requester)) {
          throw new ForbiddenError(
            t(
              'No customer of ours opened this session (it did not come through one of our QR codes): only an admin can end it.',
              '该会话并非通过我们的二维码建立：只有管理员可以结束它。',
            ),
          );
        }
        if (customer && !(way && mayAct(requester, way))) {
          throw new ForbiddenError(
            t(
              'Only the owner of the contact way this session came from, or an admin, can end it.',
              '只有该会话来源「联系我」的创建者或管理员可以结束它。',
            ),
          );
        }
      }
      const userid = customer?.userId ?? ('userid' in target ? target.userid : target.configId);
      const externalUserId =
        customer?.externalUserId ??
        ('externalUserId' in target ? target.externalUserId : (target.customer ?? ''));
      await wecom.closeTempChat({ userid, external_userid: externalUserId });
      if (customer) {
        await customers.put({
          ...customer,
          session: 'closed',
          closed: { by: requesterKey(requester), at: new Date(now()).toISOString() },
        });
      }
      return {
        userid,
        externalUserId,
        ...(customer?.name ? { name: customer.name } : {}),
        ...(customer ? { configId: customer.configId } : {}),
      };
    });
  };

  return {
    closeSession,
    async closeTempChat(requester, request) {
      await closeSession(requester, { userid: request.userid, externalUserId: request.external_userid });
    },
  };
}
