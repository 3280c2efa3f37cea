import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type Keyv from 'keyv';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import { closeKeyv, createStoreLock, LockTimeoutError, openKeyv } from '../../src/store/index.js';

/**
 * The store lock between real processes (issue 17, item 11): each instance is a Node process of its own
 * (test/lock/lock-worker.ts) with its own connection to the same Redis or PostgreSQL, as two bot instances behind
 * one load balancer are.
 */

const WORKER = fileURLToPath(new URL('./lock-worker.ts', import.meta.url));
const backends = [
  { name: 'Redis', url: process.env.REDIS_URL, hint: 'REDIS_URL=redis://127.0.0.1:6379' },
  {
    name: 'PostgreSQL',
    url: process.env.POSTGRES_URL,
    hint: 'POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test',
  },
];
for (const b of backends) {
  if (!b.url) console.warn(`${b.name} lock-process tests skipped: set ${b.hint} to run them.`);
}

interface Worker {
  child: ChildProcess;
  stdout: () => string;
  /** Resolves once the worker printed `text`; rejects with its output when it exits first. */
  printed(text: string): Promise<void>;
  exited: Promise<number | null>;
}

const started: Worker[] = [];
afterEach(() => {
  // Each worker leads its own process group: kill the group, tsx and node alike.
  for (const worker of started.splice(0)) {
    if (worker.child.exitCode === null && worker.child.pid) {
      try {
        process.kill(-worker.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

async function startWorker(env: Record<string, string>): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr!.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stdout.includes(text)) resolve();
      };
      child.stdout!.on('data', check);
      check();
      exited.then((code) =>
        reject(new Error(`worker exited (${code}) before "${text}": ${stdout}${stderr}`)),
      );
    });
  const worker = { child, stdout: () => stdout, printed, exited };
  started.push(worker);
  await printed('ready');
  return worker;
}

/** Starts `n` workers, waits until each is connected, then lets them all go at the same moment. */
async function race(n: number, env: Record<string, string>): Promise<Worker[]> {
  const workers = await Promise.all(Array.from({ length: n }, () => startWorker(env)));
  for (const worker of workers) worker.child.stdin!.end('go\n');
  return workers;
}

for (const backend of backends) {
  describe.skipIf(!backend.url)(`store lock between processes on ${backend.name}`, () => {
    const url = backend.url!;
    const namespace = `lockproc-${randomBytes(4).toString('hex')}`;
    const opened: Keyv[] = [];
    const open = async () => {
      const keyv = await openKeyv(url, { namespace });
      opened.push(keyv);
      return keyv;
    };
    afterAll(async () => {
      await opened[0]?.clear();
      for (const keyv of opened) await closeKeyv(keyv);
    });
    const base = { STORE_URL: url, STORE_NAMESPACE: namespace };

    it('GIVEN two processes incrementing one stored number under the lock THEN no increment is lost', async () => {
      const workers = await race(2, {
        ...base,
        WORKER_MODE: 'count',
        WORKER_KEY: 'counter',
        WORKER_COUNT: '15',
      });
      expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
      expect(await (await open()).get('counter')).toBe(30);
    }, 30_000);

    it('GIVEN one submission delivered to two processes at the same instant THEN one contact way, one gettoken', async () => {
      // WeCom answers slowly enough that both deliveries are in flight together.
      const sandbox = await startSandbox({
        corpId: `ww_lockproc_${randomBytes(4).toString('hex')}`,
        corpSecret: randomBytes(16).toString('hex'),
        latencyMs: 100,
      });
      try {
        const workers = await race(2, {
          ...base,
          WORKER_MODE: 'once',
          WORKER_KEY: 'slack:T1:U1:view-dup',
          WORKER_WECOM: sandbox.url,
          WORKER_CORP_ID: sandbox.corpId,
          WORKER_CORP_SECRET: sandbox.corpSecret,
        });
        expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
        const results = workers.map((w) => /result (\S+) (true|false)/.exec(w.stdout())!.slice(1));
        expect(sandbox.stats().calls.add_contact_way).toBe(1);
        expect(sandbox.stats().gettoken).toBe(1);
        expect(results[0]![0]).toBe(results[1]![0]);
        expect(results.map((r) => r[1]).sort()).toEqual(['false', 'true']);
      } finally {
        await sandbox.close();
      }
    }, 30_000);

    it.skipIf(backend.name !== 'PostgreSQL')(
      'GIVEN a holder in another process THEN we wait for it; WHEN it is killed (SIGKILL) THEN the lock is free at once',
      async () => {
        const [holder] = await race(1, { ...base, WORKER_MODE: 'hold', WORKER_KEY: 'crash' });
        await holder!.printed('held');
        const lock = createStoreLock(await open(), { pollMs: 10, maxWaitMs: 500 });
        let ran = false;
        const waited = await lock('crash', async () => {
          ran = true;
        }).catch((e: unknown) => e);
        expect(waited).toBeInstanceOf(LockTimeoutError);
        expect(ran).toBe(false);

        process.kill(-holder!.child.pid!, 'SIGKILL');
        await holder!.exited;
        // The session died with the process, and PostgreSQL released its locks: no TTL to wait out.
        const started = Date.now();
        await expect(
          createStoreLock(await open(), { pollMs: 10, maxWaitMs: 5_000 })('crash', async () => 'taken'),
        ).resolves.toBe('taken');
        expect(Date.now() - started).toBeLessThan(1_000);
      },
      30_000,
    );
  });
}
