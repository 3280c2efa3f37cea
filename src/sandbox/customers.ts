import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { ContactwayError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import { createWecomCrypto } from '../callbacks/crypto.js';
import { contactEventXml } from '../callbacks/event.js';
import type { WelcomeAttachment } from '../wecom/attachment-schemas.js';
import {
  batchGetByUserRequestSchema,
  type CustomerEndpoint,
  sendWelcomeMsgRequestSchema,
} from '../wecom/customer-schemas.js';
import type { Directory } from './directory.js';
import { checkMiniprogram } from './miniprogram-rules.js';
import { noSuchWay } from './spent.js';
import { pushEncrypted } from './suite-push.js';
import type { WayStore } from './way-store.js';
import { Rejection } from './wecom-reply.js';
import { checkAttachments } from './welcome-attachments.js';

/** The AgentID in the envelope of the self-built corp's events (unsigned, never read by the bot). */
const SELF_BUILT_AGENT_ID = '1000002';

/** WeCom accepts a WelcomeCode for 20 s, once (reference §5). */
export const WELCOME_CODE_TTL_MS = 20_000;

/** Where the sandbox posts events, as the admin console tells WeCom. */
export interface CallbackTarget {
  url: string;
  token: string;
  encodingAesKey: string;
}

/** A simulated customer: who scanned which way, and what WeCom would remember about it. */
export interface SandboxCustomer {
  externalUserId: string;
  name: string;
  userid: string;
  configId: string;
  state?: string | undefined;
  /** Unix seconds: the event's CreateTime and follow_info.createtime. */
  createTime: number;
  welcomeCode: string;
  /** The welcome message the bot sent with send_welcome_msg, once. */
  welcome?: { content: string; atMs: number; attachments?: WelcomeAttachment[] };
}

/** What a scan did, for the caller (tests, the HTTP control, the console's scan command). */
export interface ScanResult {
  externalUserId: string;
  name: string;
  userid: string;
  welcomeCode: string;
  /** The bot's answer to the event, or undefined when no callback URL is known yet. */
  delivered?: { status: number; body: string };
}

/** What a CustomerApi holds, as the state file keeps it. */
export interface CustomersState {
  /** How many default names were handed out, so a restarted sandbox goes on with the next one. */
  named: number;
  customers: SandboxCustomer[];
}

/**
 * The errcode WeCom gives a welcome message it refuses: 90207 for a malformed mini-program appid, 40058 with
 * the path for everything else (too many attachments, a body that is not its msgtype's).
 */
function welcomeRejection(issue: z.core.$ZodIssue | undefined): Rejection {
  const path = issue?.path.map(String).join('.') ?? '';
  if (path.endsWith('miniprogram.appid')) return new Rejection(90207, `${path} invalid`);
  const why = (issue as { params?: { human?: { en?: string } } } | undefined)?.params?.human?.en;
  return new Rejection(40058, `${path || 'body'} ${why ?? issue?.message ?? 'invalid request'}`.trim());
}

/** Surnames first: the walk-through reads "李… added zhangsan". */
const NAMES = ['李雷', '李娜', '李晓明', '韩梅梅', '王芳', '陈静', '刘洋', '赵磊'];

/**
 * The customer side of the sandbox: a scan becomes a customer and the encrypted `add_external_contact` event
 * WeCom would post to the app's callback URL; externalcontact/get, send_welcome_msg and batch/get_by_user answer
 * for these customers with WeCom's rules (84061 for an unknown customer, the welcome code once within 20 s).
 */
export class CustomerApi {
  private readonly customers = new Map<string, SandboxCustomer>();
  private target: CallbackTarget | undefined;
  private named = 0;

  constructor(
    private readonly deps: {
      corpId: string;
      store: WayStore;
      directory: Directory;
      now: () => number;
      /** Marks a temp way used and opens its session (ContactWayApi.scan); throws when it cannot be scanned. */
      scanWay: (configId: string, externalUserId: string) => void;
      /**
       * A customer corp of the provider platform posts its events its own way (the suite's command URL, or the
       * 代开发 app's URL); undefined for the self-built corp, which posts to the connected callback URL.
       */
      deliver?: (customer: SandboxCustomer) => Promise<{ status: number; body: string } | undefined>;
      /** 40007 for a media_id media/upload did not hand out or that expired. */
      checkMedia: (mediaId: string) => void;
    },
  ) {}

  state(): CustomersState {
    return structuredClone({ named: this.named, customers: [...this.customers.values()] });
  }

  restore(state: CustomersState): void {
    this.named = state.named;
    for (const c of state.customers) this.customers.set(c.externalUserId, structuredClone(c));
  }

  connect(target: CallbackTarget): void {
    // Fails now, not at the first scan, if the key is not a 43-character EncodingAESKey.
    createWecomCrypto({
      token: target.token,
      encodingAesKey: target.encodingAesKey,
      receiveId: this.deps.corpId,
    });
    this.target = { ...target };
  }

  disconnect(): void {
    this.target = undefined;
  }

  get connected(): boolean {
    return this.target !== undefined;
  }

  /** The connected callback URL and its pair: a 代开发 app's events go there too. */
  callbackTarget(): CallbackTarget | undefined {
    return this.target ? { ...this.target } : undefined;
  }

  customer(externalUserId: string): SandboxCustomer | undefined {
    const found = this.customers.get(externalUserId);
    return found ? structuredClone(found) : undefined;
  }

  /** A customer scans the way's QR and adds its member; the event is posted when a callback URL is known. */
  async scan(
    configId: string,
    options: { externalUserId?: string; name?: string } = {},
  ): Promise<ScanResult> {
    const way = this.deps.store.get(configId);
    if (!way) throw noSuchWay(configId);
    const externalUserId = options.externalUserId ?? `wm${randomBytes(13).toString('hex')}`;
    if (this.customers.has(externalUserId)) throw customerTaken(externalUserId);
    const userid = this.memberOf(way.request.user ?? [], way.request.party ?? []);
    this.deps.scanWay(configId, externalUserId);
    const customer: SandboxCustomer = {
      externalUserId,
      name: options.name ?? NAMES[this.named++ % NAMES.length]!,
      userid,
      configId,
      state: way.request.state,
      createTime: Math.floor(this.deps.now() / 1000),
      welcomeCode: randomBytes(16).toString('hex').toUpperCase(),
    };
    this.customers.set(externalUserId, customer);
    const result: ScanResult = {
      externalUserId,
      name: customer.name,
      userid,
      welcomeCode: customer.welcomeCode,
    };
    if (this.deps.deliver) {
      const delivered = await this.deps.deliver(structuredClone(customer));
      return delivered ? { ...result, delivered } : result;
    }
    if (!this.target) return result;
    return { ...result, delivered: await this.post(this.target, customer) };
  }

  /** One customer-contact endpoint; the result is merged into `{errcode: 0, errmsg: 'ok'}`. Throws Rejection. */
  handle(
    endpoint: CustomerEndpoint,
    query: URLSearchParams,
    body: Record<string, unknown>,
  ): Record<string, unknown> {
    switch (endpoint) {
      case 'get':
        return this.get(query.get('external_userid'));
      case 'send_welcome_msg':
        this.sendWelcome(body);
        return {};
      case 'batch/get_by_user':
        return this.batch(body);
    }
  }

  private get(externalUserId: string | null): Record<string, unknown> {
    if (!externalUserId) throw new Rejection(40058, 'external_userid missing');
    const c = this.customers.get(externalUserId);
    if (!c) throw new Rejection(84061);
    return {
      external_contact: { external_userid: c.externalUserId, name: c.name, type: 1, gender: 0 },
      follow_user: [this.followInfo(c)],
    };
  }

  private sendWelcome(body: Record<string, unknown>): void {
    // WeCom's own codes for attachments come before the generic 40058 of the schema.
    checkAttachments(body.attachments, this.deps.checkMedia);
    const parsed = sendWelcomeMsgRequestSchema.safeParse(body);
    if (!parsed.success) throw welcomeRejection(parsed.error.issues[0]);
    const c = [...this.customers.values()].find((x) => x.welcomeCode === parsed.data.welcome_code);
    if (!c) throw new Rejection(40058, 'invalid welcome_code');
    if (c.welcome) throw new Rejection(41051);
    if (this.deps.now() > c.createTime * 1000 + WELCOME_CODE_TTL_MS)
      throw new Rejection(40058, 'welcome_code expired');
    const { attachments } = parsed.data;
    for (const a of attachments ?? []) if (a.msgtype === 'miniprogram') checkMiniprogram(a.miniprogram.appid);
    c.welcome = {
      content: parsed.data.text?.content ?? '',
      atMs: this.deps.now(),
      ...(attachments?.length ? { attachments: structuredClone(attachments) } : {}),
    };
  }

  private batch(body: Record<string, unknown>): Record<string, unknown> {
    const parsed = batchGetByUserRequestSchema.safeParse(body);
    if (!parsed.success)
      throw new Rejection(40058, parsed.error.issues[0]?.path.join('.') || 'invalid request');
    const { userid_list, cursor, limit = 50 } = parsed.data;
    const all = [...this.customers.values()].filter((c) => userid_list.includes(c.userid));
    const start = cursor ? Number(Buffer.from(cursor, 'base64url').toString()) : 0;
    if (!Number.isInteger(start) || start < 0 || start > all.length)
      throw new Rejection(40058, 'invalid cursor');
    const page = all.slice(start, start + limit);
    const next =
      start + page.length < all.length ? Buffer.from(String(start + page.length)).toString('base64url') : '';
    return {
      external_contact_list: page.map((c) => ({
        external_contact: { external_userid: c.externalUserId, name: c.name, type: 1 },
        follow_info: this.followInfo(c),
      })),
      next_cursor: next,
    };
  }

  private followInfo(c: SandboxCustomer): Record<string, unknown> {
    return {
      userid: c.userid,
      remark: '',
      createtime: c.createTime,
      add_way: 1,
      ...(c.state ? { state: c.state } : {}),
    };
  }

  /** The member a scan adds: the way's only member, or the first active one it reaches. */
  private memberOf(users: readonly string[], parties: readonly number[]): string {
    const reached = [...this.deps.directory.expand(users, parties)];
    const active = reached.find((u) => this.deps.directory.member(u)?.active !== false);
    if (!active) throw noActiveMember();
    return active;
  }

  /** The add event, encrypted for this corp and signed as WeCom posts it to a self-built app's URL. */
  private post(target: CallbackTarget, c: SandboxCustomer): Promise<{ status: number; body: string }> {
    const { corpId } = this.deps;
    const xml = contactEventXml({
      changeType: 'add_external_contact',
      corpId,
      userId: c.userid,
      externalUserId: c.externalUserId,
      createTime: c.createTime,
      welcomeCode: c.welcomeCode,
      ...(c.state ? { state: c.state } : {}),
    });
    // CreateTime (in the event) stays on the sandbox's `now`, as WeCom's event time; the push is signed with
    // the wall clock (pushEncrypted), which the receiver's 5-minute window is checked against.
    return pushEncrypted({ ...target, receiveId: corpId, toUserName: corpId }, xml, SELF_BUILT_AGENT_ID);
  }
}

/** A scan as a customer who already added a member. */
export function customerTaken(externalUserId: string): ContactwayError {
  return new ContactwayError(
    'sandbox.scan_customer_taken',
    t(`${externalUserId} already added a member`, `${externalUserId} 已添加过成员`),
  );
}

/** A scan of a way whose members are all inactive. */
export function noActiveMember(): ContactwayError {
  return new ContactwayError(
    'sandbox.scan_unreachable',
    t('This contact way reaches no active member', '此「联系我」没有可添加的已激活成员'),
  );
}
