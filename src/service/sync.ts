import type { Logger } from '../base/logger.js';
import { definedOnly } from '../base/validate.js';
import type { CustomerStore } from '../store/customer-store.js';
import type { ContactWayRecord, RecordStore, Requester } from '../store/index.js';
import type { StateIndex } from '../store/state-index.js';
import type { CustomerClient } from '../wecom/customers.js';
import type { WecomClient } from '../wecom/index.js';
import type { AddContactWayRequest, ContactWay } from '../wecom/schemas.js';
import { missedCustomers } from './sessions.js';
import { claimImportedState } from './way-states.js';

export interface SyncDeps {
  wecom: Pick<WecomClient, 'listAllContactWays' | 'getContactWay'>;
  records: RecordStore;
  customers: CustomerStore;
  customerClient?: Pick<CustomerClient, 'batchGetByUser'>;
  stateIndex?: StateIndex;
  logger: Logger;
  now: () => number;
}

/**
 * Imports ways WeCom knows and we do not (adopted by `requester`), then records customers of our ways the
 * callback missed (batch/get_by_user, matched by state).
 */
export async function syncFromWecom(
  deps: SyncDeps,
  requester: Requester,
  /** Provider modes: the corp the ways are listed from, stamped on the imported records. */
  authCorpId?: string,
): Promise<{ imported: number; known: number; customers: number }> {
  let imported = 0;
  let known = 0;
  for await (const configId of deps.wecom.listAllContactWays()) {
    if (await deps.records.get(configId)) {
      known++;
      continue;
    }
    const live = await deps.wecom.getContactWay(configId);
    const adopted = recordFromLive(live, requester, new Date(deps.now()).toISOString(), authCorpId);
    await deps.records.put(adopted);
    if (deps.stateIndex) await claimImportedState(deps.stateIndex, adopted, deps.records, deps.logger);
    imported++;
  }
  return { imported, known, customers: await syncCustomers(deps) };
}

/** Customers of our ways WeCom lists and no callback told us of; returns how many were recorded. */
async function syncCustomers(deps: SyncDeps): Promise<number> {
  const client = deps.customerClient;
  if (!client) return 0;
  const { customers } = deps;
  const ways = (await deps.records.listAll()).filter((r) => r.status !== 'deleted' && r.request.state);
  const waysByState = await attributable(ways, deps.stateIndex);
  const members = [...new Set(ways.flatMap((w) => w.request.user ?? []))];
  let added = 0;
  // batch/get_by_user takes at most 100 members per call.
  for (let i = 0; i < members.length; i += 100) {
    let cursor: string | undefined;
    do {
      const page = await client.batchGetByUser({
        userid_list: members.slice(i, i + 100),
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      const known = new Set<string>();
      for (const { follow_info: f, external_contact: c } of page.external_contact_list) {
        for (const way of waysByState.get(f.state ?? '') ?? []) {
          if (await customers.get(way.configId, c.external_userid))
            known.add(`${way.configId}/${c.external_userid}`);
        }
      }
      for (const missed of missedCustomers(page, waysByState, (id, ext) => known.has(`${id}/${ext}`))) {
        await customers.put(missed);
        added++;
      }
      cursor = page.next_cursor || undefined;
    } while (cursor);
  }
  return added;
}

/**
 * state → the one way it names, as the callbacks decide it (the state index); a customer listed with any other
 * state is nobody's. Without an index, a state several of our ways share names none of them.
 */
async function attributable(
  ways: readonly ContactWayRecord[],
  index: StateIndex | undefined,
): Promise<Map<string, ContactWayRecord[]>> {
  const byState = new Map<string, ContactWayRecord[]>();
  for (const way of ways) {
    const state = way.request.state as string;
    byState.set(state, [...(byState.get(state) ?? []), way]);
  }
  const named = new Map<string, ContactWayRecord[]>();
  for (const [state, holders] of byState) {
    const configId = index
      ? await index.find(state)
      : holders.length === 1
        ? holders[0]?.configId
        : undefined;
    const way = holders.find((w) => w.configId === configId);
    if (way) named.set(state, [way]);
  }
  return named;
}

function recordFromLive(
  live: ContactWay,
  requester: Requester,
  at: string,
  authCorpId: string | undefined,
): ContactWayRecord {
  const request: AddContactWayRequest = {
    type: live.type === 1 ? 1 : 2,
    scene: live.scene === 1 ? 1 : 2,
    ...definedOnly({
      style: live.style,
      remark: live.remark,
      skip_verify: live.skip_verify,
      state: live.state,
      user: live.user,
      party: live.party,
    }),
  };
  return {
    configId: live.config_id,
    requester,
    createdAt: at,
    updatedAt: at,
    request,
    qrCode: live.qr_code,
    isTemp: false,
    status: 'active',
    source: 'synced',
    ...(authCorpId ? { authCorpId } : {}),
  };
}
