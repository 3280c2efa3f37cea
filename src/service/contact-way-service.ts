import { z } from 'zod';
import type { StateIndex } from '../callbacks/state-index.js';
import {
  ContactwayError,
  ForbiddenError,
  NotFoundError,
  RateLimitError,
  UpstreamError,
  ValidationError,
  WecomError,
} from '../errors.js';
import { t } from '../i18n.js';
import type { Logger } from '../logger.js';
import { type Actor, createPolicy, type Policy } from '../policy.js';
import { type CustomerRecord, type CustomerStore, createCustomerStore } from '../store/customer-store.js';
import type { AuditEntry, AuditLog, ContactWayRecord, RecordStore, Requester } from '../store/index.js';
import { createMemoryKeyv, requesterKey } from '../store/index.js';
import { definedOnly, validate } from '../validate.js';
import { welcomeTextSchema } from '../wecom/customer-schemas.js';
import type { CustomerClient } from '../wecom/customers.js';
import type { WecomClient } from '../wecom/index.js';
import {
  type AddContactWayRequest,
  type CloseTempChatRequest,
  type ContactWay,
  closeTempChatRequestSchema,
  type UpdateContactWayRequest,
} from '../wecom/schemas.js';
import type { CreationLimiter } from './creation-limit.js';
import { fetchQrImage, type QrImage } from './fetch-qr.js';
import { createIdempotency } from './idempotency.js';
import type { PendingRecords } from './pending-records.js';
import { type ClosedSession, type CloseTarget, pickCustomer } from './sessions.js';
import { syncFromWecom } from './sync.js';
import { claimNewState } from './way-states.js';

export type { ClosedSession, CloseTarget } from './sessions.js';

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
}

export interface ShowResult {
  record: RecordView;
  live: ContactWay | undefined;
  qr: QrImage | undefined;
  /** Customers who came through the way (the callbacks' records), oldest first. */
  customers: CustomerRecord[];
}

/**
 * WeCom's fields to change, plus `welcome` (stored with the way; '' removes it). `state` is the requester's tag:
 * WeCom gets it with a unique suffix, as at creation.
 */
export type UpdateChanges = Omit<UpdateContactWayRequest, 'config_id'> & { welcome?: string };

export interface ContactWayService {
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
  /** Applies `changes`, taken as checked like `create`'s request (the edit form checks them). */
  update(requester: Requester, configId: string, changes: UpdateChanges): Promise<RecordView>;
  delete(requester: Requester, configId: string): Promise<void>;
  /** `close <userid> <external_userid>`: the old form; same rule as closeSession. */
  closeTempChat(requester: Requester, request: CloseTempChatRequest): Promise<void>;
  /**
   * Ends a temporary session: allowed to the owner of the way the session came from, or an admin; a session
   * we never saw (no customer record) only to an admin. The record then shows it as ended.
   */
  closeSession(requester: Requester, target: CloseTarget): Promise<ClosedSession>;
  /** How many customers came through each of these ways (those the requester may see). */
  customerCounts(requester: Requester, configIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * Admins: imports ways WeCom knows and we do not, and customers of our ways the callback missed
   * (batch/get_by_user, matched by state).
   */
  sync(requester: Requester): Promise<{ imported: number; known: number; customers: number }>;
  /** Admins: the latest audit entries, newest first. */
  auditTrail(requester: Requester, limit: number): Promise<AuditEntry[]>;
  isAdmin(requester: Requester): boolean;
  /** The WeCom userid mapped to this requester by the policy, if any. */
  mappedUser(requester: Requester): string | undefined;
  /** Who this requester may create for (CREATE_FOR): undefined for any member, else those userids. */
  memberScope(requester: Requester): readonly string[] | undefined;
}

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
}

/** The platform-neutral heart: every adapter calls these and only renders what comes back. */
export function createContactWayService(deps: ServiceDeps): ContactWayService {
  const { wecom, records, audit, logger } = deps;
  const now = deps.now ?? Date.now;
  const policy = deps.policy ?? createPolicy();
  const fetchQr = deps.fetchQr ?? ((url: string) => fetchQrImage(url));
  const idempotency = deps.idempotency ?? createIdempotency(createMemoryKeyv());
  const customers = deps.customers ?? createCustomerStore(createMemoryKeyv());

  const isAdmin = (requester: Requester) => policy.isAdmin(requester);

  function view(record: ContactWayRecord): RecordView {
    const expired = record.isTemp && record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now();
    return { ...record, expired };
  }

  /** Runs an action and writes its audit entry whatever happens; a failing audit never fails the action. */
  async function audited<T>(
    requester: Requester,
    action: string,
    target: string | undefined,
    fn: () => Promise<T>,
  ) {
    const actor = requesterKey(requester);
    try {
      const result = await fn();
      await appendAudit({ actor, action, target, result: 'ok' });
      return result;
    } catch (error) {
      const code = error instanceof ContactwayError ? error.code : 'internal';
      const result = error instanceof ForbiddenError || error instanceof NotFoundError ? 'denied' : 'error';
      await appendAudit({ actor, action, target, result, code });
      throw error;
    }
  }

  async function appendAudit(entry: Parameters<AuditLog['append']>[0]) {
    try {
      await audit.append(entry);
    } catch (error) {
      logger.error({ err: error, audit: entry }, 'audit write failed');
    }
  }

  /** A record the requester may act on: their own, or any for an admin. Strangers get "not found". */
  async function owned(requester: Requester, configId: string): Promise<ContactWayRecord> {
    const record = await records.get(configId);
    if (!record || record.status === 'deleted') throw new NotFoundError(configId);
    if (requesterKey(record.requester) !== requesterKey(requester) && !isAdmin(requester)) {
      throw new NotFoundError(configId);
    }
    return record;
  }

  async function create(
    requester: Requester,
    request: AddContactWayRequest,
    options: CreateOptions = {},
  ): Promise<CreateResult> {
    const welcome = checkWelcome(options.welcome);
    const key = options.idempotencyKey;
    if (key === undefined) return createOnce(requester, request, welcome);
    return idempotency.once(
      `${requesterKey(requester)}:${key}`,
      () => createOnce(requester, request, welcome),
      (result) => result.record.configId,
      async (configId) => ({ ...(await replay(requester, configId)), replayed: true }),
    );
  }

  /** The result of a creation that already happened, for a repeated submission. */
  async function replay(requester: Requester, configId: string): Promise<CreateResult> {
    const record = await owned(requester, configId);
    const qr = record.qrCode ? await fetchQr(record.qrCode) : undefined;
    return { record: view(record), qr, stored: true };
  }

  function createOnce(
    requester: Requester,
    request: AddContactWayRequest,
    welcome: string | undefined,
  ): Promise<CreateResult> {
    return audited(requester, 'create', undefined, async () => {
      policy.checkCreateFor(requester, request.user ?? [], request.party ?? []);
      // The state is the only link from WeCom's add callback back to this way: one no other way holds.
      const stateTag = request.state || undefined;
      const state = await claimNewState(deps.stateIndex, stateTag);
      const slot = await deps.creationLimiter?.take(requesterKey(requester)).catch(async (error: unknown) => {
        await releaseState(state);
        throw error;
      });
      const checked: AddContactWayRequest = { ...request, state };
      const created = await wecom.addContactWay(checked).catch(async (error: unknown) => {
        if (certainlyNotCreated(error)) {
          await slot
            ?.refund()
            .catch((refundError: unknown) =>
              logger.warn({ err: refundError }, 'creation slot not given back'),
            );
          await releaseState(state);
        }
        throw mayHaveBeenCreated(error);
      });
      const at = new Date(now());
      const expiresInS = checked.is_temp ? (checked.expires_in ?? 7 * 86_400) : undefined;
      const record: ContactWayRecord = {
        configId: created.config_id,
        requester,
        createdAt: at.toISOString(),
        updatedAt: at.toISOString(),
        request: checked,
        qrCode: created.qr_code,
        isTemp: checked.is_temp === true,
        expiresAt:
          expiresInS === undefined ? undefined : new Date(at.getTime() + expiresInS * 1000).toISOString(),
        status: 'active',
        source: 'created',
        ...(stateTag ? { stateTag } : {}),
        ...(welcome ? { welcome } : {}),
      };
      const stored = await storeCreated(record);
      await bindState(state, record.configId);
      const qr = created.qr_code ? await fetchQr(created.qr_code) : undefined;
      return { record: view(record), qr, stored };
    });
  }

  /** Stores a new config_id before anyone is told about it; if that fails the caller still shows it. */
  async function storeCreated(record: ContactWayRecord): Promise<boolean> {
    try {
      await records.put(record);
      return true;
    } catch (error) {
      // This line is the last copy of the config_id if the requester loses the reply: keep it complete.
      logger.error(
        {
          err: error,
          configId: record.configId,
          requester: requesterKey(record.requester),
          qrCode: record.qrCode,
        },
        'store write failed after WeCom created the contact way; config_id not saved',
      );
      await deps.pending?.add(record);
      return false;
    }
  }

  /**
   * Names the way its reserved state was for. A failure only costs attribution of this way's customers (the
   * reservation keeps the state from every other way): logged with both, never thrown.
   */
  async function bindState(state: string, configId: string): Promise<void> {
    try {
      await deps.stateIndex?.bind(state, configId);
    } catch (error) {
      logger.error(
        { err: error, configId, state },
        'state index write failed; callbacks cannot attribute this way',
      );
    }
  }

  /** Frees a reservation WeCom never used; left behind on failure, it only keeps one random state unused. */
  async function releaseState(state: string): Promise<void> {
    await deps.stateIndex
      ?.release(state)
      .catch((error: unknown) => logger.warn({ err: error }, 'state reservation not released'));
  }

  const mayAct = (requester: Requester, record: ContactWayRecord) =>
    requesterKey(record.requester) === requesterKey(requester) || isAdmin(requester);

  /** Finds the session, checks who may end it, ends it at WeCom, then records it as ended. */
  function closeSession(requester: Requester, target: CloseTarget): Promise<ClosedSession> {
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
  }

  return {
    isAdmin,
    create,
    mappedUser: (requester) => policy.mappedUser(requester),
    memberScope: (requester) => policy.memberScope(requester),

    accessDenied(actor) {
      try {
        policy.checkAccess(actor);
        return undefined;
      } catch (error) {
        if (error instanceof ForbiddenError) return error;
        throw error;
      }
    },

    async checkAccess(actor) {
      try {
        policy.checkAccess(actor);
      } catch (error) {
        const { roles: _, ...requester } = actor;
        await appendAudit({
          actor: requesterKey(requester),
          action: 'access',
          result: 'denied',
          code: 'forbidden',
        });
        throw error;
      }
    },

    auditTrail(requester, limit) {
      return audited(requester, 'audit', undefined, async () => {
        if (!isAdmin(requester)) {
          throw new ForbiddenError(
            t('Only admins can read the audit trail.', '只有管理员可以查看审计记录。'),
          );
        }
        return audit.latest(limit);
      });
    },

    async list(requester) {
      const found = isAdmin(requester)
        ? await records.listAll()
        : await records.listByRequester(requesterKey(requester));
      return found.filter((r) => r.status !== 'deleted').map(view);
    },

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

    update(requester, configId, changes) {
      return audited(requester, 'update', configId, async () => {
        const record = await owned(requester, configId);
        const { welcome: newWelcome, state: newTag, ...wecomChanges } = changes;
        const welcome = newWelcome === undefined ? record.welcome : checkWelcome(newWelcome) || undefined;
        const request: UpdateContactWayRequest = { ...definedOnly(wecomChanges), config_id: configId };
        // Changing members is creating for them: the same CREATE_FOR rule, before WeCom hears of it.
        if (request.user !== undefined || request.party !== undefined) {
          policy.checkCreateFor(requester, request.user ?? [], request.party ?? []);
        }
        checkUpdateFits(view(record), request);
        // A new tag gets a new state, unique like a creation's; the old one stays this way's (late events).
        const retagged = newTag !== undefined && newTag !== '' && newTag !== record.stateTag;
        if (retagged) request.state = await claimNewState(deps.stateIndex, newTag, configId);
        await wecom.updateContactWay(request);
        const { config_id: _, ...applied } = request;
        const at = now();
        const { welcome: _previous, ...kept } = record;
        const updated: ContactWayRecord = {
          ...kept,
          ...(retagged ? { stateTag: newTag } : {}),
          request: { ...record.request, ...applied },
          updatedAt: new Date(at).toISOString(),
          // WeCom counts a new expires_in from the update, not from the creation: so do we, or `list` calls
          // a way expired (and edits are refused) while WeCom keeps it alive.
          ...(record.isTemp && request.expires_in !== undefined
            ? { expiresAt: new Date(at + request.expires_in * 1000).toISOString() }
            : {}),
          ...(welcome ? { welcome } : {}),
        };
        await records.put(updated);
        return view(updated);
      });
    },

    delete(requester, configId) {
      return audited(requester, 'delete', configId, async () => {
        await owned(requester, configId);
        try {
          await wecom.deleteContactWay(configId);
        } catch (error) {
          // Already gone at WeCom (expired temp way, deleted elsewhere): forgetting it is what the user wants.
          if (!(error instanceof WecomError && error.errcode === 41044)) throw error;
        }
        await records.remove(configId);
      });
    },

    async closeTempChat(requester, request) {
      await closeSession(requester, { userid: request.userid, externalUserId: request.external_userid });
    },

    closeSession,

    async customerCounts(requester, configIds) {
      const counts = new Map<string, number>();
      for (const configId of configIds) {
        const record = await records.get(configId);
        if (!record || !mayAct(requester, record)) continue;
        counts.set(configId, (await customers.listByWay(configId)).length);
      }
      return counts;
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
            ...(deps.customerClient ? { customerClient: deps.customerClient } : {}),
            ...(deps.stateIndex ? { stateIndex: deps.stateIndex } : {}),
          },
          requester,
        );
      });
    },
  };
}

/**
 * WeCom answered with an errcode (or our client never sent the call): nothing exists at WeCom, so the
 * requester's creation slot is given back; a refused form must not cost one of RATE_LIMIT_CREATES. A timeout,
 * a network failure or an unreadable answer may hide a created way: those keep the slot.
 */
function certainlyNotCreated(error: unknown): boolean {
  return error instanceof WecomError || error instanceof RateLimitError || error instanceof ValidationError;
}

/**
 * add_contact_way has no idempotency key: when WeCom times out or fails with a 5xx, it may have created the
 * way anyway, and we hold no config_id for it. Say so, instead of a plain "WeCom did not answer", so the
 * requester checks before creating another (a permanent one can be recovered by an admin's sync).
 */
function mayHaveBeenCreated(error: unknown): unknown {
  if (!(error instanceof UpstreamError) || error.code === 'wecom.bad_response') return error;
  return new UpstreamError(
    error.code as 'wecom.timeout' | 'wecom.unreachable',
    t(
      `${error.human.en} WeCom may have created the contact way without our receiving its config_id. Trying again creates a new one; an unused temporary QR simply expires, and an admin's sync recovers a permanent one.`,
      `${error.human.zh} 企业微信可能已创建该「联系我」但我们未收到 config_id。重试会创建新的；未使用的临时二维码会自行过期，长期二维码可由管理员通过 sync 找回。`,
    ),
    { cause: error },
  );
}

/** Rules WeCom applies against the existing way, checked here so the user hears them in their words. */
function checkUpdateFits(record: RecordView, request: UpdateContactWayRequest): void {
  const issues = [];
  if (record.isTemp && record.expired) {
    issues.push({
      field: 'config_id',
      message: t(
        'this temporary QR has expired and can no longer be edited',
        '该临时二维码已过期，不能再修改',
      ),
    });
  }
  if (record.isTemp && request.user && request.user.length !== 1) {
    issues.push({
      field: 'user',
      message: t('a temporary session has exactly one member', '临时会话只能有一个成员'),
    });
  }
  if (record.request.type === 1 && request.party && request.party.length > 0) {
    issues.push({
      field: 'party',
      message: t(
        'departments are only allowed when type is 2 (several members)',
        '只有多人类型（type=2）才能填写部门',
      ),
    });
  }
  const tempOnly = ['expires_in', 'chat_expires_in', 'unionid', 'conclusions'] as const;
  for (const key of tempOnly) {
    if (!record.isTemp && request[key] !== undefined) {
      issues.push({
        field: key,
        message: t('only applies to temporary sessions (is_temp)', '仅在临时会话模式（is_temp）下有效'),
      });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

/** The welcome text within WeCom's 4000 bytes; ValidationError on field `welcome` otherwise. */
function checkWelcome(welcome: string | undefined): string | undefined {
  if (welcome === undefined) return undefined;
  return validate(z.object({ welcome: welcomeTextSchema }), { welcome }).welcome;
}
