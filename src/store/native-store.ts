import type { Keyv } from 'keyv';

/**
 * What our atomic operations (set-if-absent.ts, write-all.ts) share to talk to a backend's own client while
 * storing exactly what `keyv.set` would, so `keyv.get` reads it back and later `keyv.set` calls overwrite it.
 */

/** The value as `keyv.set(key, value, ttlMs)` hands it to the adapter: `{value, expires}`, serialized. */
export async function serializeForKeyv(
  keyv: Keyv,
  value: unknown,
  ttlMs: number | undefined,
): Promise<unknown> {
  const data = { value, expires: ttlMs === undefined ? undefined : Date.now() + ttlMs };
  return keyv.serialize ? await keyv.serialize(data) : data;
}

/** The key as Keyv prefixes it for sqlite, PostgreSQL and Map (`{namespace}:{key}`); Redis prefixes itself. */
export function prefixedKey(keyv: Keyv, key: string): string {
  return keyv.useKeyPrefix && keyv.namespace ? `${keyv.namespace}:${key}` : key;
}

/** The node-redis calls we use, as @keyv/redis's client exposes them. */
export interface RedisClient {
  set(key: string, value: string, options?: RedisSetOptions): Promise<unknown>;
  multi(): RedisMulti;
}

export interface RedisSetOptions {
  condition?: 'NX';
  expiration?: { type: 'PX'; value: number };
}

export interface RedisMulti {
  set(key: string, value: string, options?: RedisSetOptions): RedisMulti;
  exec(): Promise<unknown[]>;
}

/** The @keyv/redis adapter behind a Keyv, recognised by shape. */
export interface RedisStore {
  opts: { dialect?: string };
  namespace?: string;
  keyPrefixSeparator: string;
  getClient(): Promise<RedisClient>;
}

export function isRedisStore(store: unknown): store is RedisStore {
  const s = store as Partial<RedisStore> | null;
  return s?.opts?.dialect === 'redis' && typeof s.getClient === 'function';
}

/** The key as the Redis adapter stores it (`{namespace}::{key}`). */
export function redisKey(store: RedisStore, key: string): string {
  return store.namespace ? `${store.namespace}${store.keyPrefixSeparator}${key}` : key;
}

/** A TTL as Redis `PX` takes it: a whole number of milliseconds, at least 1. */
export function redisPx(ttlMs: number): { type: 'PX'; value: number } {
  return { type: 'PX', value: Math.max(1, Math.round(ttlMs)) };
}
