import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnGroup } from './fixtures/child-process.js';

/**
 * Smoke test of `npm run bench`: a tiny burst (N=5, one round, no warm-up or start-up variants) runs both
 * floors (bare and same-experience) and the bot end to end and ends with one JSON line. No timing is asserted: figures are for the
 * README, not for CI.
 */
const ROOT = join(import.meta.dirname, '..');

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawnGroup(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'bench', 'run.ts'), ...args],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    proc.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    proc.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run bench', () => {
  it('GIVEN N=5 and a 1 s sustained trial THEN both floors and the bot serve every requester, once per token, the same-experience floor makes the bot’s Slack calls, the scan burst’s 5 events are answered, greeted and notified, and the last line is the JSON summary', async () => {
    const { code, stdout, stderr } = await runBench([
      '--n',
      '5',
      '--rounds',
      '1',
      '--quick',
      '--latency',
      '5',
      '--sustained-s',
      '1',
      '--sustained-from',
      '5',
      '--sustained-trials',
      '1',
    ]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('all N QRs in Slack (ms)');
    const last = stdout.trim().split('\n').at(-1) ?? '';
    const summary = JSON.parse(last) as {
      n: number;
      floor: { failed: number; gettoken: number; addContactWay: number };
      sameFloor: {
        name: string;
        failed: number;
        gettoken: number;
        addContactWay: number;
        slackCalls: Record<string, number>;
      };
      targets: Record<string, Record<string, boolean>>;
      scenarios: {
        name: string;
        failed: number;
        gettoken: number;
        addContactWay: number;
        slackCalls: Record<string, number>;
      }[];
      sustained: {
        floor: { trials: { n: number; failed: number }[] };
        sameFloor: { name: string; trials: { n: number; failed: number }[] };
        bots: { name: string }[];
      };
      scan: {
        name: string;
        n: number;
        answeredOk: number;
        notified: number;
        welcomedInTime: number;
        answerMs: { p99: number };
        eventsPerS: number;
        slackCalls: Record<string, number>;
      }[];
    };
    expect(summary.n).toBe(5);
    expect(summary.floor).toMatchObject({ failed: 0, gettoken: 1, addContactWay: 5 });
    expect(summary.scenarios.map((s) => s.name)).toEqual(['sqlite']);
    expect(summary.scenarios[0]).toMatchObject({ failed: 0, gettoken: 1, addContactWay: 5 });
    // The same-experience floor serves everyone and asks Slack for exactly what the bot asks, call for call.
    expect(summary.sameFloor).toMatchObject({ name: 'same-floor', failed: 0, gettoken: 1, addContactWay: 5 });
    expect(summary.sameFloor.slackCalls).toEqual({
      'users.info': 5,
      'views.open': 5,
      'conversations.open': 5,
      'files.getUploadURLExternal': 5,
      upload: 5,
      'files.completeUploadExternal': 5,
      'views.update': 5,
    });
    expect(summary.sameFloor.slackCalls).toEqual(summary.scenarios[0]?.slackCalls);
    expect(Object.keys(summary.targets)).toEqual(['sqlite']);
    expect(stdout).toMatch(/^figure +floor +same-floor +sqlite +×same +target$/m);
    // One sustained trial per app: 5 requesters/s for 1 s.
    expect(summary.sustained.floor.trials).toMatchObject([{ n: 5, failed: 0 }]);
    expect(summary.sustained.sameFloor).toMatchObject({ name: 'same-floor', trials: [{ n: 5, failed: 0 }] });
    expect(summary.sustained.bots.map((b) => b.name)).toEqual(['sqlite']);
    expect(stdout).toContain('sustained: highest arrival rate');
    // The scan burst: 5 encrypted add events at once, each answered, greeted in WeCom's window and notified.
    expect(summary.scan).toMatchObject([
      {
        name: 'sqlite',
        n: 5,
        answeredOk: 5,
        notified: 5,
        welcomedInTime: 5,
        slackCalls: { 'chat.postMessage': 5 },
      },
    ]);
    expect(summary.scan[0]?.answerMs.p99).toBeGreaterThan(0);
    expect(summary.scan[0]?.eventsPerS).toBeGreaterThan(0);
    expect(stdout).toContain('scan burst (sqlite)');
    // Seven app starts, two bursts, two sustained trials and a scan burst: ~50 s at load average 15 on 2 cores.
  }, 240_000);
});
