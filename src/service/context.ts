/**
 * What every part of the service shares: its dependencies with their defaults filled in, plus the helpers all
 * of them use (audit wrapper, ownership checks, the record view). Built once per service, passed to each part.
 */
import type { Logger } from '../base/logger.js';
import type { MemberDirectory } from '../directory/index.js';
import type { ImageMedia } from '../media/index.js';
import { type CustomerStore, createCustomerStore } from '../store/customer-store.js';
import type { AuditLog, ContactWayRecord, LinkStore, RecordStore } from '../store/index.js';
import { createLinkStore, createMemoryKeyv } from '../store/index.js';
import type { StateIndex } from '../store/state-index.js';
import type { CustomerClient } from '../wecom/customers.js';
import type { WecomClient } from '../wecom/index.js';
import { type Ownership, ownership } from './access.js';
import { type Auditing, auditing } from './audited.js';
import type { CreationLimiter } from './creation-limit.js';
import { fetchQrImage, type QrImage } from './fetch-qr.js';
import { createIdempotency } from './idempotency.js';
import type { LinkChecker } from './link-check.js';
import type { Notify } from './links.js';
import type { MiniprogramPresets } from './miniprograms.js';
import type { PendingRecords } from './pending-records.js';
import { createPolicy, type Policy } from './policy.js';
import type { ProviderAdmin } from './provider-admin.js';
import type { RecordView } from './types.js';

export interface ServiceDeps {
  wecom: WecomClient;
  records: RecordStore;
  audit: AuditLog;
  logger: Logger;
  now?: () => number;
  /** Who may do what; by default everyone may use the bot and nobody is an admin. */
  policy?: Policy;
  /** Caps creations per requester; none by default. */
  creationLimiter?: CreationLimiter;
  /** Makes repeated submissions create once; in-process only by default. */
  idempotency?: ReturnType<typeof createIdempotency>;
  /** Where records go when the store fails after WeCom created the way; written back later. */
  pending?: PendingRecords;
  /** Fetches the QR image behind `qr_code`; injectable so tests and benchmarks control it. */
  fetchQr?: (url: string) => Promise<QrImage | undefined>;
  /** Customers who came through our ways (the callbacks write them); an in-memory store by default. */
  customers?: CustomerStore;
  /** batch/get_by_user, for sync to find customers the callback missed; sync skips them without it. */
  customerClient?: Pick<CustomerClient, 'batchGetByUser'>;
  /** The one way each `state` names, for WeCom's callbacks (src/callbacks); every state we send is claimed in it. */
  stateIndex?: StateIndex;
  /**
   * Chat users linked to WeCom members (`link`); in memory by default. The policy reads the same store
   * (createPolicy's `links`), so give both the one instance.
   */
  links?: LinkStore;
  /** Reaches admins and requesters outside a request (link requests and answers); nobody by default. */
  notify?: Notify;
  /** The provider modes' install and status (src/provider); absent in self-built mode. */
  provider?: ProviderAdmin | undefined;
  /** Images kept for closing messages and their media_ids (src/media); without it no image is accepted. */
  images?: ImageMedia;
  /** WeCom's members, for refusing a link to a member WeCom does not know or would refuse. */
  directory?: () => Pick<MemberDirectory, 'verdict' | 'status'> | undefined;
  /** Mini-program cards requesters pick by name (MINIPROGRAMS); none by default. */
  miniprograms?: MiniprogramPresets;
  /** Opens a card's links before WeCom gets them (LINK_CHECK); none checked by default. */
  checkLinks?: LinkChecker;
  /**
   * Provider modes: the corp the current request works in (src/provider/per-corp.ts), stamped on the records
   * and audit entries it makes. Absent in self-built mode: nothing is stamped.
   */
  corp?: () => string | undefined;
}

export interface ServiceContext
  extends Omit<
      ServiceDeps,
      'now' | 'policy' | 'fetchQr' | 'idempotency' | 'customers' | 'links' | 'miniprograms'
    >,
    Auditing,
    Ownership {
  now: () => number;
  policy: Policy;
  fetchQr: (url: string) => Promise<QrImage | undefined>;
  idempotency: ReturnType<typeof createIdempotency>;
  customers: CustomerStore;
  links: LinkStore;
  miniprograms: MiniprogramPresets;
  /** The record as a requester sees it: with whether a temp way has run out, by this service's clock. */
  view(record: ContactWayRecord): RecordView;
}

export function createServiceContext(deps: ServiceDeps): ServiceContext {
  const now = deps.now ?? Date.now;
  const policy = deps.policy ?? createPolicy();
  const view = (record: ContactWayRecord): RecordView => {
    const expired = record.isTemp && record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now();
    return { ...record, expired };
  };
  return {
    ...deps,
    now,
    policy,
    fetchQr: deps.fetchQr ?? ((url: string) => fetchQrImage(url)),
    idempotency: deps.idempotency ?? createIdempotency(createMemoryKeyv()),
    customers: deps.customers ?? createCustomerStore(createMemoryKeyv()),
    links: deps.links ?? createLinkStore(createMemoryKeyv()),
    miniprograms: deps.miniprograms ?? new Map(),
    view,
    ...auditing(deps.audit, deps.logger, deps.corp),
    ...ownership(deps.records, policy),
  };
}
