import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { killGroupsOnSignal, spawnGroup, stopGroup } from '../test/fixtures/child-process.js';

/** A process under test: the bot or the floor, started with `node --import tsx <entry>` (or a bundle). */
export interface ChildOptions {
  /** Arguments to node: loader flags, profiler flags, then the entry file. */
  nodeArgs: string[];
  cwd: string;
  env: Record<string, string>;
  /**
   * Polled until the process answers at all: /healthz's 200 or any other status means the HTTP server is
   * listening, which Bolt does only once the app is initialised (the port accepting is the readiness signal).
   */
  healthUrl: string;
  /** Extra readiness condition (e.g. the fake Discord saw IDENTIFY); checked after /healthz answers. */
  alsoReady?: Promise<unknown>;
  /** Ready also needs this text in the output (WORKERS: the primary's line once every worker serves). */
  readyLine?: string;
  /** Also write everything the process prints to this file. */
  logFile?: string;
  timeoutMs?: number;
}

export interface RunningChild {
  pid: number;
  /** From spawn() to the first HTTP answer on the health URL (and `alsoReady`). */
  readyMs: number;
  /** Resident set size right after ready (VmRSS), in bytes; undefined off Linux. */
  rssAtReadyBytes: number | undefined;
  /** Peak resident set size so far (VmHWM), in bytes, summed over its process group; undefined off Linux. */
  peakRssBytes(): number | undefined;
  /** User + system CPU time so far, in ms, of its process group (WORKERS' workers); undefined off Linux. */
  cpuMs(): number | undefined;
  /** The last lines the process wrote (stdout and stderr), for diagnostics. */
  tail(): string;
  /** SIGTERM to its process group, then waits for the exit (SIGKILL after 10 s). Resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** A port free right now on 127.0.0.1 (the child binds it a moment later). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * The live processes of the group `pgid` leads (field 5 of /proc/<pid>/stat): the app alone, or a cluster's
 * primary and its workers. [pgid] off Linux.
 */
function groupPids(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [pgid];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids.length > 0 ? pids : [pgid];
}

/** `read` of every process of the group, summed; undefined when none could be read. */
function sumGroup(pgid: number, read: (pid: number) => number | undefined): number | undefined {
  const values = groupPids(pgid)
    .map(read)
    .filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}

/** Reads `VmHWM` (peak RSS) or `VmRSS` (current) from /proc/<pid>/status, in bytes. */
function readRss(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** utime + stime from /proc/<pid>/stat, in ms (clock ticks of 10 ms, USER_HZ = 100 on Linux). */
function readCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

export async function startChild(options: ChildOptions): Promise<RunningChild> {
  const startedAt = performance.now();
  // Its own process group, killed whole, and killed with this process: by the exit hook, or on Ctrl-C.
  killGroupsOnSignal();
  const proc = spawnGroup(process.execPath, options.nodeArgs, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = proc.pid;
  if (pid === undefined) throw new Error('could not spawn');
  let output = '';
  let sawReadyLine = options.readyLine === undefined;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8_000);
    if (!sawReadyLine && options.readyLine && output.includes(options.readyLine)) sawReadyLine = true;
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  if (options.logFile) {
    const file = createWriteStream(options.logFile);
    proc.stdout.pipe(file);
    proc.stderr.pipe(file);
  }
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );

  const until = startedAt + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (exitCode !== undefined) throw new Error(`process exited with ${exitCode} before ready:\n${output}`);
    if (performance.now() > until) {
      await stopGroup(proc, { signal: 'SIGKILL' });
      throw new Error(`process not ready in time:\n${output}`);
    }
    const ok = await fetch(options.healthUrl).then(
      async (r) => {
        await r.arrayBuffer();
        return true;
      },
      () => false,
    );
    if (ok && sawReadyLine) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  await options.alsoReady;
  const readyMs = performance.now() - startedAt;
  const rssAtReadyBytes = sumGroup(pid, (p) => readRss(p, 'VmRSS'));

  return {
    pid,
    readyMs,
    rssAtReadyBytes,
    peakRssBytes: () => sumGroup(pid, (p) => readRss(p, 'VmHWM')),
    cpuMs: () => sumGroup(pid, readCpuMs),
    tail: () => output,
    async stop() {
      await stopGroup(proc, { graceMs: 10_000 });
      return exited;
    },
  };
}
