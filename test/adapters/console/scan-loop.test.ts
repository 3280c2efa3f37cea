import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnGroup, stopGroup } from '../../fixtures/child-process.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'contactway-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The newcomer's whole loop, as the README tells it, through `npm start`'s entry with no credentials:
 * `temp zhangsan` → `scan <config_id>` (the sandbox plays the customer and WeCom's encrypted callback) →
 * the requester is told who added zhangsan → `close <config_id>` ends the session.
 */
describe('console on the sandbox: temp → scan → notified → close', () => {
  it('GIVEN no credentials THEN scanning the new QR notifies the requester and close ends the session', async () => {
    const child = spawnGroup(join(ROOT, 'node_modules/.bin/tsx'), ['src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        STORE_URL: `sqlite://${join(dir, 'contactway.sqlite')}`,
        QR_DIR: join(dir, 'qr'),
        JOURNAL_PATH: join(dir, 'journal.jsonl'),
      },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', () => undefined);
    const waitFor = async (re: RegExp, from = 0) => {
      for (let i = 0; i < 300; i++) {
        const m = re.exec(out.slice(from));
        if (m) return m;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`timed out waiting for ${re}\n${out}`);
    };
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await waitFor(/contactway> $/);
      child.stdin.write(`temp zhangsan\n${'\n'.repeat(7)}`);
      const configId = (await waitFor(/config_id\s+([0-9a-f]{32})/))[1] ?? '';
      await waitFor(/contactway> $/);
      const before = out.length;
      child.stdin.write(`scan ${configId}\n`);
      await waitFor(/scanned/, before);
      const told = await waitFor(/🔔[^\n]*(李|韩|王|陈|刘|赵)[^\n]*zhangsan/, before);
      expect(told[0]).toContain('zhangsan');
      await waitFor(/close \S+ \S+|End session|结束会话/, before);
      const closing = out.length;
      child.stdin.write(`close ${configId}\n`);
      await waitFor(/Ended the temporary session|已结束/, closing);
      child.stdin.write('exit\n');
      expect(await exited).toBe(0);
    } finally {
      await stopGroup(child);
    }
  }, 60_000);
});
