import type { IncomingMessage } from 'node:http';
import { BodyTooLarge, readBody } from './http-io.js';
import { isPlainObject } from './rules.js';
import { wrongJson } from './wecom-reply.js';

/** A POST body as WeCom reads one: a JSON object, or 40058 saying what is wrong with it. */
export async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readBody(req);
  } catch (error) {
    if (error instanceof BodyTooLarge) throw wrongJson('body too large');
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw wrongJson('invalid json');
  }
  if (!isPlainObject(body)) throw wrongJson('body must be a JSON object');
  return body;
}
