import { parseArgs } from 'node:util';

export interface BenchOptions {
  n: number;
  rounds: number;
  latencyMs: number;
  timeoutMs: number;
  store: 'sqlite' | 'redis' | 'memory';
  both: boolean;
  all: boolean;
  cpuProf: boolean;
  /** No warm-up starts and no ready-time variants: for the smoke test. */
  quick: boolean;
  /** Run both apps through tsx's loader, as `npm start` did before it compiled (for before/after). */
  tsx: boolean;
  /** Seconds per sustained trial; 0 skips the sustained scenario (the default with --quick). */
  sustainedS: number;
  sustainedFrom: number;
  sustainedTrials: number;
  /** Events in the scan burst (one way and requester each); 0 skips it. Default N. */
  scanN: number;
  /**
   * With 2 or more: the bot on Redis as one process and as this many workers (WORKERS), side by side, and
   * the sustained rate of each (target: the workers ≥ 1.6× the one process). 0: not run.
   */
  workers: number;
  redisUrl: string;
}

export const USAGE = `npm run bench -- [--n 200] [--rounds 3] [--latency 50] [--store sqlite|redis|memory] [--both] [--all]
                     [--cpu-prof] [--quick] [--tsx] [--sustained-s 30] [--sustained-from 20] [--sustained-trials 6]
                     [--scan-n N] [--workers W]

  --n N          simultaneous requesters (default 200)
  --rounds R     both floors and the bot alternate R times; each figure is the median (default 3)
  --latency MS   delay the WeCom sandbox adds to every API call (default 50)
  --store S      the bot's store: sqlite (default), redis (REDIS_URL, default redis://127.0.0.1:6379), or memory
                 (no database: what the store's driver costs, by difference)
  --both         load the Discord adapter too (against the fake Discord), for memory
  --all          both floors, sqlite, redis and both in one run
  --cpu-prof     write V8 CPU profiles of each app process to bench/profiles/ and summarise the burst
  --quick        skip the warm-up starts and the ready-time variants (smoke test)
  --tsx          run both apps through tsx's loader instead of compiled (as npm start did before)
  --sustained-s S       seconds of arrivals per sustained trial (default 30; 0 skips; with --quick 0)
  --sustained-from R    first arrival rate tried, requesters/s (default 20)
  --sustained-trials T  trials per app in the search for the highest rate that holds (default 6)
  --scan-n E     the scan burst: E requesters create a way with a welcome message, then E encrypted add events
                 reach /wecom/callback at once (default N; 0 skips)
  --workers W    the bot on Redis as one process and with WORKERS=W (2 or more) instead of --store/--both/--all:
                 the burst and the sustained rate of each, and their ratio (target ≥ 1.6)
  --timeout MS   how long one requester waits for the modal or its QR (default 30000)`;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string', default: '200' },
      rounds: { type: 'string', default: '3' },
      latency: { type: 'string', default: '50' },
      timeout: { type: 'string', default: '30000' },
      store: { type: 'string', default: 'sqlite' },
      both: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      tsx: { type: 'boolean', default: false },
      'sustained-s': { type: 'string' },
      'sustained-from': { type: 'string', default: '20' },
      'sustained-trials': { type: 'string', default: '6' },
      'scan-n': { type: 'string' },
      workers: { type: 'string', default: '0' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (name: string, text: string, min: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return value;
  };
  const positive = (name: string, text: string) => {
    const value = Number(text);
    if (!(value > 0)) throw new Error(`--${name} must be a number > 0`);
    return value;
  };
  if (values.store !== 'sqlite' && values.store !== 'redis' && values.store !== 'memory')
    throw new Error('--store must be sqlite, redis or memory');
  const workers = int('workers', values.workers, 0);
  if (workers === 1) throw new Error('--workers must be 2 or more (one process is the redis scenario)');
  return {
    n: int('n', values.n, 1),
    rounds: int('rounds', values.rounds, 1),
    latencyMs: int('latency', values.latency, 0),
    timeoutMs: int('timeout', values.timeout, 1),
    store: values.store,
    both: values.both,
    all: values.all,
    cpuProf: values['cpu-prof'],
    quick: values.quick,
    tsx: values.tsx,
    sustainedS: int('sustained-s', values['sustained-s'] ?? (values.quick ? '0' : '30'), 0),
    sustainedFrom: positive('sustained-from', values['sustained-from']),
    sustainedTrials: int('sustained-trials', values['sustained-trials'], 1),
    scanN: int('scan-n', values['scan-n'] ?? values.n, 0),
    workers,
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
  };
}
