import {
  type AddContactWayRequest,
  addContactWayRequestSchema,
  type ContactWay,
  closeTempChatRequestSchema,
  configIdRequestSchema,
  type Endpoint,
  listContactWayRequestSchema,
  MAX_USERS,
  updateContactWayRequestSchema,
} from '../wecom/schemas.js';
import type { Directory } from './directory.js';
import { decodeCursor, encodeCursor } from './list-cursor.js';
import { SANDBOX_MEDIA_PREFIX } from './media.js';
import { checkMiniprogram } from './miniprogram-rules.js';
import { parseRequest } from './rules.js';
import { noSuchWay, type Spent, scanRefused, spentOf } from './spent.js';
import type { StoredWay, WayStore } from './way-store.js';
import { Rejection } from './wecom-reply.js';

/** WeCom's defaults for temp ways: the QR lives 7 days, the session 24 h after the friend is added. */
export const DEFAULT_EXPIRES_IN_S = 7 * 24 * 3600;
export const DEFAULT_CHAT_EXPIRES_IN_S = 24 * 3600;
const LIST_DEFAULT_WINDOW_S = 90 * 24 * 3600;
const LIST_DEFAULT_LIMIT = 100;

/** Fields WeCom does not take on update; a different value is a client bug the sandbox should surface. */
const FIXED_ON_UPDATE = ['type', 'scene', 'is_temp'] as const;

export interface ContactWayApiDeps {
  store: WayStore;
  directory: Directory;
  /** Only medical corps may create temp ways. */
  medical: boolean;
  now: () => number;
  /** Where the QR PNG of a way is served. */
  qrUrl: (configId: string) => string;
  /** Where a conclusions image is served; get answers pic_url where add took media_id. */
  picUrl: (mediaId: string) => string;
  /** A simulated customer's name, for "already used by 李雷 (wm…)". */
  nameOf: (externalUserId: string) => string | undefined;
  /** 40007 for a media_id media/upload did not hand out or that expired (conclusions.image). */
  checkMedia: (mediaId: string) => void;
}

/** The six contact-way endpoints' behaviour, over the in-memory store and the directory. */
export class ContactWayApi {
  constructor(private readonly deps: ContactWayApiDeps) {}

  /** Answers one endpoint call; the result is merged into `{errcode: 0, errmsg: 'ok'}`. Throws Rejection. */
  handle(endpoint: Endpoint, body: Record<string, unknown>): Record<string, unknown> {
    switch (endpoint) {
      case 'add_contact_way':
        return this.add(body);
      case 'get_contact_way':
        return { contact_way: this.toWire(this.find(endpoint, body)) };
      case 'list_contact_way':
        return this.list(body);
      case 'update_contact_way':
        this.update(body);
        return {};
      case 'del_contact_way':
        this.deps.store.delete(this.find(endpoint, body).configId);
        return {};
      case 'close_temp_chat':
        this.closeTempChat(body);
        return {};
    }
  }

  /** See Sandbox.simulateScan. */
  scan(configId: string, externalUserId: string): void {
    const way = this.deps.store.get(configId);
    if (!way) throw noSuchWay(configId);
    if (!way.request.is_temp) return;
    const spent = this.spent(way);
    if (spent) throw scanRefused(configId, spent);
    const now = this.deps.now();
    way.usedAtMs = now;
    way.usedBy = externalUserId;
    this.deps.store.openSession({
      configId,
      userid: way.request.user?.[0] ?? '',
      externalUserId,
      expiresAtMs: now + (way.request.chat_expires_in ?? DEFAULT_CHAT_EXPIRES_IN_S) * 1000,
      closed: false,
    });
  }

  /** A QR code is served only for scene 2, and for temp ways only until it expires or is used. */
  qrTarget(configId: string): StoredWay | undefined {
    const way = this.deps.store.get(configId);
    if (way?.request.scene !== 2) return undefined;
    return this.spent(way) ? undefined : way;
  }

  /** Why a temp way's QR no longer works, or undefined while it does (always, for a permanent way). */
  spent(way: StoredWay): Spent | undefined {
    return spentOf(way, this.deps.now(), this.deps.nameOf);
  }

  private add(body: Record<string, unknown>): Record<string, unknown> {
    const req = parseRequest('add_contact_way', addContactWayRequestSchema, body);
    if (req.is_temp && !this.deps.medical)
      throw new Rejection(48002, 'temporary session mode is only open to medical corps');
    this.checkReach(req);
    if (req.conclusions?.miniprogram) this.checkMiniprogramBody(req.conclusions.miniprogram);
    if (req.conclusions?.image) this.deps.checkMedia(req.conclusions.image.media_id);
    const now = this.deps.now();
    const expiresAtMs = req.is_temp ? now + (req.expires_in ?? DEFAULT_EXPIRES_IN_S) * 1000 : undefined;
    const way = this.deps.store.add(req, now, expiresAtMs);
    return {
      config_id: way.configId,
      ...(req.scene === 2 ? { qr_code: this.deps.qrUrl(way.configId) } : {}),
    };
  }

  /**
   * The appid, and a cover this sandbox's media/upload handed out (`3sandbox_…`), checked like an image's: 40007
   * once expired. Any other pic_media_id (a preset's placeholder in tests and demos) is taken as given.
   */
  private checkMiniprogramBody(body: { appid: string; pic_media_id?: string | undefined }): void {
    checkMiniprogram(body.appid);
    if (body.pic_media_id?.startsWith(SANDBOX_MEDIA_PREFIX)) this.deps.checkMedia(body.pic_media_id);
  }

  private update(body: Record<string, unknown>): void {
    const { config_id, ...changes } = parseRequest('update_contact_way', updateContactWayRequestSchema, body);
    const way = this.deps.store.get(config_id);
    if (!way) throw new Rejection(41044);
    for (const key of FIXED_ON_UPDATE) {
      const stored = way.request[key] ?? (key === 'is_temp' ? false : undefined);
      if (body[key] !== undefined && body[key] !== stored)
        throw new Rejection(40058, `${key} cannot be updated`);
    }
    const now = this.deps.now();
    // WeCom refuses edits to an expired temp way; it is no longer a valid config_id for writing.
    if (way.expiresAtMs !== undefined && now >= way.expiresAtMs)
      throw new Rejection(41044, 'temporary contact way has expired');
    // The add schema holds every cross-field rule (temp stays single-user, party only for type 2, style only
    // for scene 1, temp-only fields), so the merged result must pass it like a new contact way would.
    const merged = parseRequest('update_contact_way', addContactWayRequestSchema, {
      ...way.request,
      ...changes,
    });
    this.checkReach(merged);
    if (changes.conclusions?.miniprogram) this.checkMiniprogramBody(changes.conclusions.miniprogram);
    // Only an image sent now must be alive: WeCom keeps its copy of the one it took before (pic_url).
    if (changes.conclusions?.image) this.deps.checkMedia(changes.conclusions.image.media_id);
    way.request = merged;
    if (merged.is_temp && changes.expires_in !== undefined) way.expiresAtMs = now + changes.expires_in * 1000;
  }

  private list(body: Record<string, unknown>): Record<string, unknown> {
    const req = parseRequest('list_contact_way', listContactWayRequestSchema, body);
    const nowS = Math.floor(this.deps.now() / 1000);
    const startS = req.start_time ?? nowS - LIST_DEFAULT_WINDOW_S;
    const endS = req.end_time ?? nowS;
    const limit = req.limit ?? LIST_DEFAULT_LIMIT;
    const after = req.cursor ? decodeCursor(req.cursor) : undefined;
    if (req.cursor && !after) throw new Rejection(40058, 'invalid cursor');
    const rest = this.deps.store.all().filter((way) => {
      const createdS = Math.floor(way.createdAtMs / 1000);
      if (way.request.is_temp || createdS < startS || createdS > endS) return false;
      if (!after) return true;
      return (
        way.createdAtMs > after.createdAtMs || (way.createdAtMs === after.createdAtMs && way.seq > after.seq)
      );
    });
    const page = rest.slice(0, limit);
    const last = page[page.length - 1];
    return {
      contact_way: page.map((way) => ({ config_id: way.configId })),
      next_cursor: rest.length > limit && last ? encodeCursor(last) : '',
    };
  }

  private closeTempChat(body: Record<string, unknown>): void {
    const req = parseRequest('close_temp_chat', closeTempChatRequestSchema, body);
    if (!this.deps.directory.member(req.userid)) throw new Rejection(60111, `userid ${req.userid} not found`);
    const session = this.deps.store.liveSession(req.userid, req.external_userid, this.deps.now());
    if (!session) throw new Rejection(84061, 'no valid temporary session between them');
    session.closed = true;
  }

  private find(endpoint: Endpoint, body: Record<string, unknown>): StoredWay {
    const { config_id } = parseRequest(endpoint, configIdRequestSchema, body);
    const way = this.deps.store.get(config_id);
    if (!way) throw new Rejection(41044);
    return way;
  }

  /** Members and departments must exist and be active; 100 people at most once departments are expanded. */
  private checkReach(req: AddContactWayRequest): void {
    const reached = this.deps.directory.reach(req.user ?? [], req.party ?? []);
    if (reached.size > MAX_USERS)
      throw new Rejection(41041, `${reached.size} members after department expansion, at most ${MAX_USERS}`);
    if (reached.size === 0) throw new Rejection(40058, 'the contact way reaches no member');
  }

  /** The stored way in get_contact_way's shape. */
  private toWire(way: StoredWay): ContactWay {
    const r = way.request;
    const { conclusions } = r;
    return {
      config_id: way.configId,
      type: r.type,
      scene: r.scene,
      ...(r.scene === 1 && r.style !== undefined ? { style: r.style } : {}),
      remark: r.remark ?? '',
      skip_verify: r.skip_verify ?? true,
      state: r.state ?? '',
      ...(r.scene === 2 ? { qr_code: this.deps.qrUrl(way.configId) } : {}),
      user: r.user ?? [],
      party: r.party ?? [],
      is_temp: r.is_temp ?? false,
      ...(r.is_temp
        ? {
            expires_in: r.expires_in ?? DEFAULT_EXPIRES_IN_S,
            chat_expires_in: r.chat_expires_in ?? DEFAULT_CHAT_EXPIRES_IN_S,
            ...(r.unionid !== undefined ? { unionid: r.unionid } : {}),
          }
        : {}),
      is_exclusive: r.is_exclusive ?? false,
      mark_source: r.mark_source ?? true,
      ...(conclusions
        ? {
            conclusions: {
              ...conclusions,
              ...(conclusions.image
                ? { image: { pic_url: this.deps.picUrl(conclusions.image.media_id) } }
                : {}),
            },
          }
        : {}),
    };
  }
}
