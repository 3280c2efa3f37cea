import { App, LogLevel } from '@slack/bolt';

/**
 * What both floors (bench/floor.ts, bench/floor-same.ts) are made of: their settings from the environment,
 * one WeCom token fetched once and cached, and a bare Bolt app on PORT with /healthz. Nothing the bot adds.
 */
export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`floor: ${name} is required`);
  return value;
}

export const wecomBase = env('WECOM_API_BASE');

let token: Promise<string> | undefined;
export function accessToken(): Promise<string> {
  token ??= fetch(
    `${wecomBase}/cgi-bin/gettoken?corpid=${env('WECOM_CORP_ID')}&corpsecret=${env('WECOM_CORP_SECRET')}`,
  )
    .then((r) => r.json() as Promise<{ access_token: string }>)
    .then((body) => body.access_token);
  return token;
}

export function floorApp(): App {
  return new App({
    token: env('SLACK_BOT_TOKEN'),
    signingSecret: env('SLACK_SIGNING_SECRET'),
    endpoints: '/slack/events',
    port: Number(env('PORT')),
    logLevel: LogLevel.ERROR,
    processBeforeResponse: false,
    customRoutes: [
      {
        path: '/healthz',
        method: ['GET'],
        handler: (_req, res) => {
          res.writeHead(200);
          res.end('ok');
        },
      },
    ],
    clientOptions: { slackApiUrl: env('SLACK_API_URL'), retryConfig: { retries: 0 } },
  });
}
