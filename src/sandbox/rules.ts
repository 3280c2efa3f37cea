import { z } from 'zod';
import type { Endpoint } from '../wecom/schemas.js';
import { Rejection } from './wecom-reply.js';

/**
 * The sandbox enforces the rules of `src/wecom/schemas.ts` and only adds WeCom's errcodes: each request is parsed
 * with the shared schema and the first issue becomes the errcode WeCom would send for it.
 */
export function parseRequest<S extends z.ZodType>(endpoint: Endpoint, schema: S, body: unknown): z.output<S> {
  // WeCom ignores fields it does not know; our schemas are strict (they guard our own client), so drop them first.
  const result = schema.safeParse(stripUnknown(schema, body));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new Rejection(40058);
  throw toRejection(endpoint, issue, body);
}

/** The errcode for one zod issue. `present` tells "missing" from "invalid", which WeCom tells apart. */
export function toRejection(endpoint: Endpoint, issue: z.core.$ZodIssue, body: unknown): Rejection {
  const [head, ...rest] = issue.path;
  const field = typeof head === 'string' ? head : '';
  const present = valueAt(body, issue.path) !== undefined;
  // Our schemas carry a human text for each rule; it reads better in errmsg than zod's generic message.
  const why = (issue as { params?: { human?: { en?: string } } }).params?.human?.en ?? issue.message;
  const detail = `${issue.path.map(String).join('.') || 'body'} ${present ? why : 'is required'}`;
  switch (field) {
    case 'type':
      return new Rejection(present ? 41039 : 41037, detail);
    case 'scene':
      return new Rejection(present ? 41040 : 41038, detail);
    // Style given with scene 2 is a style problem too (one forum report saw 41040 for it; 41042 names the field).
    case 'style':
      return new Rejection(41042, detail);
    case 'config_id':
      return new Rejection(present ? 41044 : 41043, detail);
    case 'user':
      if (issue.code === 'too_big') return new Rejection(41041, detail);
      if (rest.length > 0) return new Rejection(40003, detail);
      return new Rejection(40058, detail);
    case 'userid':
      if (endpoint === 'close_temp_chat') return new Rejection(40003, detail);
      return new Rejection(40058, detail);
    case 'external_userid':
      return new Rejection(40096, detail);
    case 'conclusions':
      // A mini-program card whose appid is no appid (wecom-provider-modes.md §5.1).
      if (rest.at(-1) === 'appid' && rest.includes('miniprogram')) return new Rejection(90207, detail);
      return new Rejection(40058, detail);
    default:
      return new Rejection(40058, detail);
  }
}

/** Removes keys the schema does not declare, at every object level it describes. */
export function stripUnknown(schema: z.ZodType, value: unknown): unknown {
  const inner = unwrap(schema);
  if (!(inner instanceof z.ZodObject) || !isPlainObject(value)) return value;
  const shape = inner.shape as Record<string, z.ZodType>;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const fieldSchema = shape[key];
    if (fieldSchema) out[key] = stripUnknown(fieldSchema, v);
  }
  return out;
}

function unwrap(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault)
    return unwrap(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodPipe) return unwrap(schema.in as z.ZodType);
  return schema;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
