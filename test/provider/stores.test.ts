import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { silentLogger } from '../../src/base/logger.js';
import { createSealer } from '../../src/base/seal.js';
import { noLock } from '../../src/lock/lock.js';
import { createTenantStore } from '../../src/provider/tenant-store.js';
import { createSuiteTicketStore, SUITE_TICKET_LIFE_MS } from '../../src/provider/ticket-store.js';

const KEY = Buffer.alloc(32, 9).toString('base64');

describe('sealing secrets at rest (STORE_ENCRYPTION_KEY)', () => {
  it('GIVEN a key THEN AES-256-GCM round trip; another key or a changed byte is refused, never guessed', () => {
    const sealer = createSealer(KEY);
    const sealed = sealer.seal('permanent-code-value');
    expect(JSON.stringify(sealed)).not.toContain('permanent-code-value');
    expect(sealer.open(sealed)).toBe('permanent-code-value');
    expect(() => createSealer('ab'.repeat(32)).open(sealed)).toThrow(/another STORE_ENCRYPTION_KEY/);
    expect(() => createSealer(undefined).open(sealed)).toThrow(ConfigError);
    if (!('data' in sealed)) throw new Error('sealed expected');
    const data = Buffer.from(sealed.data, 'base64');
    data[0] = (data[0] ?? 0) ^ 1;
    expect(() => sealer.open({ ...sealed, data: data.toString('base64') })).toThrow(/does not open/);
  });

  it('GIVEN no key THEN kept as given, and still read once a key is set', () => {
    const plain = createSealer(undefined).seal('code');
    expect(plain).toEqual({ plain: 'code' });
    expect(createSealer(KEY).open(plain)).toBe('code');
  });
});

describe('the suite_ticket store', () => {
  function store(start = 1_800_000_000_000) {
    let now = start;
    const keyv = new Keyv();
    const tickets = createSuiteTicketStore({
      keyv,
      suiteId: 'wwsuite',
      lock: noLock,
      sealer: createSealer(KEY),
      now: () => now,
    });
    return { tickets, keyv, advance: (ms: number) => (now += ms), seconds: () => Math.floor(now / 1000) };
  }

  it('GIVEN a push THEN kept 30 minutes from its TimeStamp, not the 10 between pushes', async () => {
    const s = store();
    expect(await s.tickets.offer('t1', s.seconds())).toBe('kept');
    s.advance(SUITE_TICKET_LIFE_MS - 60_000);
    expect((await s.tickets.newest())?.ticket).toBe('t1');
    s.advance(120_000);
    expect(await s.tickets.newest()).toBeUndefined();
  });

  it('GIVEN a push delivered after its 30 minutes THEN not kept; the same TimeStamp twice THEN the first stays', async () => {
    const s = store();
    expect(await s.tickets.offer('late', s.seconds() - 31 * 60)).toBe('expired');
    expect(await s.tickets.offer('first', s.seconds())).toBe('kept');
    expect(await s.tickets.offer('again', s.seconds())).toBe('older');
    expect((await s.tickets.newest())?.ticket).toBe('first');
  });

  it('GIVEN a ticket refused after a newer one arrived THEN the newer one is not marked', async () => {
    const s = store();
    await s.tickets.offer('old', s.seconds() - 60);
    const old = await s.tickets.newest();
    await s.tickets.offer('new', s.seconds());
    if (old) await s.tickets.refuse(old);
    expect(await s.tickets.newest()).toMatchObject({ ticket: 'new', refused: false });
  });
});

describe('the tenant store', () => {
  it('GIVEN an encrypted corp id with capitals THEN kept as given; cancel deletes the code', async () => {
    const keyv = new Keyv();
    const tenants = createTenantStore({
      keyv,
      mode: 'third-party',
      suiteId: 'ww_sandbox_suite',
      sealer: createSealer(KEY),
      logger: silentLogger(),
    });
    await tenants.save({ authCorpId: 'wpAbC-xYz_09', permanentCode: 'the-code', agentId: 7 });
    expect((await tenants.list()).map((t) => t.authCorpId)).toEqual(['wpAbC-xYz_09']);
    expect(await tenants.get('wpabc-xyz_09')).toBeUndefined();
    expect((await tenants.credentials('wpAbC-xYz_09')).permanentCode).toBe('the-code');
    await tenants.cancel('wpAbC-xYz_09');
    expect(JSON.stringify(await keyv.get('wecom:tenant:wpAbC-xYz_09'))).not.toContain('aes-256-gcm');
    await expect(tenants.credentials('wpAbC-xYz_09')).rejects.toMatchObject({ code: 'provider.tenant_lost' });
    await expect(tenants.credentials('wpNever')).rejects.toMatchObject({ code: 'provider.not_installed' });
  });
});
