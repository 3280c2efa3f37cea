/** Reading ways: one in full (live from WeCom, QR, customers), the requester's list, and what came of them. */
import { WecomError } from '../base/errors.js';
import { requesterKey } from '../store/index.js';
import type { ServiceContext } from './context.js';
import type { ContactWayService } from './types.js';
import { type WayUsage, wayUsage } from './way-usage.js';

export function readWays(ctx: ServiceContext): Pick<ContactWayService, 'show' | 'way' | 'list' | 'usage'> {
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
        const seen = view(record);
        const found = await customers.listByWay(configId);
        // A used or expired temp QR no longer works: nothing to fetch, nothing to offer.
        const dead = seen.expired || wayUsage(record, found).usedBy !== undefined;
        const qrUrl = dead ? undefined : (live?.qr_code ?? record.qrCode);
        const qr = qrUrl ? await fetchQr(qrUrl) : undefined;
        return { record: seen, live, qr, customers: found };
      });
    },

    async way(requester, configId) {
      return view(await owned(requester, configId));
    },

    async list(requester) {
      const found = isAdmin(requester)
        ? await records.listAll()
        : await records.listByRequester(requesterKey(requester));
      return found.filter((r) => r.status !== 'deleted').map(view);
    },

    async usage(requester, configIds) {
      const usage = new Map<string, WayUsage>();
      for (const configId of configIds) {
        const record = await records.get(configId);
        if (!record || !mayAct(requester, record)) continue;
        usage.set(configId, wayUsage(record, await customers.listByWay(configId)));
      }
      return usage;
    },
  };
}
