import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackMainSuite } from '../fixtures/main-slack-process.js';
import {
  type FakeProvider,
  providerEnv,
  startFakeProvider,
  suiteEcho,
} from '../fixtures/provider/fake-provider.js';

/**
 * `npm start` in a provider mode with Slack in HTTP mode: Bolt's server owns PORT and /wecom/suite is one of
 * its routes, as /wecom/callback is; the log names the URL to paste into the provider console.
 */
const suite = slackMainSuite('suite-mount');
let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(() => fake.close());

describe('npm start with WECOM_MODE=third-party serves /wecom/suite on PORT', () => {
  it('GIVEN Slack in HTTP mode THEN WeCom’s URL check of /wecom/suite is answered on Bolt’s PORT', async () => {
    const app = await suite.start(providerEnv(fake));
    const echo = await suiteEcho(app.publicUrl, '20261205');
    expect(echo.status).toBe(200);
    expect(await echo.text()).toBe('20261205');
    const announced = app.lines.find((l) => String(l.msg).includes('指令回调URL'));
    expect(announced).toMatchObject({ path: '/wecom/suite' });
  });
});
