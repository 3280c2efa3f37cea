import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Core, startCore } from '../../src/app.js';
import { createLogger } from '../../src/base/logger.js';
import { announceCallbacks, withCallbacks } from '../../src/callbacks/mount.js';
import { loadConfig } from '../../src/config.js';
import { type OpsServer, startOpsServer } from '../../src/ops/index.js';
import { tempRequest } from '../fixtures/temp-request.js';
import { alice } from './fixture.js';

/**
 * The whole loop with no account, as `npm start` wires it: the core on the embedded sandbox makes up a callback
 * pair, the receiver is mounted on the ops server, the sandbox learns the URL in-process, and
 * `POST /sandbox/scan {config_id}` makes the sandbox post the encrypted event exactly as WeCom would.
 */

const dir = mkdtempSync(join(tmpdir(), 'contactway-cbsb-'));
const logs: string[] = [];
let core: Core;
let server: OpsServer;

beforeAll(async () => {
  const config = loadConfig({
    STORE_URL: 'memory:',
    JOURNAL_PATH: join(dir, 'pending.jsonl'),
    QR_DIR: join(dir, 'qr'),
  });
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  });
  core = await startCore(config, logger);
  server = await startOpsServer({
    port: 0,
    host: '127.0.0.1',
    handler: withCallbacks(core.callbacks, core.ops.handler, logger),
    logger,
  });
  announceCallbacks({ callbacks: core.callbacks!, port: server.port, logger, sandbox: core.sandbox });
});
afterAll(async () => {
  await server.close();
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sandbox scan end to end', () => {
  it('GIVEN a temp QR with a welcome message WHEN the sandbox scans it over HTTP THEN the bot records, greets and notifies', async () => {
    expect(core.callbacks).toBeDefined();
    const created = await core.service.create(alice, tempRequest('zhangsan'), { welcome: '欢迎光临！' });
    const res = await fetch(`${core.sandbox!.url}/sandbox/scan`, {
      method: 'POST',
      body: JSON.stringify({ config_id: created.record.configId }),
    });
    expect(res.status).toBe(200);
    const scan = (await res.json()) as {
      external_userid: string;
      name: string;
      welcome_code: string;
      delivered: { status: number; body: string };
    };
    expect(scan.delivered).toEqual({ status: 200, body: 'success' });
    expect(scan.name).toMatch(/^李/);
    await core.callbacks!.idle();

    expect(core.sandbox!.customer(scan.external_userid)?.welcome?.content).toBe('欢迎光临！');
    const [customer] = await core.callbacks!.customers.listByWay(created.record.configId);
    expect(customer).toMatchObject({
      name: scan.name,
      userId: 'zhangsan',
      session: 'open',
      welcome: { status: 'sent' },
    });
    const text = logs.join('');
    expect(text).toContain(`notification: ${scan.name} added zhangsan`);
    expect(text).toContain('/wecom/callback');
    // The ops routes still answer on the same server.
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
  });

  it('GIVEN the temp QR already used THEN a second scan is refused (409) and nothing is posted', async () => {
    const created = await core.service.create(alice, tempRequest('lisi'));
    const body = JSON.stringify({ config_id: created.record.configId });
    expect((await fetch(`${core.sandbox!.url}/sandbox/scan`, { method: 'POST', body })).status).toBe(200);
    expect((await fetch(`${core.sandbox!.url}/sandbox/scan`, { method: 'POST', body })).status).toBe(409);
    await core.callbacks!.idle();
    expect(await core.callbacks!.customers.listByWay(created.record.configId)).toHaveLength(1);
  });
});
