/**
 * Another instance for the store-lock tests: a process of its own on the real store, with its own connection
 * and the lock `createStoreLock` picks for that backend. Opens the store, says `ready`, waits for `go` on stdin
 * so every instance starts at the same moment, then, by WORKER_MODE:
 *
 * - `hold`: takes lock WORKER_KEY, prints `held` and keeps it until killed (a holder that dies).
 * - `count`: WORKER_COUNT times, under lock WORKER_KEY, reads the number stored at WORKER_KEY, pauses, writes
 *   it plus one: without mutual exclusion between processes increments are lost.
 * - `once`: one submission, idempotency key WORKER_KEY, creating a temp contact way on the WeCom sandbox at
 *   WORKER_WECOM (corp WORKER_CORP_ID / WORKER_CORP_SECRET); prints `result {config_id} {replayed}`.
 *
 * Env: STORE_URL, STORE_NAMESPACE.
 */
import { once } from 'node:events';
import { createIdempotency } from '../../src/service/idempotency.js';
import { closeKeyv, createStoreLock, openKeyv } from '../../src/store/index.js';
import { corpSecretTokenSource, createWecomClient } from '../../src/wecom/index.js';

const env = process.env;
const keyv = await openKeyv(env.STORE_URL ?? '', { namespace: env.STORE_NAMESPACE ?? '' });
const lock = createStoreLock(keyv, { pollMs: 5 });
const key = env.WORKER_KEY ?? 'key';

await keyv.get('warm-up'); // connect (and create the table) before the race starts
process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.destroy(); // an open stdin would keep this process alive after the work

switch (env.WORKER_MODE) {
  case 'hold':
    await lock(key, async () => {
      process.stdout.write('held\n');
      await new Promise(() => setInterval(() => undefined, 60_000));
    });
    break;
  case 'count':
    for (let i = 0; i < Number(env.WORKER_COUNT ?? '0'); i++) {
      await lock(key, async () => {
        const read = Number((await keyv.get<number>(key)) ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 2));
        await keyv.set(key, read + 1);
      });
    }
    break;
  case 'once': {
    const wecom = createWecomClient({
      baseUrl: env.WORKER_WECOM ?? '',
      tokens: corpSecretTokenSource({
        corpId: env.WORKER_CORP_ID ?? '',
        corpSecret: env.WORKER_CORP_SECRET ?? '',
      }),
      cache: keyv,
      lock,
    });
    const result = await createIdempotency(keyv, lock).once(
      key,
      async () => ({
        id: (await wecom.addContactWay({ type: 1, scene: 2, user: ['zhangsan'], is_temp: true })).config_id,
        replayed: false,
      }),
      (created) => created.id,
      async (id) => ({ id, replayed: true }),
    );
    process.stdout.write(`result ${result.id} ${result.replayed}\n`);
    break;
  }
  default:
    throw new Error(`unknown WORKER_MODE ${env.WORKER_MODE}`);
}
await closeKeyv(keyv);
process.stdout.write('done\n');
