import { z } from 'zod';
import { createLogger } from '../logger.js';
import { startSandbox } from './sandbox.js';

/**
 * `npm run sandbox`: the sandbox on its own, for demos and for pointing a manually started bot at it
 * (WECOM_API_BASE=<url>). Stops cleanly on Ctrl-C or SIGTERM.
 */
const env = z
  .object({
    SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(8900),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .parse({
    SANDBOX_PORT: process.env.SANDBOX_PORT || undefined,
    LOG_LEVEL: process.env.LOG_LEVEL || undefined,
  });

const sandbox = await startSandbox({
  port: env.SANDBOX_PORT,
  logger: createLogger({ level: env.LOG_LEVEL }),
});

process.stdout.write(
  [
    'WeCom SANDBOX running (not real WeCom; nothing leaves this machine)',
    `  url:         ${sandbox.url}`,
    `  corp id:     ${sandbox.corpId}`,
    `  corp secret: ${sandbox.corpSecret}`,
    '',
    'Try:',
    `  TOKEN=$(curl -s '${sandbox.url}/cgi-bin/gettoken?corpid=${sandbox.corpId}&corpsecret=${sandbox.corpSecret}' | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
    `  curl -s -X POST "${sandbox.url}/cgi-bin/externalcontact/add_contact_way?access_token=$TOKEN" -d '{"type":1,"scene":2,"user":["zhangsan"]}'`,
    '',
    `Point the bot at it with WECOM_API_BASE=${sandbox.url}`,
    '',
  ].join('\n'),
);

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${signal}: stopping the sandbox\n`);
  sandbox.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`sandbox: close failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
