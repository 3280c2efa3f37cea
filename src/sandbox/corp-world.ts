import { ContactWayApi } from './contact-ways.js';
import { CustomerApi, type SandboxCustomer } from './customers.js';
import { Directory } from './directory.js';
import type { OpenIds } from './provider-ids.js';
import type { Delivery } from './provider-types.js';
import { Tokens } from './tokens.js';
import type { SandboxDepartment, SandboxMember } from './types.js';
import { WayStore } from './way-store.js';

/**
 * One corp as the WeCom API sees it: its directory, contact ways, customers and the access tokens that reach it.
 * The self-built corp is one; every customer corp of the provider platform is another, and its `ids` turn the
 * plaintext ids it keeps into the provider-scoped ciphertext its app token must use.
 */
export interface CorpWorld {
  readonly corpId: string;
  readonly directory: Directory;
  readonly store: WayStore;
  readonly tokens: Tokens;
  readonly api: ContactWayApi;
  readonly customers: CustomerApi;
  /** Set for corps reached through a provider app: ids in and out are the provider-scoped ciphertext. */
  readonly ids?: OpenIds;
}

export interface CustomerWorldOptions {
  corpId: string;
  members: SandboxMember[] | undefined;
  departments: SandboxDepartment[] | undefined;
  medical: boolean;
  tokenTtlS: number;
  now: () => number;
  qrUrl: (configId: string) => string;
  picUrl: (mediaId: string) => string;
  checkMedia: (mediaId: string) => void;
  /** How this corp's customer events reach the app (the command URL, or the 代开发 app's callback URL). */
  deliver: (customer: SandboxCustomer) => Promise<Delivery>;
}

/** A customer corp's own world, with nothing shared with the self-built corp or the other customers. */
export function createCustomerWorld(options: CustomerWorldOptions): Omit<CorpWorld, 'ids'> {
  const directory = new Directory(options.members, options.departments);
  const store = new WayStore();
  let customers: CustomerApi | undefined;
  const api = new ContactWayApi({
    store,
    directory,
    medical: options.medical,
    now: options.now,
    qrUrl: options.qrUrl,
    picUrl: options.picUrl,
    checkMedia: options.checkMedia,
    nameOf: (externalUserId) => customers?.customer(externalUserId)?.name,
  });
  customers = new CustomerApi({
    corpId: options.corpId,
    store,
    directory,
    now: options.now,
    scanWay: (configId, externalUserId) => api.scan(configId, externalUserId),
    deliver: options.deliver,
    checkMedia: options.checkMedia,
  });
  return {
    corpId: options.corpId,
    directory,
    store,
    tokens: new Tokens(options.tokenTtlS, options.now),
    api,
    customers,
  };
}
