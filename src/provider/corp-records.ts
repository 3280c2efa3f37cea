/**
 * The records a request may see, in provider modes: those made (or imported) in its corp. A record of another
 * corp is simply not there (get → undefined, absent from lists), so callers answer "not found" and nothing
 * tells a workspace that another corp's way exists. Outside any request (jobs, start-up, the journal's flush)
 * every record is seen.
 */

import { requestScope } from '../base/corp-scope.js';
import type { ContactWayRecord, RecordStore } from '../store/index.js';

/**
 * `soleCorp`: the one active installed corp. A record with no corp (made before records carried one, e.g. by
 * this bot as a self-built app) belongs to it while it is the only one; with several corps nobody can tell
 * whose it is, so nobody sees it until an admin's `sync` finds it in their corp's WeCom list: the record is
 * then stamped with that corp, keeping what only we held (requester, welcome, cards), not replaced.
 */
export function corpRecords(records: RecordStore, soleCorp: () => Promise<string | undefined>): RecordStore {
  /** The filter for the current request, or undefined when it sees everything. */
  function filter(): ((record: ContactWayRecord) => Promise<boolean>) | undefined {
    const scope = requestScope();
    if (!scope) return undefined;
    const corp = scope.authCorpId;
    let sole: Promise<string | undefined> | undefined;
    return async (record) => {
      if (corp === undefined) return false;
      if (record.authCorpId !== undefined) return record.authCorpId === corp;
      sole ??= soleCorp();
      return (await sole) === corp;
    };
  }

  async function visible(found: ContactWayRecord[]): Promise<ContactWayRecord[]> {
    const sees = filter();
    if (!sees) return found;
    const kept: ContactWayRecord[] = [];
    for (const record of found) if (await sees(record)) kept.push(record);
    return kept;
  }

  async function get(configId: string): Promise<ContactWayRecord | undefined> {
    const record = await records.get(configId);
    const sees = filter();
    return record && (!sees || (await sees(record))) ? record : undefined;
  }

  return {
    ...records,
    get,
    async put(record) {
      // Sync imports what its corp's request does not see: a record with no corp (adopted, see above), or,
      // were two corps' config_ids ever to coincide, another corp's, which it must not replace.
      const stored =
        record.source === 'synced' && record.authCorpId ? await records.get(record.configId) : undefined;
      if (!stored) return records.put(record);
      if (stored.authCorpId === undefined) return records.put({ ...stored, authCorpId: record.authCorpId });
      if (stored.authCorpId === record.authCorpId) return records.put(record);
    },
    listByRequester: async (requester) => visible(await records.listByRequester(requester)),
    listAll: async () => visible(await records.listAll()),
    async remove(configId) {
      // Only a record this request sees (or none at all: cleaning an unreadable one's index is harmless).
      if ((await records.get(configId)) && !(await get(configId))) return;
      await records.remove(configId);
    },
  };
}
