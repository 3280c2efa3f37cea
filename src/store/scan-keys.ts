import type { Keyv } from 'keyv';

/** How {@link scanKeys} orders and bounds what it returns. */
export interface ScanOptions {
  descending?: boolean;
  /**
   * At most this many keys, the first in the chosen order. sqlite and PostgreSQL then read only those rows
   * (`ORDER BY key … LIMIT`); Redis and Map still list every matching key and cut afterwards.
   */
  limit?: number;
  /** Only keys strictly after this one in the chosen order: the cursor of the previous page. */
  after?: string;
}

/** Keys fetched per SQL page or Redis SCAN call. */
const PAGE = 1_000;

/**
 * Every logical key (namespace removed) of the Keyv that starts with `prefix`, sorted by code unit order
 * (ascending unless `descending`). Keys only: values are fetched afterwards with `getMany`.
 *
 * Why not `keyv.iterator()`: it walks the whole namespace (tokens, audit and all), the sqlite adapter pages
 * with LIMIT/OFFSET and no ORDER BY (rows inserted meanwhile can shift pages and be skipped), the PostgreSQL
 * adapter swallows a failing page and just stops (a silently short listing), and Redis SCANs 10 keys per call.
 * Here each backend gets an exact prefix query:
 *
 * - sqlite: a range on the primary key (`key >= prefix AND key < prefix⁺`), keyset-paged; uses the index.
 * - PostgreSQL: the same range with `COLLATE "C"`, so it compares bytes whatever the database locale (a locale
 *   collation may ignore `:`); a full-table scan per page unless an index on `(key COLLATE "C")` exists.
 * - Redis: `SCAN MATCH {escaped prefix}*` over every master; SCAN walks the whole keyspace and may repeat keys.
 * - Map: a filter over its keys.
 *
 * Ranges avoid LIKE and glob escaping altogether on SQL; Redis glob characters are escaped.
 */
export async function scanKeys(keyv: Keyv, prefix: string, options: ScanOptions = {}): Promise<string[]> {
  const store: unknown = keyv.store;
  const namespace = keyv.namespace;
  let keys: string[];
  if (store instanceof Map) {
    keys = scanMap(store, physicalPrefix(keyv, ':'), prefix);
  } else if (isSqlStore(store) && (store.opts.dialect === 'sqlite' || store.opts.dialect === 'postgres')) {
    // Already ordered, bounded and past the cursor.
    return scanSql(store, store.opts.dialect, physicalPrefix(keyv, ':'), prefix, options);
  } else if (isRedisStore(store)) {
    const ns = store.namespace;
    keys = await scanRedis(store, ns ? `${ns}${store.keyPrefixSeparator}` : '', prefix);
  } else if (keyv.iterator) {
    // Any other adapter Keyv can iterate: correct, but walks the whole namespace.
    keys = [];
    for await (const [key] of keyv.iterator(namespace)) {
      if (typeof key === 'string' && key.startsWith(prefix)) keys.push(key);
    }
  } else {
    throw new Error('This Keyv store cannot list keys by prefix');
  }
  keys.sort(compare);
  if (options.descending) keys.reverse();
  const { after } = options;
  if (after !== undefined) {
    keys = keys.filter((key) => (options.descending ? compare(key, after) < 0 : compare(key, after) > 0));
  }
  return options.limit === undefined ? keys : keys.slice(0, options.limit);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What Keyv puts in front of a logical key when it prefixes keys itself (sqlite, PostgreSQL, Map). */
export function physicalPrefix(keyv: Keyv, separator: string): string {
  return keyv.useKeyPrefix && keyv.namespace ? `${keyv.namespace}${separator}` : '';
}

function scanMap(map: Map<unknown, unknown>, ns: string, prefix: string): string[] {
  const full = ns + prefix;
  const keys: string[] = [];
  for (const key of map.keys()) {
    if (typeof key === 'string' && key.startsWith(full)) keys.push(key.slice(ns.length));
  }
  return keys;
}

/** The @keyv/sqlite or @keyv/postgres adapter behind a Keyv, recognised by shape. */
export interface SqlStore {
  opts: { dialect?: string; table?: string; schema?: string };
  query: (sql: string, ...params: unknown[]) => Promise<unknown>;
}

export function isSqlStore(store: unknown): store is SqlStore {
  const s = store as Partial<SqlStore> | null;
  return typeof s?.query === 'function' && typeof s.opts?.table === 'string';
}

/** The adapter's table, quoted for SQL (schema-qualified on PostgreSQL). */
export function sqlTable(store: SqlStore, dialect: 'sqlite' | 'postgres'): string {
  return dialect === 'postgres'
    ? `${quoteIdent(store.opts.schema ?? 'public')}.${quoteIdent(store.opts.table!)}`
    : quoteIdent(store.opts.table!);
}

async function scanSql(
  store: SqlStore,
  dialect: 'sqlite' | 'postgres',
  ns: string,
  prefix: string,
  options: ScanOptions,
): Promise<string[]> {
  const from = ns + prefix;
  const to = upperBound(from);
  const table = sqlTable(store, dialect);
  // sqlite compares TEXT bytewise (BINARY collation) already; PostgreSQL must be told to.
  const k = dialect === 'postgres' ? 'key COLLATE "C"' : 'key';
  const p = dialect === 'postgres' ? (n: number) => `$${n}` : () => '?';
  const descending = options.descending === true;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const order = descending ? 'DESC' : 'ASC';
  const past = descending ? '<' : '>';
  // Keyset paging (past the last key seen), not OFFSET: a row inserted meanwhile cannot shift a page and hide
  // another. A descending scan walks the primary key backwards, so the newest N keys cost N rows.
  const firstPage = `SELECT key FROM ${table} WHERE ${k} >= ${p(1)} AND ${k} < ${p(2)} ORDER BY ${k} ${order} LIMIT ${p(3)}`;
  const nextPage = `SELECT key FROM ${table} WHERE ${k} >= ${p(1)} AND ${k} < ${p(2)} AND ${k} ${past} ${p(3)} ORDER BY ${k} ${order} LIMIT ${p(4)}`;
  const keys: string[] = [];
  let cursor = options.after === undefined ? undefined : ns + options.after;
  for (;;) {
    const size = Math.min(PAGE, limit - keys.length);
    if (size <= 0) return keys;
    // sqlite's adapter spreads its arguments into sqlite3's `all`, which takes an array of bindings;
    // the PostgreSQL adapter takes `(sql, values)`: one array fits both.
    const rows = (await (cursor === undefined
      ? store.query(firstPage, [from, to, size])
      : store.query(nextPage, [from, to, cursor, size]))) as Array<{ key: string }>;
    for (const row of rows) keys.push(row.key.slice(ns.length));
    if (rows.length < size) return keys;
    cursor = rows[rows.length - 1]!.key;
  }
}

/** The smallest string greater than every string starting with `s` (all our keys are ASCII). */
export function upperBound(s: string): string {
  if (s === '') return '\uffff';
  const last = s.charCodeAt(s.length - 1);
  return s.slice(0, -1) + String.fromCharCode(last + 1);
}

function quoteIdent(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

interface RedisScanClient {
  scan(
    cursor: string,
    options: { MATCH: string; COUNT: number },
  ): Promise<{ cursor: string | number; keys: string[] }>;
}

interface RedisScanStore {
  opts: { dialect?: string };
  namespace?: string;
  keyPrefixSeparator: string;
  getMasterNodes(): Promise<RedisScanClient[]>;
}

function isRedisStore(store: unknown): store is RedisScanStore {
  const s = store as Partial<RedisScanStore> | null;
  return s?.opts?.dialect === 'redis' && typeof s.getMasterNodes === 'function';
}

async function scanRedis(store: RedisScanStore, ns: string, prefix: string): Promise<string[]> {
  const match = `${escapeGlob(ns + prefix)}*`;
  // SCAN may return a key more than once (during rehashing); the Set keeps each once.
  const keys = new Set<string>();
  for (const client of await store.getMasterNodes()) {
    let cursor = '0';
    do {
      const page = await client.scan(cursor, { MATCH: match, COUNT: PAGE });
      cursor = String(page.cursor);
      for (const key of page.keys) keys.add(key.slice(ns.length));
    } while (cursor !== '0');
  }
  return [...keys];
}

function escapeGlob(s: string): string {
  return s.replace(/[\\*?[\]^-]/g, '\\$&');
}
