/** Deleting a way: at WeCom, then from our store; a way WeCom already forgot is simply forgotten here too. */
import { WecomError } from '../base/errors.js';
import type { ServiceContext } from './context.js';
import type { ContactWayService } from './types.js';

export function deleteWay(ctx: ServiceContext): ContactWayService['delete'] {
  const { wecom, records, audited, owned } = ctx;
  return (requester, configId) =>
    audited(requester, 'delete', configId, async () => {
      await owned(requester, configId);
      try {
        await wecom.deleteContactWay(configId);
      } catch (error) {
        // Already gone at WeCom (expired temp way, deleted elsewhere): forgetting it is what the user wants.
        if (!(error instanceof WecomError && error.errcode === 41044)) throw error;
      }
      await records.remove(configId);
    });
}
