import type { Keyv } from 'keyv';
import type { z } from 'zod';
import type { StoreLogger } from '../base/store-logger.js';

/** Keys per `getMany` round trip. */
const BATCH = 200;

/** What became of one key read by {@link readValid}. */
export type ReadResult<T> =
  | { key: string; state: 'ok'; value: T }
  | { key: string; state: 'missing' }
  | { key: string; state: 'corrupt' };

/**
 * Reads `keys` in batches and validates each value with `schema`. A missing key is `missing` (an orphaned index
 * entry, or an expired one); a value that is not JSON or fails the schema is `corrupt` and reported to the
 * logger, never thrown: one bad row must not hide every other record of a listing. Backend failures do throw.
 */
export async function readValid<S extends z.ZodType>(
  keyv: Keyv,
  keys: readonly string[],
  schema: S,
  logger?: StoreLogger,
): Promise<ReadResult<z.output<S>>[]> {
  const results: ReadResult<z.output<S>>[] = [];
  for (let i = 0; i < keys.length; i += BATCH) {
    const batch = keys.slice(i, i + BATCH);
    const values = await getManyTolerant(keyv, batch);
    batch.forEach((key, j) => {
      const raw = values[j];
      if (raw === undefined) {
        results.push({ key, state: 'missing' });
      } else if (raw === CORRUPT) {
        logger?.warn({ key }, 'store: skipped a value that is not valid JSON');
        results.push({ key, state: 'corrupt' });
      } else {
        const parsed = schema.safeParse(raw);
        if (parsed.success) {
          results.push({ key, state: 'ok', value: parsed.data });
        } else {
          // Paths and codes only: the values themselves may be personal data.
          const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.code}`);
          logger?.warn({ key, issues }, 'store: skipped a value that does not match its schema');
          results.push({ key, state: 'corrupt' });
        }
      }
    });
  }
  return results;
}

const CORRUPT = Symbol('corrupt');

/**
 * `getMany`, except that one undecodable value does not fail the batch. Keyv parses every row with
 * `JSON.parse`, so a single garbled row makes the whole `getMany` throw a SyntaxError; we then read that batch
 * key by key to find it. Any other error is the backend failing and is re-thrown.
 */
async function getManyTolerant(keyv: Keyv, keys: string[]): Promise<unknown[]> {
  try {
    return await keyv.getMany(keys);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  return Promise.all(
    keys.map(async (key) => {
      try {
        return await keyv.get(key);
      } catch (error) {
        if (error instanceof SyntaxError) return CORRUPT;
        throw error;
      }
    }),
  );
}
