import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnGroup, stopGroup } from './fixtures/child-process.js';
import { leftovers } from './fixtures/leftover-processes.js';

/**
 * Tests leave nothing running: a child started with spawnGroup leads its own process group, and stopping
 * it stops what it started too (the bot under `tsx`), which killing the child alone does not.
 */

const ROOT = join(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Pids of the processes in process group `pgid` (from /proc/<pid>/stat's pgrp field). */
function membersOf(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return fields[0] !== 'Z' && Number(fields[2]) === pgid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** `tsx src/sandbox/cli.ts`: a wrapper and the node process under it, resolved once the sandbox listens. */
async function sandboxUnderTsx() {
  const child = spawnGroup(TSX, [join(ROOT, 'src', 'sandbox', 'cli.ts')], {
    env: { PATH: process.env.PATH ?? '', SANDBOX_PORT: '0', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  const until = performance.now() + 20_000;
  while (!out.includes('curl')) {
    if (performance.now() > until || child.exitCode !== null)
      throw new Error(`sandbox did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

describe('child processes of tests', () => {
  it('GIVEN tsx running the sandbox WHEN only the wrapper is SIGKILLed THEN the sandbox survives; stopGroup ends both', async () => {
    const child = await sandboxUnderTsx();
    const pgid = child.pid!;
    const [wrapper, ...under] = membersOf(pgid).sort((a, b) => (a === pgid ? -1 : b === pgid ? 1 : a - b));
    expect(wrapper).toBe(pgid);
    expect(under).toHaveLength(1);

    // What the fixtures did before: the wrapper dies, the node process under it keeps listening.
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 300));
    expect(membersOf(pgid)).toEqual(under);

    await stopGroup(child);
    expect(membersOf(pgid)).toEqual([]);
  }, 30_000);

  it('GIVEN tsx running the sandbox WHEN stopGroup THEN SIGTERM reaches the sandbox once (it exits 0) and nothing of the group is left', async () => {
    const child = await sandboxUnderTsx();
    expect(await stopGroup(child)).toBe(0);
    expect(membersOf(child.pid!)).toEqual([]);
  }, 30_000);

  it('GIVEN a child that ignores SIGTERM THEN stopGroup SIGKILLs its group after the grace', async () => {
    const child = spawnGroup(
      process.execPath,
      ['-e', "process.on('SIGTERM', () => {}); console.log('ignoring'); setInterval(() => {}, 1e3)"],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    // Signal only once the handler is installed: on a loaded machine 300 ms was not always enough for node to start.
    await new Promise((r) => child.stdout!.once('data', r));
    expect(await stopGroup(child, { graceMs: 300 })).toBeNull();
    expect(child.signalCode).toBe('SIGKILL');
    expect(membersOf(child.pid!)).toEqual([]);
  });

  it('GIVEN a process naming a file of this checkout THEN the end-of-run check lists it until it is stopped', async () => {
    // Does not run the bot: the path is only an argument, which is what the check reads.
    const child = spawnGroup(
      process.execPath,
      ['-e', 'setInterval(() => {}, 1e3)', join(ROOT, 'src', 'main.ts')],
      {
        stdio: 'ignore',
      },
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(leftovers(0).map((p) => p.pid)).toContain(child.pid);
    await stopGroup(child);
    expect(leftovers(0).map((p) => p.pid)).not.toContain(child.pid);
  });
});
