import Keyv from 'keyv';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createMemberDirectory,
  DIRECTORY_KEY,
  type DirectorySnapshot,
  type MemberDirectory,
} from '../../src/directory/index.js';
import { type Sandbox, type SandboxMember, startSandbox } from '../../src/sandbox/index.js';
import { createPolicy } from '../../src/service/policy.js';
import type { Requester } from '../../src/store/index.js';
import { createDirectoryApi } from '../../src/wecom/directory-api.js';
import { corpSecretTokenSource } from '../../src/wecom/index.js';
import { captureLogs } from '../fixtures/logged-bot.js';

/**
 * The member directory against the sandbox over real HTTP: what requests read comes from memory (filled from
 * the store and refreshed in the background), survives WeCom being down, and is searched by id and name.
 */

const REFRESH_MS = 15 * 60_000;
const ME: Requester = { platform: 'console', workspaceId: 'local', userId: 'me' };

let sandbox: Sandbox;
let clock = 1_700_000_000_000;
const now = () => clock;
let open: MemberDirectory[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.clearFaults();
});
afterEach(() => {
  for (const d of open) d.close();
  open = [];
  vi.useRealTimers();
});

function directory(
  store: Keyv,
  options: {
    scope?: (r: Requester) => readonly string[] | undefined;
    target?: Sandbox;
    logs?: ReturnType<typeof captureLogs>;
  } = {},
): MemberDirectory {
  const target = options.target ?? sandbox;
  const d = createMemberDirectory({
    api: createDirectoryApi({
      baseUrl: target.url,
      tokens: corpSecretTokenSource({ corpId: target.corpId, corpSecret: target.corpSecret }),
      cache: store,
      sleep: async () => {},
      timeoutMs: 2_000,
    }),
    store,
    refreshMs: REFRESH_MS,
    scope: options.scope ?? (() => undefined),
    now,
    ...(options.logs ? { logger: options.logs.logger } : {}),
  });
  open.push(d);
  return d;
}

const follows = () => sandbox.stats().calls.get_follow_user_list ?? 0;

describe('the member directory', () => {
  it('GIVEN a first fill from the sandbox THEN verdicts say who is eligible and why the others are not', async () => {
    const d = directory(new Keyv());
    expect(d.verdict('lisi')).toEqual({ kind: 'unknown' });
    await d.start();
    expect(d.verdict('lisi')).toEqual({ kind: 'eligible' });
    expect(d.verdict('LISI')).toEqual({ kind: 'eligible' });
    expect(d.verdict('sunqi')).toEqual({ kind: 'ineligible', reason: 'not_enabled' });
    expect(d.verdict('zhaoliu')).toEqual({ kind: 'ineligible', reason: 'not_activated' });
    expect(d.verdict('nobody')).toEqual({ kind: 'unknown' });
    expect(d.status()).toMatchObject({
      loaded: true,
      stale: false,
      addressBook: true,
      names: true,
      members: 5,
    });
  });

  it('GIVEN a fresh copy in the store THEN it is read from there, not from WeCom', async () => {
    const store = new Keyv();
    await directory(store).start();
    const before = follows();
    const second = directory(store);
    await second.start();
    expect(follows()).toBe(before);
    expect(second.verdict('sunqi')).toEqual({ kind: 'ineligible', reason: 'not_enabled' });
  });

  it('GIVEN the refresh interval passes THEN the timer refreshes in the background, and lookups never wait for it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = new Keyv();
    const d = directory(store);
    await d.start();
    const before = follows();
    clock += REFRESH_MS + 1;
    sandbox.setLatency(300);
    vi.advanceTimersByTime(REFRESH_MS);
    // The refresh is under way; the directory answers from memory at once.
    const started = performance.now();
    expect(d.verdict('lisi')).toEqual({ kind: 'eligible' });
    expect(d.search('li', { limit: 10, requester: ME }).members.map((m) => m.userid)).toEqual(['lisi']);
    expect(performance.now() - started).toBeLessThan(50);
    await vi.waitFor(() => expect(follows()).toBe(before + 1), { timeout: 5_000 });
    sandbox.setLatency(0);
    await vi.waitFor(async () =>
      expect(((await store.get(DIRECTORY_KEY)) as DirectorySnapshot).fetchedAtMs).toBe(clock),
    );
  });

  it('GIVEN WeCom goes down THEN the last known list is kept, flagged stale, and the failure is logged', async () => {
    const logs = captureLogs('debug');
    const d = directory(new Keyv(), { logs });
    await d.start();
    sandbox.inject({ endpoint: 'get_follow_user_list', status: 503, times: 10 });
    expect(await d.refresh()).toBe(false);
    expect(d.verdict('sunqi')).toEqual({ kind: 'ineligible', reason: 'not_enabled' });
    const found = d.search('', { limit: 100, requester: ME });
    expect(found.stale).toBe(true);
    expect(found.members.map((m) => m.userid)).toContain('zhangsan');
    expect(logs.records().some((r) => String(r.msg).includes('keeping the last known list'))).toBe(true);
    sandbox.clearFaults();
    expect(await d.refresh()).toBe(true);
    expect(d.status().stale).toBe(false);
  });

  it('GIVEN a stored copy older than twice the interval and WeCom unreachable THEN it is used, flagged stale', async () => {
    const store = new Keyv();
    await directory(store).start();
    clock += 3 * REFRESH_MS;
    const down = await startSandbox();
    await down.close();
    const d = directory(store, { target: down });
    await d.start();
    expect(d.verdict('sunqi').kind).toBe('ineligible');
    expect(d.status().stale).toBe(true);
  });

  it('GIVEN no address-book access THEN followers are still listed, ineligible members are unknown, and it is said once', async () => {
    const logs = captureLogs('debug');
    sandbox.inject({ endpoint: 'user_list_id', errcode: 48002, times: 2 });
    const d = directory(new Keyv(), { logs });
    await d.start();
    await d.refresh();
    expect(d.verdict('lisi')).toEqual({ kind: 'eligible' });
    expect(d.verdict('sunqi')).toEqual({ kind: 'unknown' });
    // Followers user/get knows to be unable to take a contact way are still ruled out.
    expect(d.verdict('zhaoliu')).toEqual({ kind: 'ineligible', reason: 'not_activated' });
    const said = logs.records().filter((r) => String(r.msg).includes('may not list the address book'));
    expect(said).toHaveLength(1);
  });

  it('GIVEN user/get is forbidden THEN members are shown by userid alone, and it is said once', async () => {
    const logs = captureLogs('debug');
    sandbox.inject({ endpoint: 'user_get', errcode: 48002, times: 8 });
    const d = directory(new Keyv(), { logs });
    await d.start();
    expect(d.status().names).toBe(false);
    const members = d.search('', { limit: 100, requester: ME }).members;
    expect(members.every((m) => m.name === undefined)).toBe(true);
    expect(logs.records().filter((r) => String(r.msg).includes('may not read member names'))).toHaveLength(1);
  });
});

describe('searching the directory', () => {
  const many: SandboxMember[] = Array.from({ length: 250 }, (_, i) => ({
    userid: `user${String(i).padStart(3, '0')}`,
    name: i % 2 ? `张${i}` : `Li Ming ${i}`,
    departments: [1],
  }));
  let big: Sandbox;
  beforeAll(async () => {
    big = await startSandbox({
      members: [
        ...many,
        { userid: 'zhangsan', name: '张三', departments: [1] },
        { userid: 'lisi', name: '李四', departments: [1] },
        { userid: 'sunqi', name: '孙七', departments: [1], customerContact: false },
      ],
    });
  });
  afterAll(() => big.close());

  it('GIVEN a query THEN matches by userid or name, Chinese included, case-insensitive, ineligible left out', async () => {
    const d = directory(new Keyv(), { target: big });
    await d.start();
    const ids = (q: string, limit = 100) =>
      d.search(q, { limit, requester: ME }).members.map((m) => m.userid);
    expect(ids('张三')).toEqual(['zhangsan']);
    expect(ids('ZHANG')).toEqual(['zhangsan']);
    expect(ids('李')).toEqual(['lisi']);
    expect(ids('孙')).toEqual([]);
    expect(ids('sunqi')).toEqual([]);
    expect(ids('li ming 24')).toEqual(expect.arrayContaining(['user024', 'user240', 'user242']));
    expect(ids('user01', 5)).toEqual(['user010', 'user011', 'user012', 'user013', 'user014']);
  });

  it('GIVEN an empty query or a large limit THEN at most 100 members', async () => {
    const d = directory(new Keyv(), { target: big });
    await d.start();
    expect(d.search('', { limit: 1000, requester: ME }).members).toHaveLength(100);
    expect(d.search('张', { limit: 1000, requester: ME }).members).toHaveLength(100);
    expect(d.search('', { limit: 25, requester: ME }).members).toHaveLength(25);
  });

  it('GIVEN CREATE_FOR=mapped THEN a mapped requester sees only their own member, an unmapped one nobody, an admin everyone', async () => {
    const policy = createPolicy({
      createFor: 'mapped',
      userMap: { 'console:local:me': 'lisi' },
      admins: ['console:local:boss'],
    });
    const d = directory(new Keyv(), { target: big, scope: policy.memberScope });
    await d.start();
    const ids = (r: Requester, q = '') =>
      d.search(q, { limit: 100, requester: r }).members.map((m) => m.userid);
    expect(ids(ME)).toEqual(['lisi']);
    expect(ids(ME, 'zhang')).toEqual([]);
    expect(ids({ ...ME, userId: 'stranger' })).toEqual([]);
    expect(ids({ ...ME, userId: 'boss' })).toHaveLength(100);
  });
});
