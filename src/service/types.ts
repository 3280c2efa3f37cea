import type { CheckedImage } from '../media/index.js';
import type { ProviderStatus } from './provider-admin.js';
/** The service's public shapes: what every adapter and command calls, and what comes back. */

import type { ForbiddenError } from '../base/errors.js';
import type { Locale } from '../base/i18n.js';
import type { CustomerRecord } from '../store/customer-store.js';
import type { AuditEntry, ContactWayRecord, Requester } from '../store/index.js';
import type { RichInput } from '../store/message-content.js';
import type {
  AddContactWayRequest,
  CloseTempChatRequest,
  ContactWay,
  UpdateContactWayRequest,
} from '../wecom/schemas.js';
import type { QrImage } from './fetch-qr.js';
import type { LinkMethods } from './links.js';
import type { Actor } from './policy.js';
import type { ClosedSession, CloseTarget } from './sessions.js';
import type { WayUsage } from './way-usage.js';

export type { ClosedSession, CloseTarget } from './sessions.js';
export type { WayUsage } from './way-usage.js';

/** What a requester sees of a record: the record plus whether a temp way has run out. */
export interface RecordView extends ContactWayRecord {
  expired: boolean;
}

export interface CreateResult {
  record: RecordView;
  qr: QrImage | undefined;
  /** False when WeCom created the way but our store failed: the requester must keep the config_id. */
  stored: boolean;
  /** True when this was a repeat of a submission already done: nothing new was created. */
  replayed?: boolean;
}

export interface CreateOptions {
  /** Same key, same requester → one contact way, however often the submission arrives. */
  idempotencyKey?: string;
  /** Welcome message stored with the way (≤ 4000 bytes) and sent when a customer adds through it. */
  welcome?: string;
  /** The closing message's card (temp ways) and the welcome message's attachments; checked before WeCom is called. */
  rich?: RichInput;
  /**
   * The creator's language and, where their platform told it, time zone: remembered on the way, so the
   * notifications it causes later reach them in that language and zone.
   */
  creator?: { locale: Locale; timeZone?: string | undefined };
  /** The closing message's image (temp ways), checked; uploaded before add_contact_way, kept with the way. */
  closingImage?: CheckedImage;
  /** The welcome message's image, checked; kept and uploaded before anything is created, refreshed after. */
  welcomeImage?: CheckedImage;
  /**
   * `again`: the earlier way (read as the requester: owner or admin) whose images the new way reuses, those
   * not replaced by closingImage / welcomeImage and not left out here.
   */
  imagesFrom?: { configId: string; closing: boolean; welcome: boolean };
}

export interface ShowResult {
  record: RecordView;
  live: ContactWay | undefined;
  qr: QrImage | undefined;
  /** Customers who came through the way (the callbacks' records), oldest first. */
  customers: CustomerRecord[];
}

/**
 * WeCom's fields to change, plus `welcome` (stored with the way; '' removes it) and the cards (RichInput:
 * undefined keeps, null or [] removes). `state` is the requester's tag:
 * WeCom gets it with a unique suffix, as at creation.
 */
export type UpdateChanges = Omit<UpdateContactWayRequest, 'config_id'> &
  RichInput & {
    welcome?: string;
    /**
     * A new closing image, replacing the way's (the kept one is sent again whenever conclusions are); null
     * removes it, the rest of the closing message staying.
     */
    closingImage?: CheckedImage | null;
    /** A new welcome image (replacing the way's); null removes it. */
    welcomeImage?: CheckedImage | null;
  };

export interface UpdateResult {
  record: RecordView;
  changed: string[];
}

export interface ContactWayService extends LinkMethods {
  /** Throws ForbiddenError (and audits it) when the actor may not use the bot. */
  checkAccess(actor: Actor): Promise<void>;
  /**
   * The refusal the policy gives this actor, without auditing it; undefined when allowed. Synchronous, for
   * checks before a platform's deadline and for lookups that run on every keystroke (autocomplete).
   */
  accessDenied(actor: Actor): ForbiddenError | undefined;
  /**
   * Creates the way `request` describes. The request is taken as checked (the commands' forms check it with
   * `addContactWayRequestSchema`); the WeCom client checks every request again at the wire.
   */
  create(requester: Requester, request: AddContactWayRequest, options?: CreateOptions): Promise<CreateResult>;
  list(requester: Requester): Promise<RecordView[]>;
  show(requester: Requester, configId: string): Promise<ShowResult>;
  /**
   * Applies what in `changes` differs from the way (taken as checked like `create`'s request; the edit form
   * checks them); `changed` names those fields, empty when nothing differed and nothing was sent.
   */
  update(requester: Requester, configId: string, changes: UpdateChanges): Promise<UpdateResult>;
  delete(requester: Requester, configId: string): Promise<void>;
  /** `close <userid> <external_userid>`: the old form; same rule as closeSession. */
  closeTempChat(requester: Requester, request: CloseTempChatRequest): Promise<void>;
  /**
   * Ends a temporary session: allowed to the owner of the way the session came from, or an admin; a session
   * we never saw (no customer record) only to an admin. The record then shows it as ended.
   */
  closeSession(requester: Requester, target: CloseTarget): Promise<ClosedSession>;
  /**
   * The way as stored, if the requester may act on it (owner or admin; strangers get "not found"), without
   * asking WeCom: fast enough to read before a form opens.
   */
  way(requester: Requester, configId: string): Promise<RecordView>;
  /** What came of each of these ways (those the requester may see): customers, and who used a temp QR. */
  usage(requester: Requester, configIds: readonly string[]): Promise<Map<string, WayUsage>>;
  /**
   * Admins: imports ways WeCom knows and we do not, and customers of our ways the callback missed
   * (batch/get_by_user, matched by state).
   */
  sync(requester: Requester): Promise<{ imported: number; known: number; customers: number }>;
  /** Admins, provider modes: a one-time link that installs the app into a corp bound to this workspace. */
  installLink(requester: Requester, locale: 'en' | 'zh'): Promise<{ url: string; expiresInS: number }>;
  /** Admins, provider modes: this workspace's binding, the suite_ticket's age and the token's state. */
  providerStatus(requester: Requester): Promise<ProviderStatus>;
  /** Admins: the latest audit entries, newest first. */
  auditTrail(requester: Requester, limit: number): Promise<AuditEntry[]>;
  isAdmin(requester: Requester): boolean;
  /** The WeCom userid mapped to this requester by the policy, if any. */
  mappedUser(requester: Requester): string | undefined;
  /** Who this requester may create for (CREATE_FOR): undefined for any member, else those userids. */
  memberScope(requester: Requester): readonly string[] | undefined;
}
