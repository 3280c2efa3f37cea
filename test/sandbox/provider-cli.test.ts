import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGroup, stopGroup } from '../fixtures/child-process.js';
import { startPushReceiver } from '../fixtures/wecom-push-receiver.js';

const SUITE = { token: 'cliSuiteToken', encodingAesKey: 'MNBVCXZLKJHGFDSAPOIUYTREWQ9876543210mnbvcxz' };

describe('sandbox provider: npm run sandbox with SANDBOX_PROVIDER', () => {
  let receiver: Awaited<ReturnType<typeof startPushReceiver>>;
  beforeAll(async () => {
    receiver = await startPushReceiver(SUITE);
  });
  afterAll(() => receiver.close());

  it('GIVEN SANDBOX_PROVIDER=third-party and the bot’s suite settings THEN it prints them and pushes a ticket on demand', async () => {
    const child = spawnGroup(process.execPath, ['--import', 'tsx', 'src/sandbox/cli.ts'], {
      env: {
        ...process.env,
        SANDBOX_PORT: '0',
        SANDBOX_STATE_PATH: 'off',
        LOG_LEVEL: 'silent',
        SANDBOX_PROVIDER: 'third-party',
        SANDBOX_SUITE_URL: receiver.url,
        SANDBOX_TICKET_INTERVAL_MS: '0',
        WECOM_SUITE_ID: 'ww_cli_suite',
        WECOM_SUITE_TOKEN: SUITE.token,
        WECOM_SUITE_AES_KEY: SUITE.encodingAesKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      const deadline = Date.now() + 30_000;
      while (!out.includes('customer corps') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('Provider platform (third-party)');
      expect(out).toContain('ww_cli_suite');
      const url = /url:\s+(http:\/\/\S+)/.exec(out)?.[1];
      const res = await fetch(`${url}/sandbox/provider/ticket`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(200);
      const got = await receiver.waitFor((p) => p.fields.InfoType === 'suite_ticket');
      expect(got.fields.SuiteId).toBe('ww_cli_suite');
      expect(got.receiveId).toBe('ww_cli_suite');
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      await stopGroup(child, { signal: 'SIGKILL' });
    }
  }, 60_000);
});
