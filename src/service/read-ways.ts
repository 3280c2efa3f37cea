/** Reading ways: one in full (live from WeCom, QR, customers), the requester's list, and customer counts. */
import { WecomError } from '../base/errors.js';
import { requesterKey } from '../store/index.js';
import type { ServiceContext } from './context.js';
import type { ContactWayService } from './types.js';

export function readWays(
  ctx: ServiceContext,
): Pick<ContactWayService, 'show' | 'current' | 'list' | 'customerCounts'> {
  const { wecom, records, customers, fetchQr, view, audited, owned, isAdmin, mayAct } = ctx;
  return {
    show(requester, configId) {
      return audited(requester, 'show', configId, async () => {
        const record = await owned(requester, configId);
        const live = await wecom.getContactWay(configId).catch((error: unknown) => {
          // A temp way WeCom no longer knows is still ours to show; anything else is a real failure.
          if (error instanceof WecomError && error.errcode === 41044) return undefined;
          throw error;
        });
        const qrUrl = live?.qr_code ?? record.qrCode;
        const qr = qrUrl ? await fetchQr(qrUrl) : undefined;
        return { record: view(record), live, qr, customers: await customers.listByWay(configId) };
      });
    },

    async current(requester, configId) {
      return view(await owned(requester, configId));
    },

    async list(requester) {
      const found = isAdmin(requester)
        ? await records.listAll()
        : await records.listByRequester(requesterKey(requester));
      return found.filter((r) => r.status !== 'deleted').map(view);
    },

    async customerCounts(requester, configIds) {
      const counts = new Map<string, number>();
      for (const configId of configIds) {
        const record = await records.get(configId);
        if (!record || !mayAct(requester, record)) continue;
        counts.set(configId, (await customers.listByWay(configId)).length);
      }
      return counts;
    },
  };
}
