import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Many corps in one process: the corp a request works in, from the workspace its requester came from (the
 * binding `install` made), carried through every await of that request. WeCom clients built with `perCorp`
 * read it at each call, so one workspace's requests use only its own corp's token.
 */
const storage = new AsyncLocalStorage<{ authCorpId?: string }>();

export function inCorp<T>(authCorpId: string, work: () => T): T {
  return storage.run({ authCorpId }, work);
}

/**
 * A requester's request that works in no corp (none installed, or several and the workspace bound to none):
 * WeCom calls get the sole client's clear error, and it sees no corp's records.
 */
export function inNoCorp<T>(work: () => T): T {
  return storage.run({}, work);
}

export function currentCorp(): string | undefined {
  return storage.getStore()?.authCorpId;
}

/**
 * The request's corp scope: undefined outside any request (jobs, start-up, the journal's flush: they see
 * every corp's records), `{}` for a request in no corp, else the corp.
 */
export function requestScope(): { authCorpId?: string } | undefined {
  return storage.getStore();
}
