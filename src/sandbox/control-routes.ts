import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ContactwayError } from '../base/errors.js';
import type { SandboxCore } from './core.js';
import { faultSpecSchema } from './faults.js';
import { readBody, send, sendJson } from './http-io.js';
import { landingPage, notFoundPage, qrPng } from './qr.js';

/** Control bodies sent by tests in another process (the bot under test runs as a child). */
const latencySchema = z.object({ ms: z.number().min(0) }).strict();
const clockSchema = z.object({ advance_ms: z.number().int().min(0) }).strict();
const expireSchema = z.object({ code: z.literal([42001, 40014]).optional() }).strict();
const scanSchema = z
  .object({
    config_id: z.string().min(1),
    external_userid: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
  })
  .strict();

const QR_PATH = /^\/sandbox\/qr\/([A-Za-z0-9_-]+)\.png$/;
const PAGE_PATH = /^\/sandbox\/c\/([A-Za-z0-9_-]+)$/;
const MEDIA_PATH = /^\/sandbox\/media\/([^/]+)\.png$/;
const WAY_PATH = /^\/sandbox\/ways\/([A-Za-z0-9_-]+)$/;

/**
 * The sandbox's own routes: QR codes and landing pages that qr_code URLs point to, and the HTTP twin of the
 * in-process controls (faults, latency, token expiry, scans, stats). Returns false when nothing matched.
 */
export async function handleControl(
  core: SandboxCore,
  method: string,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const route = `${method} ${path}`;
  if (method === 'GET') {
    const qr = QR_PATH.exec(path)?.[1];
    if (qr) {
      // A temp QR stops working once it expires or a customer used it, as in WeCom.
      const way = core.worldOfWay(qr).api.qrTarget(qr);
      if (!way) send(res, 404, 'text/plain; charset=utf-8', 'no such QR code');
      else send(res, 200, 'image/png', await qrPng(`${core.url}/sandbox/c/${way.configId}`));
      return true;
    }
    const pageId = PAGE_PATH.exec(path)?.[1];
    if (pageId) {
      const world = core.worldOfWay(pageId);
      const way = world.store.get(pageId);
      if (!way) send(res, 404, 'text/html; charset=utf-8', notFoundPage());
      else {
        const spent = world.api.spent(way);
        const image = way.request.conclusions?.image;
        const closing = {
          ...(way.request.conclusions?.text ? { text: way.request.conclusions.text.content } : {}),
          ...(image ? { picUrl: `/sandbox/media/${encodeURIComponent(image.media_id)}.png` } : {}),
        };
        const welcomed = world.customers
          .state()
          .customers.filter((c) => c.configId === way.configId && c.welcome)
          .at(-1)?.welcome;
        send(
          res,
          spent ? 410 : 200,
          'text/html; charset=utf-8',
          landingPage(way, world.directory, spent, closing, welcomed),
        );
      }
      return true;
    }
    const media = MEDIA_PATH.exec(path)?.[1];
    if (media) {
      // The picture WeCom hosts for a conclusions image (get_contact_way's pic_url points here): the uploaded
      // bytes, or a stand-in for a media_id this sandbox did not see uploaded (one restored from a state file).
      const picture = core.media.picture(decodeURIComponent(media));
      if (picture) send(res, 200, picture.contentType, picture.bytes);
      else send(res, 200, 'image/png', await qrPng(`sandbox media ${decodeURIComponent(media)}`));
      return true;
    }
    const wayId = WAY_PATH.exec(path)?.[1];
    if (wayId) {
      const way = core.contactWay(wayId);
      if (way === undefined) sendJson(res, 404, { error: 'no such contact way' });
      else sendJson(res, 200, way);
      return true;
    }
  }
  switch (route) {
    case 'GET /sandbox/stats':
      sendJson(res, 200, core.stats());
      return true;
    case 'POST /sandbox/faults':
      return control(req, res, faultSpecSchema, (fault) => core.inject(fault));
    case 'DELETE /sandbox/faults':
      core.faults.clear();
      sendJson(res, 200, { ok: true });
      return true;
    case 'POST /sandbox/clock':
      return control(req, res, clockSchema, ({ advance_ms }) => core.advanceClock(advance_ms));
    case 'POST /sandbox/latency':
      return control(req, res, latencySchema, ({ ms }) => core.setLatency(ms));
    case 'POST /sandbox/expire-tokens':
      return control(req, res, expireSchema, ({ code }) => core.revokeAllTokens(code ?? 42001));
    case 'POST /sandbox/scan':
      // A customer scans: the encrypted add event goes to the bot when its callback URL is known.
      return control(req, res, scanSchema, async (scan) => {
        const done = await core.scan(scan.config_id, {
          ...(scan.external_userid ? { externalUserId: scan.external_userid } : {}),
          ...(scan.name ? { name: scan.name } : {}),
        });
        return {
          external_userid: done.externalUserId,
          name: done.name,
          userid: done.userid,
          welcome_code: done.welcomeCode,
          ...(done.delivered ? { delivered: done.delivered } : {}),
        };
      });
    default:
      return false;
  }
}

/** Parses a control body, applies it, and answers 200 `{ok: true}` or 400 with the reason. */
export async function control<S extends z.ZodType>(
  req: IncomingMessage,
  res: ServerResponse,
  schema: S,
  apply: (value: z.output<S>) => unknown,
): Promise<true> {
  let value: unknown;
  try {
    const text = await readBody(req);
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    sendJson(res, 400, { error: 'body must be JSON' });
    return true;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    sendJson(res, 400, { error: z.prettifyError(parsed.error) });
    return true;
  }
  // What the control reports besides `ok` (a scan names its customer); nothing for the others.
  let extra: unknown;
  try {
    extra = await apply(parsed.data);
  } catch (error) {
    // A refused scan (unknown way, used or expired temp QR) says why in both languages, with a stable code.
    sendJson(
      res,
      409,
      error instanceof ContactwayError
        ? { error: error.human.en, error_zh: error.human.zh, code: error.code }
        : { error: error instanceof Error ? error.message : String(error) },
    );
    return true;
  }
  sendJson(res, 200, { ok: true, ...(typeof extra === 'object' ? extra : {}) });
  return true;
}
