import { z } from 'zod';
import { createLogger } from '../base/logger.js';
import { parseEnv } from '../base/settings.js';
import { startSandbox } from './sandbox.js';

/**
 * `npm run sandbox`: the sandbox on its own, for demos and for pointing a manually started bot at it
 * (WECOM_API_BASE=<url>). Stops cleanly on Ctrl-C or SIGTERM.
 */
const env = parseEnv(
  z.object({
    SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(8900),
    // Its own file, not the embedded sandbox's (data/sandbox.json): both may run at once. `off`: memory only.
    SANDBOX_STATE_PATH: z.string().min(1).default('data/sandbox-standalone.json'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Where scans post WeCom's encrypted events: the bot's URL and the pair it was configured with.
    SANDBOX_CALLBACK_URL: z.url({ protocol: /^https?$/ }).optional(),
    WECOM_CALLBACK_TOKEN: z.string().min(1).optional(),
    WECOM_CALLBACK_AES_KEY: z.string().length(43).optional(),
  }),
  process.env,
);

const sandbox = await startSandbox({
  port: env.SANDBOX_PORT,
  ...(env.SANDBOX_STATE_PATH === 'off' ? {} : { statePath: env.SANDBOX_STATE_PATH }),
  logger: createLogger({ level: env.LOG_LEVEL }),
});

if (env.SANDBOX_CALLBACK_URL && env.WECOM_CALLBACK_TOKEN && env.WECOM_CALLBACK_AES_KEY) {
  sandbox.connectCallbacks({
    url: env.SANDBOX_CALLBACK_URL,
    token: env.WECOM_CALLBACK_TOKEN,
    encodingAesKey: env.WECOM_CALLBACK_AES_KEY,
  });
}

process.stdout.write(
  [
    'WeCom SANDBOX running (not real WeCom; nothing leaves this machine)',
    `  url:         ${sandbox.url}`,
    `  corp id:     ${sandbox.corpId}`,
    `  corp secret: ${sandbox.corpSecret}`,
    env.SANDBOX_STATE_PATH === 'off'
      ? '  state:       in memory only (SANDBOX_STATE_PATH=off)'
      : `  state:       ${env.SANDBOX_STATE_PATH} (kept across restarts; delete it to start afresh)`,
    '',
    'Try:',
    `  TOKEN=$(curl -s '${sandbox.url}/cgi-bin/gettoken?corpid=${sandbox.corpId}&corpsecret=${sandbox.corpSecret}' | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
    `  curl -s -X POST "${sandbox.url}/cgi-bin/externalcontact/add_contact_way?access_token=$TOKEN" -d '{"type":1,"scene":2,"user":["zhangsan"]}'`,
    '',
    `Point the bot at it with WECOM_API_BASE=${sandbox.url}`,
    env.SANDBOX_CALLBACK_URL
      ? `Scans (POST ${sandbox.url}/sandbox/scan {"config_id":…}) post WeCom's events to ${env.SANDBOX_CALLBACK_URL}`
      : 'Set SANDBOX_CALLBACK_URL, WECOM_CALLBACK_TOKEN and WECOM_CALLBACK_AES_KEY to have scans post WeCom’s events to the bot.',
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
