import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line written while one request is handled carries. */
export interface RequestScope {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/**
 * Runs `work` as one request: every log line written inside it, by the adapter, the service, the WeCom
 * client or the store, carries the same `requestId` (the logger reads it, see `createLogger`), without a
 * logger being handed down through every call.
 */
export function withRequestScope<T>(work: () => T, requestId: string = randomUUID()): T {
  return storage.run({ requestId }, work);
}

/**
 * The fields of the request being handled, or an empty object outside one. Always a fresh object: pino
 * merges each line's own fields into what the mixin returns, so handing it the live store would let one
 * line's `errcode` ride along on every later line of the same request.
 */
export function requestLogFields(): Partial<RequestScope> {
  const scope = storage.getStore();
  return scope ? { requestId: scope.requestId } : {};
}
