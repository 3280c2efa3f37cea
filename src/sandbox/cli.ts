import { z } from 'zod';
import { createLogger } from '../base/logger.js';
import { parseEnv } from '../base/settings.js';
import { MAX_TIMER_MS } from './provider.js';
import type { SandboxProviderOptions } from './provider-types.js';
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
    // Also play WeCom's provider platform (suite tickets, install page, service/* endpoints), with the bot's
    // provider settings where given so both sides agree; `off` (default): the self-built corp only.
    SANDBOX_PROVIDER: z.enum(['off', 'third-party', 'customized']).default('off'),
    SANDBOX_SUITE_URL: z.url({ protocol: /^https?$/ }).optional(),
    SANDBOX_TICKET_INTERVAL_MS: z.coerce.number().int().min(0).max(MAX_TIMER_MS).default(600_000),
    WECOM_SUITE_ID: z.string().min(1).optional(),
    WECOM_SUITE_SECRET: z.string().min(1).optional(),
    WECOM_SUITE_TOKEN: z.string().min(1).optional(),
    WECOM_SUITE_AES_KEY: z.string().length(43).optional(),
    WECOM_PROVIDER_CORP_ID: z.string().min(1).optional(),
    WECOM_PROVIDER_SECRET: z.string().min(1).optional(),
  }),
  process.env,
);

const sandbox = await startSandbox({
  port: env.SANDBOX_PORT,
  ...(env.SANDBOX_STATE_PATH === 'off' ? {} : { statePath: env.SANDBOX_STATE_PATH }),
  logger: createLogger({ level: env.LOG_LEVEL }),
  ...(env.SANDBOX_PROVIDER === 'off' ? {} : { provider: providerOptions() }),
});

function providerOptions(): SandboxProviderOptions {
  const given = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
  return {
    suite: {
      kind: env.SANDBOX_PROVIDER === 'customized' ? 'customized' : 'third-party',
      ...given('suiteId', env.WECOM_SUITE_ID),
      ...given('suiteSecret', env.WECOM_SUITE_SECRET),
      ...given('token', env.WECOM_SUITE_TOKEN),
      ...given('encodingAesKey', env.WECOM_SUITE_AES_KEY),
    },
    ...given('providerCorpId', env.WECOM_PROVIDER_CORP_ID),
    ...given('providerSecret', env.WECOM_PROVIDER_SECRET),
    ...given('suiteUrl', env.SANDBOX_SUITE_URL),
    ticketIntervalMs: env.SANDBOX_TICKET_INTERVAL_MS,
  };
}

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
    ...providerLines(),
  ].join('\n'),
);

function providerLines(): string[] {
  const p = sandbox.provider;
  if (!p) return [];
  return [
    `Provider platform (${p.suite.kind}):`,
    `  suite id:       ${p.suite.suiteId}`,
    `  suite secret:   ${p.suite.suiteSecret}`,
    `  suite token:    ${p.suite.token}`,
    `  suite AES key:  ${p.suite.encodingAesKey}`,
    `  provider corp:  ${p.providerCorpId} / ${p.providerSecret}`,
    `  customer corps: ${p.corpIds.join(', ')}`,
    env.SANDBOX_SUITE_URL
      ? `  suite_ticket every ${env.SANDBOX_TICKET_INTERVAL_MS} ms to ${env.SANDBOX_SUITE_URL}; now: curl -X POST ${sandbox.url}/sandbox/provider/ticket`
      : '  Set SANDBOX_SUITE_URL (the bot’s /wecom/suite) to receive suite_ticket and auth events.',
    '',
  ];
}

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
