import { describe, expect, it } from 'vitest';
import { createWecomCrypto } from '../../src/callbacks/crypto.js';
import { slackMainSuite } from '../fixtures/main-slack-process.js';
import { AES_KEY, TOKEN } from './fixture.js';

/**
 * `/wecom/callback` is served on PORT in every mode, through the real entry point (`tsx src/main.ts`):
 * Slack in HTTP mode (Bolt's server owns PORT, the callback is one of its routes), with OPS_PORT too (the
 * callback stays on PORT, never on the internal ops port). WeCom's URL verification (GET with an encrypted echostr) is the raw request WeCom sends first.
 */

/** The embedded sandbox's corp id: the ReceiveId the bot checks when WECOM_CORP_ID is unset. */
const SANDBOX_CORP = 'ww_sandbox_corp';
const suite = slackMainSuite('cb-mount');
const startMain = (env: Record<string, string> = {}) =>
  suite.start({ WECOM_CALLBACK_TOKEN: TOKEN, WECOM_CALLBACK_AES_KEY: AES_KEY, ...env });

/** WeCom's URL verification: the signed, encrypted echostr it sends when an admin saves the URL. */
function verification(): { query: string; plain: string } {
  const crypto = createWecomCrypto({ token: TOKEN, encodingAesKey: AES_KEY, receiveId: SANDBOX_CORP });
  const plain = '5927460113884125';
  const echostr = crypto.encrypt(plain);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const query = new URLSearchParams({
    msg_signature: crypto.sign(timestamp, '99321', echostr),
    timestamp,
    nonce: '99321',
    echostr,
  }).toString();
  return { query, plain };
}

describe('npm start serves WeCom’s callback on PORT', () => {
  it('GIVEN Slack in HTTP mode THEN /wecom/callback answers WeCom’s URL verification on PORT, and the log names the path', async () => {
    const app = await startMain({});
    const { query, plain } = verification();
    const res = await fetch(`${app.publicUrl}/wecom/callback?${query}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(plain);
    const announced = app.lines.find((l) => String(l.msg).includes('WeCom callbacks'));
    expect(announced).toMatchObject({ path: '/wecom/callback' });
    // A forged signature is refused there too (the receiver, not a catch-all, answered).
    // Its first character changed (to one it is not: a signature starting with 0 would otherwise stay valid).
    const forged = query.replace(
      /msg_signature=(\w)/,
      (_, c: string) => `msg_signature=${c === '0' ? '1' : '0'}`,
    );
    expect((await fetch(`${app.publicUrl}/wecom/callback?${forged}`)).status).toBeGreaterThanOrEqual(400);
  });

  it('GIVEN OPS_PORT THEN the callback stays on PORT and the internal ops port does not serve it', async () => {
    const app = await startMain({ OPS_PORT: '0' });
    const ops = app.lines.find((l) => l.msg === 'ops server listening');
    const { query, plain } = verification();
    expect(await (await fetch(`${app.publicUrl}/wecom/callback?${query}`)).text()).toBe(plain);
    expect((await fetch(`http://127.0.0.1:${ops?.port}/wecom/callback?${query}`)).status).toBe(404);
  });
});
