import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/base/logger.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { closeKeyv, createRecordStore, openKeyv, requesterKey } from '../../src/store/index.js';
import { spawnGroup } from '../fixtures/child-process.js';
import { asOpened } from '../fixtures/console-lines.js';

/**
 * Issue 6, "Several instances": two real bot processes (`tsx src/main.ts`, console adapter) on one real Redis
 * or PostgreSQL and one WeCom sandbox, reached over HTTP like real WeCom. They create contact ways at the same
 * time; the store must keep every config_id, and the WeCom token must be fetched once and shared.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const backends = [
  { name: 'Redis', url: process.env.REDIS_URL, hint: 'REDIS_URL=redis://127.0.0.1:6379' },
  {
    name: 'PostgreSQL',
    url: process.env.POSTGRES_URL,
    hint: 'POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test',
  },
];
for (const b of backends) {
  if (!b.url) console.warn(`Multi-instance test on ${b.name} skipped: set ${b.hint} to run it.`);
}

const run = randomBytes(4).toString('hex');
const dir = mkdtempSync(join(tmpdir(), 'contactway-multi-'));
const namespaces: { url: string; namespace: string }[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  // Each run has its own namespaces; remove what it wrote.
  for (const { url, namespace } of namespaces) {
    const keyv = await openKeyv(url, { namespace });
    await keyv.clear();
    await closeKeyv(keyv);
  }
});

/** `n` temp QRs for zhangsan, each form accepted with its defaults, then exit. */
function tempScript(n: number): string {
  const one = asOpened('temp zhangsan');
  return `${[...Array.from({ length: n }, () => one).flat(), 'exit'].join('\n')}\n`;
}

interface Bot {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once the console has printed its banner: the store and the WeCom client are built. */
  ready: Promise<void>;
  exited: Promise<number | null>;
}

function startBot(name: string, env: Record<string, string>): Bot {
  const child = spawnGroup(join(ROOT, 'node_modules/.bin/tsx'), ['src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      QR_DIR: join(dir, name, 'qr'),
      JOURNAL_PATH: join(dir, name, 'pending.jsonl'),
      // 50 creations by one requester in one run: well above the per-requester default of 30/1h.
      RATE_LIMIT_CREATES: '1000/1h',
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.on('data', (d) => {
    stdout += d;
    if (stdout.includes('contactway console')) markReady();
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      markReady();
      resolve(code);
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, ready, exited };
}

const configIdsIn = (text: string) => [...text.matchAll(/config_id\s+([0-9a-f]{32})/g)].map((m) => m[1]!);

/** A sandbox with a corp of its own (no token can be cached for it yet), logging when each gettoken arrives. */
async function freshSandbox(storeUrl: string, options: { tokenTtlS?: number; latencyMs?: number } = {}) {
  const gettokenAtMs: number[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: {
      write(line: string) {
        if (line.includes('"api":"gettoken"')) gettokenAtMs.push(Date.now());
      },
    },
  });
  const sandbox = await startSandbox({
    corpId: `ww_multi_${run}_${namespaces.length}`,
    corpSecret: randomBytes(16).toString('hex'),
    logger,
    ...options,
  });
  const namespace = `multi-${run}-${namespaces.length}`;
  namespaces.push({ url: storeUrl, namespace });
  const env = {
    STORE_URL: storeUrl,
    STORE_NAMESPACE: namespace,
    WECOM_CORP_ID: sandbox.corpId,
    WECOM_CORP_SECRET: sandbox.corpSecret,
    WECOM_API_BASE: sandbox.url,
  };
  return { sandbox, env, namespace, gettokenAtMs };
}

/** Starts two bots, waits until both are up, then feeds both their script at the same moment. */
async function twoInstances(env: Record<string, string>, creationsEach: number) {
  const bots = [startBot(`a-${env.STORE_NAMESPACE}`, env), startBot(`b-${env.STORE_NAMESPACE}`, env)];
  await Promise.all(bots.map((b) => b.ready));
  for (const bot of bots) bot.child.stdin.end(tempScript(creationsEach));
  const codes = await Promise.all(bots.map((b) => b.exited));
  return { bots, codes };
}

for (const backend of backends) {
  describe.skipIf(!backend.url)(`several instances on one ${backend.name} (two real bot processes)`, () => {
    const storeUrl = backend.url!;
    let sandbox: Sandbox | undefined;
    let other: Sandbox | undefined;
    afterAll(async () => {
      await sandbox?.close();
      await other?.close();
    });

    it('GIVEN two processes creating at once THEN no config_id is lost and both use one token (one gettoken)', async () => {
      const fresh = await freshSandbox(storeUrl);
      sandbox = fresh.sandbox;
      const { bots, codes } = await twoInstances(fresh.env, 25);
      expect(codes).toEqual([0, 0]);
      for (const bot of bots) expect(bot.stderr()).not.toMatch(/"level":(40|50|60)/);

      const printed = bots.map((b) => configIdsIn(b.stdout()));
      expect(printed.map((ids) => new Set(ids).size)).toEqual([25, 25]);
      const all = new Set(printed.flat());
      expect(all.size).toBe(50);
      expect(sandbox.stats().calls.add_contact_way).toBe(50);

      // Both processes fetched the token together at start; the lock let one fetch it and the other reuse it.
      expect(sandbox.stats().gettoken).toBe(1);

      // The requester's list, read by a third process, is complete.
      const third = startBot(`c-${fresh.namespace}`, fresh.env);
      third.child.stdin.end('list\nexit\n');
      expect(await third.exited).toBe(0);
      expect(third.stdout()).toContain('50 contact way(s)');
      expect(new Set(configIdsInList(third.stdout()))).toEqual(all);

      // And the store itself holds the same 50 under the requester (the OS user, as for the console).
      const keyv = await openKeyv(storeUrl, { namespace: fresh.namespace });
      try {
        const records = await createRecordStore(keyv).listByRequester(
          requesterKey({ platform: 'console', workspaceId: 'local', userId: userInfo().username }),
        );
        expect(new Set(records.map((r) => r.configId))).toEqual(all);
        // The two processes really created at the same time: their creation periods overlap.
        const period = (ids: string[]) => {
          const at = records.filter((r) => ids.includes(r.configId)).map((r) => Date.parse(r.createdAt));
          return [Math.min(...at), Math.max(...at)] as const;
        };
        const [a, b] = [period(printed[0]!), period(printed[1]!)];
        expect(a[0] < b[1] && b[0] < a[1]).toBe(true);
      } finally {
        await closeKeyv(keyv);
      }
      // The run made no further gettoken (the third process reused the cached token too).
      expect(sandbox.stats().gettoken).toBe(1);
    }, 60_000);

    it('GIVEN tokens that expire every 2 s THEN at most one gettoken per refresh window across both processes', async () => {
      // Refresh comes at half the lifetime for short tokens (token-cache.ts): every ~1 s here. WeCom answers
      // slowly enough that the run spans several windows.
      const fresh = await freshSandbox(storeUrl, { tokenTtlS: 2, latencyMs: 150 });
      other = fresh.sandbox;
      const started = Date.now();
      const { bots, codes } = await twoInstances(fresh.env, 10);
      const elapsedMs = Date.now() - started;
      expect(codes).toEqual([0, 0]);
      // On a loaded machine a call can reach WeCom after its 2 s token expired: that 42001 is logged as a warning and
      // healed by the refresh below, which is what this test counts. Any other warning is a failure.
      for (const bot of bots) {
        const warnings = bot
          .stderr()
          .split('\n')
          .filter((line) => /"level":(40|50|60)/.test(line));
        expect(warnings.filter((line) => !line.includes('"errcode":42001'))).toEqual([]);
      }
      expect(new Set(bots.flatMap((b) => configIdsIn(b.stdout()))).size).toBe(20);

      const times = fresh.gettokenAtMs;
      expect(times.length).toBe(other.stats().gettoken);
      // Tokens did expire during the run and were replaced…
      expect(times.length).toBeGreaterThanOrEqual(2);
      // …by one gettoken per window: two instances each refreshing would put two within one WeCom call (150 ms) of
      // each other. (Windows are ~1 s apart on a quiet machine; on a loaded one a response read late shortens the
      // next window, so the gap itself is not a fixed figure: the count below bounds them.)
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      for (const gap of gaps) expect(gap).toBeGreaterThan(150);
      expect(times.length).toBeLessThanOrEqual(Math.floor(elapsedMs / 1_000) + 1);
    }, 60_000);
  });
}

/** The ids of a `list` reply: each line starts with one. */
function configIdsInList(text: string): string[] {
  return [...text.matchAll(/^\s*[-•]?\s*([0-9a-f]{32}) · /gm)].map((m) => m[1]!);
}
