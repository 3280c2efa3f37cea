// Preloaded into the bot by `bench/store-calls.ts` (node --import): counts every statement the process sends
// to sqlite (each one a round trip to sqlite3's worker thread), by statement kind and by what the key is for,
// and writes the counts to STORE_COUNT_FILE when the process exits. Plain JavaScript: it runs before any loader.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const sqlite3 = require('sqlite3');
const counts = {};

/** `contactway:idem:…` → `idem`; a JSON list of keys (getMany/deleteMany) → the first key's kind. */
function kindOf(params) {
  const first = Array.isArray(params[0]) ? params[0][0] : params[0];
  let key = typeof first === 'string' ? first : '';
  if (key.startsWith('[')) key = JSON.parse(key)[0] ?? '';
  return kindOfKey(key);
}

function kindOfKey(key) {
  const parts = key.split(':');
  return parts.length > 1 ? parts[1] || parts[2] || '?' : '(none)';
}

/** A batch (src/store/write-all.ts) binds key, value, key, value…: every key's kind, in order. */
function kindsOf(params) {
  const bound = Array.isArray(params[0]) ? params[0] : params;
  return bound
    .filter((_, i) => i % 2 === 0)
    .map((key) => kindOfKey(String(key)))
    .join('+');
}

/**
 * Keyv's get/set/delete/getMany… by their SQL, and our atomic statements (set-if-absent.ts, slot-counter.ts,
 * write-all.ts: Keyv's own set writes `VALUES(?, ?)` and `ON CONFLICT(key)` without the spaces).
 */
function verbOf(sql) {
  if (/VALUES \(\?, \?\)[\s\S]*ON CONFLICT \(key\) DO UPDATE/.test(sql)) return 'write-all';
  if (/DO NOTHING/i.test(sql)) return 'set-if-absent';
  if (/DO UPDATE[\s\S]*WHERE/i.test(sql)) return 'take-slot';
  if (/ON CONFLICT/i.test(sql)) return 'set';
  if (/json_each/i.test(sql)) return /^\s*DELETE/i.test(sql) ? 'deleteMany' : 'getMany';
  if (/^\s*SELECT \* FROM \S+ WHERE key = \?/i.test(sql)) return 'get';
  if (/^\s*DELETE FROM \S+ WHERE key = \?/i.test(sql)) return 'delete';
  if (/^\s*UPDATE/i.test(sql)) return 'give-back-slot';
  return sql.trim().split(/\s+/).slice(0, 2).join(' ');
}

const all = sqlite3.Database.prototype.all;
sqlite3.Database.prototype.all = function countedAll(sql, ...rest) {
  const params = rest.filter((p) => typeof p !== 'function');
  const verb = verbOf(String(sql));
  const name = `${verb} ${verb === 'write-all' ? kindsOf(params) : kindOf(params)}`;
  counts[name] = (counts[name] ?? 0) + 1;
  return all.call(this, sql, ...rest);
};

process.on('exit', () => {
  if (process.env.STORE_COUNT_FILE) writeFileSync(process.env.STORE_COUNT_FILE, JSON.stringify(counts));
});
