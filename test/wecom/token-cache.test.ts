import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { createTokenCache, REFRESH_MARGIN_MS } from '../../src/wecom/token-cache.js';
import {
  corpSecretTokenSource,
  secretFingerprint,
  type TokenHttp,
  type TokenSource,
} from '../../src/wecom/token-source.js';

/** A token source that issues tok-1, tok-2… and counts fetches; `gate` holds fetches until released. */
function countingSource(expiresInS = 7200, cacheKey = 'test:key') {
  let fetches = 0;
  let release: () => void = () => {};
  let gate: Promise<void> | undefined;
  const source: TokenSource = {
    cacheKey,
    async fetchToken() {
      fetches++;
      const n = fetches;
      if (gate) await gate;
      return { accessToken: `tok-${n}`, expiresInS };
    },
  };
  return {
    source,
    fetches: () => fetches,
    hold() {
      gate = new Promise((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
  };
}

const noHttp: TokenHttp = {
  call: () => Promise.reject(new Error('not used')),
};

function clock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('corpSecretTokenSource', () => {
  it('GIVEN a corp and secret THEN the cache key has the corp and a hash, never the secret', () => {
    const source = corpSecretTokenSource({ corpId: 'ww1', corpSecret: 'the-secret' });
    expect(source.cacheKey).toBe(`wecom:token:ww1:${secretFingerprint('the-secret')}`);
    expect(source.cacheKey).not.toContain('the-secret');
    expect(JSON.stringify(source)).not.toContain('the-secret');
    expect(secretFingerprint('the-secret')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('GIVEN two secrets of one corp THEN two keys (two apps never share a token)', () => {
    const a = corpSecretTokenSource({ corpId: 'ww1', corpSecret: 'app-a' });
    const b = corpSecretTokenSource({ corpId: 'ww1', corpSecret: 'app-b' });
    expect(a.cacheKey).not.toBe(b.cacheKey);
  });

  it('GIVEN an empty secret THEN ConfigError', () => {
    expect(() => corpSecretTokenSource({ corpId: 'ww1', corpSecret: '' })).toThrow(ConfigError);
  });
});

describe('createTokenCache', () => {
  it('GIVEN 1000 concurrent callers THEN one fetch', async () => {
    const s = countingSource();
    s.hold();
    const cache = createTokenCache({ source: s.source, cache: new Keyv(), http: noHttp, now: Date.now });
    const all = Promise.all(Array.from({ length: 1000 }, () => cache.get()));
    await new Promise((resolve) => setTimeout(resolve, 10));
    s.release();
    expect(new Set(await all)).toEqual(new Set(['tok-1']));
    expect(s.fetches()).toBe(1);
  });

  it('GIVEN two caches on one store in one process THEN they share the fetch in flight and the token', async () => {
    const s = countingSource();
    s.hold();
    const store = new Keyv();
    const a = createTokenCache({ source: s.source, cache: store, http: noHttp, now: Date.now });
    const b = createTokenCache({ source: s.source, cache: store, http: noHttp, now: Date.now });
    const both = Promise.all([a.get(), b.get()]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    s.release();
    expect(await both).toEqual(['tok-1', 'tok-1']);
    expect(s.fetches()).toBe(1);
  });

  it('GIVEN a cached token THEN refreshed 5 min before expiry, not before', async () => {
    const c = clock();
    const s = countingSource(7200);
    const cache = createTokenCache({ source: s.source, cache: new Keyv(), http: noHttp, now: c.now });
    expect(await cache.get()).toBe('tok-1');
    c.advance(7200_000 - REFRESH_MARGIN_MS - 1);
    expect(await cache.get()).toBe('tok-1');
    c.advance(1);
    expect(await cache.get()).toBe('tok-2');
    expect(s.fetches()).toBe(2);
  });

  it('GIVEN a token shorter-lived than the margin THEN still cached for half its life', async () => {
    const c = clock();
    const s = countingSource(60);
    const cache = createTokenCache({ source: s.source, cache: new Keyv(), http: noHttp, now: c.now });
    await cache.get();
    c.advance(29_000);
    expect(await cache.get()).toBe('tok-1');
    c.advance(1_000);
    expect(await cache.get()).toBe('tok-2');
  });

  it('GIVEN renew of the cached token THEN drops it and fetches once for all concurrent renewers', async () => {
    const s = countingSource();
    const cache = createTokenCache({ source: s.source, cache: new Keyv(), http: noHttp, now: Date.now });
    const first = await cache.get();
    const renewed = await Promise.all(Array.from({ length: 100 }, () => cache.renew(first)));
    expect(new Set(renewed)).toEqual(new Set(['tok-2']));
    expect(s.fetches()).toBe(2);
    // A late renewer of the old token gets the new one without another fetch.
    expect(await cache.renew(first)).toBe('tok-2');
    expect(s.fetches()).toBe(2);
  });

  it('GIVEN another instance stored a new token THEN renew of the old one keeps it (compare before delete)', async () => {
    const store = new Keyv();
    const s = countingSource();
    const cache = createTokenCache({ source: s.source, cache: store, http: noHttp, now: Date.now });
    await cache.get();
    const fresh = {
      accessToken: 'tok-other',
      expiresAtMs: Date.now() + 7200_000,
      refreshAtMs: Date.now() + 6900_000,
    };
    await store.set('test:key', fresh);
    expect(await cache.renew('tok-1')).toBe('tok-other');
    expect(await store.get('test:key')).toEqual(fresh);
    expect(s.fetches()).toBe(1);
  });

  it('GIVEN a token in memory THEN used without reading the store, and a renew re-reads the store first', async () => {
    const store = new Keyv();
    const s = countingSource();
    const cache = createTokenCache({ source: s.source, cache: store, http: noHttp, now: Date.now });
    expect(await cache.get()).toBe('tok-1');
    // Another instance refreshed; this one hears of it only when WeCom rejects its token.
    await store.set('test:key', {
      accessToken: 'tok-other',
      expiresAtMs: Date.now() + 7200_000,
      refreshAtMs: Date.now() + 6900_000,
    });
    expect(await cache.get()).toBe('tok-1');
    expect(await cache.renew('tok-1')).toBe('tok-other');
    expect(await cache.get()).toBe('tok-other');
    expect(s.fetches()).toBe(1);
  });

  it('GIVEN a store read racing a renew THEN the rejected token it read is not taken back into memory', async () => {
    // The first read of the token key answers late, with what the store held when it was asked.
    let release: () => void = () => {};
    const late = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reads = 0;
    class SlowFirstRead extends Map<string, unknown> {
      override get(key: string): never {
        const value = super.get(key);
        reads++;
        return (reads === 1 ? late.then(() => value) : value) as never;
      }
    }
    const store = new Keyv({ store: new SlowFirstRead() });
    await store.set('test:key', {
      accessToken: 'tok-0',
      expiresAtMs: Date.now() + 7200_000,
      refreshAtMs: Date.now() + 6900_000,
    });
    const s = countingSource();
    const cache = createTokenCache({ source: s.source, cache: store, http: noHttp, now: Date.now });
    const racing = cache.get();
    expect(await cache.renew('tok-0')).toBe('tok-1');
    release();
    expect(await racing).toBe('tok-0');
    expect(await cache.get()).toBe('tok-1');
    expect(s.fetches()).toBe(1);
  });

  it('GIVEN a corrupt entry in the shared store THEN treated as a miss', async () => {
    const store = new Keyv();
    await store.set('test:key', { something: 'else' });
    const s = countingSource();
    const cache = createTokenCache({ source: s.source, cache: store, http: noHttp, now: Date.now });
    expect(await cache.get()).toBe('tok-1');
  });

  it('GIVEN a lock THEN refresh runs inside it and re-checks the cache once it holds it', async () => {
    const store = new Keyv();
    const s = countingSource();
    const locked: string[] = [];
    const lock = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
      locked.push(key);
      // While we "waited" for the lock, another instance refreshed.
      await store.set('test:key', {
        accessToken: 'tok-from-winner',
        expiresAtMs: Date.now() + 7200_000,
        refreshAtMs: Date.now() + 6900_000,
      });
      return fn();
    };
    const cache = createTokenCache({ source: s.source, cache: store, http: noHttp, now: Date.now, lock });
    expect(await cache.get()).toBe('tok-from-winner');
    expect(locked).toEqual(['test:key']);
    expect(s.fetches()).toBe(0);
  });

  it('GIVEN a failing fetch THEN the error reaches every waiter and the next call tries again', async () => {
    let fail = true;
    const source: TokenSource = {
      cacheKey: 'k',
      async fetchToken() {
        if (fail) throw new Error('boom');
        return { accessToken: 'ok', expiresInS: 7200 };
      },
    };
    const cache = createTokenCache({ source, cache: new Keyv(), http: noHttp, now: Date.now });
    const results = await Promise.allSettled([cache.get(), cache.get()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await cache.get()).toBe('ok');
  });
});
