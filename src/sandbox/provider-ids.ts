import { createHmac } from 'node:crypto';
import type { CorpWorld } from './corp-world.js';
import type { ApiName } from './faults.js';
import { Rejection } from './wecom-reply.js';

type Body = Record<string, unknown>;

/**
 * The provider-scoped ids of the 2022 ID upgrade (D-96516): a corp's id, its members' userids and its customers'
 * external_userids as a provider's app sees them. Deterministic (an HMAC keyed by the provider corp id, so every
 * app of one provider sees the same values, as in WeCom), opaque, mixed-case (never lower-case them), with the
 * observed prefixes wp… / wo… / wm…. The world keeps plaintext; this class translates at the API door.
 */
export class OpenIds {
  constructor(
    private readonly providerKey: string,
    private readonly world: Pick<CorpWorld, 'corpId' | 'directory' | 'customers'>,
    /** Plaintext userids inside the app's visible range; others are refused with 60011. */
    private readonly visible: () => ReadonlySet<string>,
  ) {}

  corp(): string {
    return `wp${this.mac(`corp:${this.world.corpId}`, 30)}`;
  }

  user(userid: string): string {
    return `wo${this.mac(`user:${this.world.corpId}:${userid}`, 30)}`;
  }

  /** Provider and corp level: the same customer has another id under another corp. */
  external(externalUserId: string): string {
    return `wm${this.mac(`external:${this.world.corpId}:${externalUserId}`, 32)}`;
  }

  /** The member an open userid stands for; a plaintext or unknown id → 60111, outside the visible range → 60011. */
  plainUser(open: unknown): unknown {
    if (typeof open !== 'string') return open; // the schema refuses it with WeCom's own code
    const member = this.world.directory.all().find((m) => this.user(m.userid) === open);
    if (!member)
      throw new Rejection(60111, `userid ${open} not found (a provider app must use the encrypted userid)`);
    if (!this.visible().has(member.userid))
      throw new Rejection(60011, `userid ${open} is outside the app's visible range`);
    return member.userid;
  }

  /**
   * batch/userid_to_openuserid (D-95884): each plaintext userid of a member in the visible range → its open id;
   * anything else (unknown, outside the range, already an open id) is listed as invalid. ≤ 1000 a call.
   */
  openUserIds(body: Body): Body {
    const list = body.userid_list;
    if (!Array.isArray(list) || list.length === 0 || !list.every((u) => typeof u === 'string'))
      throw new Rejection(40058, 'userid_list must be a non-empty list of userids');
    if (list.length > 1000) throw new Rejection(40058, 'userid_list takes at most 1000 userids');
    const visible = this.visible();
    const open: Body[] = [];
    const invalid: string[] = [];
    for (const userid of list as string[]) {
      const member = this.world.directory.member(userid);
      if (member && visible.has(member.userid)) open.push({ userid, open_userid: this.user(member.userid) });
      else invalid.push(userid);
    }
    return { open_userid_list: open, invalid_userid_list: invalid };
  }

  /** The customer an open external_userid stands for; anything else → 40096 (the caller's subject's id). */
  plainExternal(open: unknown): unknown {
    if (typeof open !== 'string') return open;
    const found = this.world.customers
      .state()
      .customers.find((c) => this.external(c.externalUserId) === open);
    if (!found) throw new Rejection(40096, `external_userid ${open} is not one this app was given`);
    return found.externalUserId;
  }

  /** A request as the world understands it: open ids in the body and query turned into plaintext. */
  inbound(api: ApiName, body: Body, query: URLSearchParams): { body: Body; query: URLSearchParams } {
    const out = { ...body };
    const q = new URLSearchParams(query);
    const users = (v: unknown) => (Array.isArray(v) ? v.map((u) => this.plainUser(u)) : v);
    switch (api) {
      case 'add_contact_way':
      case 'update_contact_way':
        if (out.user !== undefined) out.user = users(out.user);
        break;
      case 'close_temp_chat':
        if (out.userid !== undefined) out.userid = this.plainUser(out.userid);
        if (out.external_userid !== undefined) out.external_userid = this.plainExternal(out.external_userid);
        break;
      case 'batch/get_by_user':
        if (out.userid_list !== undefined) out.userid_list = users(out.userid_list);
        break;
      case 'get': {
        const id = q.get('external_userid');
        if (id) q.set('external_userid', String(this.plainExternal(id)));
        break;
      }
      case 'user_get': {
        const id = q.get('userid');
        if (id) q.set('userid', String(this.plainUser(id)));
        break;
      }
      default:
        break;
    }
    return { body: out, query: q };
  }

  /** An answer as the app sees it: plaintext ids turned into open ids, and members outside the range left out. */
  outbound(api: ApiName, result: Body): Body {
    const user = (u: unknown) => (typeof u === 'string' ? this.user(u) : u);
    const external = (e: unknown) => (typeof e === 'string' ? this.external(e) : e);
    const visible = this.visible();
    switch (api) {
      case 'get_contact_way': {
        const way = result.contact_way as Body;
        return {
          ...result,
          contact_way: { ...way, ...(way.user ? { user: (way.user as unknown[]).map(user) } : {}) },
        };
      }
      case 'get': {
        const contact = result.external_contact as Body;
        const follow = result.follow_user as Body[];
        return {
          ...result,
          external_contact: { ...contact, external_userid: external(contact.external_userid) },
          follow_user: follow.map((f) => ({ ...f, userid: user(f.userid) })),
        };
      }
      case 'batch/get_by_user':
        return {
          ...result,
          external_contact_list: (result.external_contact_list as Body[]).map((item) => ({
            external_contact: {
              ...(item.external_contact as Body),
              external_userid: external((item.external_contact as Body).external_userid),
            },
            follow_info: { ...(item.follow_info as Body), userid: user((item.follow_info as Body).userid) },
          })),
        };
      case 'get_follow_user_list':
        return {
          ...result,
          follow_user: (result.follow_user as string[]).filter((u) => visible.has(u)).map(user),
        };
      case 'user_get':
        return { ...result, userid: user(result.userid) };
      case 'user_list_id':
        return {
          ...result,
          dept_user: (result.dept_user as Body[])
            .filter((d) => visible.has(d.userid as string))
            .map((d) => ({ ...d, userid: user(d.userid) })),
        };
      default:
        return result;
    }
  }

  private mac(text: string, length: number): string {
    return createHmac('sha256', this.providerKey)
      .update(text)
      .digest('base64url')
      .replace(/[-_]/g, 'x')
      .slice(0, length);
  }
}
