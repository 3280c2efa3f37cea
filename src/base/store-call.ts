import { ContactwayError, StoreError } from './errors.js';
import { t } from './i18n.js';

/** The text a requester sees when the store fails; the cause (kept on the error) is for logs. */
export const STORE_UNAVAILABLE = t(
  'The contact-way store is unavailable right now. Nothing was lost; please try again shortly.',
  '存储服务暂时不可用，数据未丢失，请稍后重试。',
);

/**
 * Runs one store operation and turns whatever the backend throws (sqlite, Redis, PostgreSQL driver errors,
 * which Keyv re-throws because of `throwOnErrors`) into a StoreError. Errors already in our tree pass through,
 * so a ValidationError raised inside stays a ValidationError. Exported so other users of the shared Keyv (the
 * WeCom token cache, idempotency keys) report store failures the same way.
 */
export async function storeCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof ContactwayError) throw error;
    throw new StoreError(STORE_UNAVAILABLE, { cause: error });
  }
}
