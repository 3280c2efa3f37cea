import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackRequester } from '../../../adapters/slack/requester.js';
import { shownButton } from '../../fixtures/slack/buttons.js';
import {
  BOB,
  CHEN,
  SIGNING_SECRET,
  type SlackHarness,
  startSlackHarness,
} from '../../fixtures/slack/harness.js';
import {
  blockActionsPayload,
  type OpenedView,
  orgWideViewSubmissionPayload,
  payloadBody,
  postToApp,
  type SlackUser,
  slashCommandBody,
  stateFromView,
} from '../../fixtures/slack/requests.js';

/**
 * What an adversarial review found in the Slack adapter, each through real Bolt over HTTP (issue 10, items
 * 2, 3, 6 and 8): org-wide Grid submissions filed under the workspace Bolt reports, forms bound to the person
 * they were opened for, request bodies capped before they are buffered, and replayed signed requests run once.
 */

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness();
  h.fake.setLocale(CHEN.userId, 'zh-CN');
});

afterAll(async () => {
  await h?.close();
});

const who = (user: SlackUser) => slackRequester(user.teamId, user.userId);
const responseText = (responseId: string) => h.responseText(responseId);
const waitForResponse = (responseId: string) => h.waitForResponse(responseId);

/** Sends a genuine command and waits for its answer: anything sent before it has been handled by then. */
async function settle(): Promise<void> {
  const sentinel = await h.command(BOB, 'help');
  await waitForResponse(sentinel.responseId);
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('Enterprise Grid, app installed org-wide', () => {
  // Mei works in the Sales workspace of the Acme Group org; her home workspace is another one.
  const MEI: SlackUser = { teamId: 'T_SALES', userId: 'W_MEI', userName: 'mei' };
  const grid = { enterpriseId: 'E_ACME', installedTeamId: 'T_SALES', homeTeamId: 'T_MEI_HOME' };

  async function gridCommand(text: string, responseId: string, triggerId: string) {
    const body = slashCommandBody({
      user: MEI,
      text,
      responseUrl: h.fake.responseUrl(responseId),
      triggerId,
      enterpriseId: grid.enterpriseId,
    });
    const sent = await postToApp(h.eventsUrl, body, { secret: SIGNING_SECRET });
    expect(sent.status).toBe(200);
  }

  it('GIVEN an org-wide view_submission (team null, user.team_id ≠ app_installed_team_id) THEN her new QR is filed where her show and list find it', async () => {
    await gridCommand('temp zhangsan', 'grid-temp', 'grid-1.trigger');
    const view = await h.openedView('grid-1.trigger');
    const payload = orgWideViewSubmissionPayload(MEI, view, stateFromView(view), grid);
    const submitted = await postToApp(h.eventsUrl, payloadBody(payload), { secret: SIGNING_SECRET });
    expect(submitted.status).toBe(200);
    expect(JSON.parse(submitted.text)).toMatchObject({ response_action: 'update' });
    // Her QR reaches her DM and the modal shows the result (a refusal would be in both instead).
    const status = await h.fake.waitFor(() => h.fake.statusOf(view.id));
    expect(JSON.stringify(status.args.view)).not.toContain('not found');

    // Filed under the org, the installation: neither the workspace typed in nor her home one (issue 17, item 10).
    const [record] = await h.core.service.list(slackRequester(grid.enterpriseId, MEI.userId));
    expect(record).toBeDefined();
    const configId = record!.configId;
    expect(h.fake.dmUploadsTo(MEI.userId)).toHaveLength(1);
    expect(JSON.stringify(h.fake.dmUploadsTo(MEI.userId)[0]?.args.blocks)).toContain(configId);
    expect(await h.core.service.list(slackRequester(grid.homeTeamId, MEI.userId))).toEqual([]);
    expect(await h.core.service.list(who(MEI))).toEqual([]);

    await gridCommand('list', 'grid-list', 'grid-2.trigger');
    await waitForResponse('grid-list');
    expect(responseText('grid-list')).toContain(configId);

    await gridCommand(`show ${configId}`, 'grid-show', 'grid-3.trigger');
    await waitForResponse('grid-show');
    expect(responseText('grid-show')).toContain(configId);
    expect(responseText('grid-show')).not.toContain('not found');

    // Her "Show QR again" button, clicked in the same workspace, finds it as well.
    const click = blockActionsPayload(
      { ...MEI, teamId: grid.homeTeamId },
      { action_id: 'contactway.show', value: shownButton(h.fake, 'show', configId) },
      h.fake.responseUrl('grid-click'),
    );
    const clicked = await postToApp(
      h.eventsUrl,
      payloadBody({
        ...click,
        team: { id: grid.installedTeamId, domain: 'sales', enterprise_id: grid.enterpriseId },
        enterprise: { id: grid.enterpriseId, name: 'Acme Group' },
        is_enterprise_install: true,
      }),
      { secret: SIGNING_SECRET },
    );
    expect(clicked.status).toBe(200);
    await waitForResponse('grid-click');
    expect(responseText('grid-click')).toContain(configId);
    expect(responseText('grid-click')).not.toContain('not found');
  });
});

describe('A form is bound to the person it was opened for', () => {
  // Another person submitting it, and its owner's own submission, are the chat contract's (test/chat-contract.ts).
  it('GIVEN the same user id submitting from another workspace THEN refused too, in the language of the form', async () => {
    const sent = await h.command(CHEN, 'temp zhangsan');
    const opened = await h.openedView(sent.triggerId);
    // Chen reads Chinese: the form is re-rendered in it, and that is the form submitted.
    const update = await h.fake.waitFor(() =>
      h.fake.callsTo('views.update').find((c) => c.args.view_id === opened.id),
    );
    const view = update.result?.view as OpenedView;
    const before = h.core.sandbox!.stats().calls.add_contact_way ?? 0;
    const elsewhere: SlackUser = { ...CHEN, teamId: 'T_OTHER' };
    const result = await h.submit(elsewhere, view, stateFromView(view));
    expect(JSON.parse(result.text)).toMatchObject({ response_action: 'update' });
    expect(result.text).toContain('此表单或按钮是给其他人的');
    await settle();
    expect(h.core.sandbox!.stats().calls.add_contact_way ?? 0).toBe(before);
    expect(await h.core.service.list(who(elsewhere))).toEqual([]);
    expect(await h.core.service.list(who(CHEN))).toEqual([]);
  });
});

describe('Request bodies are capped at 512 kB', () => {
  const oversized = (bytes: number) => `payload=${'x'.repeat(bytes)}`;

  it('GIVEN unsigned POSTs over 512 kB THEN each is refused with 413 at once, and the bot keeps serving', async () => {
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => postToApp(h.eventsUrl, oversized(600 * 1024))),
    );
    for (const r of responses) {
      expect(r.status).toBe(413);
      expect(r.elapsedMs).toBeLessThan(2_000);
    }
    // Over the limit but signed: the limit applies before the signature is even read.
    const signed = await postToApp(h.eventsUrl, oversized(600 * 1024), { secret: SIGNING_SECRET });
    expect(signed.status).toBe(413);

    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
    const sent = await h.command(BOB, 'help');
    expect(sent.status).toBe(200);
    await waitForResponse(sent.responseId);
  });

  it('GIVEN a request declaring a 4 MB body THEN 413 comes back before a byte of the body is sent', async () => {
    const { port } = new URL(h.baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    try {
      const head = await new Promise<string>((resolve, reject) => {
        socket.once('error', reject);
        socket.once('data', (data) => resolve(data.toString('latin1')));
        socket.write(
          'POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
            'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4000000\r\n\r\n',
        );
        setTimeout(() => reject(new Error('no answer without the body')), 2_000);
      });
      expect(head).toMatch(/^HTTP\/1\.1 413 /);
    } finally {
      socket.destroy();
    }
  });

  it('GIVEN a chunked upload over 512 kB (no Content-Length) THEN it is cut off with 413 as well', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 3 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(h.eventsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
  });

  it('GIVEN an unsigned POST under the limit THEN it is still 401 (the signature check is unchanged)', async () => {
    expect((await postToApp(h.eventsUrl, oversized(400 * 1024))).status).toBe(401);
  });
});
describe('A replayed signed request runs once', () => {
  /** One signed request, byte for byte, sent the given number of times. */
  async function replay(body: string, times: number, concurrently = false) {
    const timestampS = Math.floor(Date.now() / 1000);
    const send = () => postToApp(h.eventsUrl, body, { secret: SIGNING_SECRET, timestampS });
    if (concurrently) return Promise.all(Array.from({ length: times }, send));
    const results = [];
    for (let i = 0; i < times; i++) results.push(await send());
    return results;
  }

  it('GIVEN the same signed /contactway temp posted twice THEN one form opens and nothing else is said', async () => {
    const body = slashCommandBody({
      user: BOB,
      text: 'temp zhangsan',
      responseUrl: h.fake.responseUrl('replay-temp'),
      triggerId: 'replay-temp.trigger',
    });
    const results = await replay(body, 2);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    await h.openedView('replay-temp.trigger');
    await settle();
    expect(
      h.fake.callsTo('views.open').filter((c) => c.args.trigger_id === 'replay-temp.trigger'),
    ).toHaveLength(1);
    // Without the dedupe the second views.open fails (trigger used) and "run the command again" follows.
    expect(h.fake.responsesTo('replay-temp')).toEqual([]);
  });

  it('GIVEN the same signed /contactway list posted twice, and three times at once THEN one reply each', async () => {
    const once = slashCommandBody({
      user: BOB,
      text: 'list',
      responseUrl: h.fake.responseUrl('replay-list'),
      triggerId: 'replay-list.trigger',
    });
    await replay(once, 2);
    const burst = slashCommandBody({
      user: BOB,
      text: 'list',
      responseUrl: h.fake.responseUrl('replay-burst'),
      triggerId: 'replay-burst.trigger',
    });
    await replay(burst, 3, true);
    await settle();
    expect(h.fake.responsesTo('replay-list')).toHaveLength(1);
    expect(h.fake.responsesTo('replay-burst')).toHaveLength(1);
  });

  it('GIVEN the same signed button click posted twice THEN it acts once', async () => {
    const body = payloadBody(
      blockActionsPayload(
        BOB,
        { action_id: 'contactway.show', value: 'f'.repeat(32) },
        h.fake.responseUrl('replay-click'),
      ),
    );
    const results = await replay(body, 2, true);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    await settle();
    expect(h.fake.responsesTo('replay-click')).toHaveLength(1);
  });

  it('GIVEN two different commands from the same person THEN both run (only replays are dropped)', async () => {
    const first = await h.command(BOB, 'list');
    const second = await h.command(BOB, 'list');
    await waitForResponse(first.responseId);
    await waitForResponse(second.responseId);
  });
});

describe('The replay check needs the store', () => {
  /** Makes the store's replay claims (the `idem:slack:` reads) fail or take long, until restored. */
  function claimsVia(replace: (key: unknown, get: (key: unknown) => unknown) => unknown): () => void {
    const store = h.core.keyv.store as Map<unknown, unknown>;
    const get = store.get.bind(store);
    store.get = (key: unknown) => (String(key).includes('idem:slack:') ? replace(key, get) : get(key));
    return () => {
      store.get = get;
    };
  }

  it('GIVEN the store fails during the check THEN the command is acknowledged, then refused with the store message, not run', async () => {
    const restore = claimsVia(() => {
      throw new Error('store unavailable (test)');
    });
    let sent: Awaited<ReturnType<SlackHarness['command']>>;
    try {
      sent = await h.command(BOB, 'list');
      await waitForResponse(sent.responseId);
    } finally {
      restore();
    }
    // Acknowledged before the store answered; the refusal follows where replies go.
    expect(sent.status).toBe(200);
    const said = responseText(sent.responseId);
    expect(said).toContain('store is unavailable');
    expect(said).not.toContain('(test)');
    await settle();
    expect(h.fake.responsesTo(sent.responseId)).toHaveLength(1);
  });

  it('GIVEN a slow store (claims take 2 s) THEN the slash command is acked and its form opened at once, and a copy still opens no second form', async () => {
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const restore = claimsVia(async (key, get) => {
      await Promise.race([slow, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      return get(key);
    });
    try {
      const body = slashCommandBody({
        user: BOB,
        text: 'temp zhangsan',
        responseUrl: h.fake.responseUrl('slow-store'),
        triggerId: 'slow-store.trigger',
      });
      const started = performance.now();
      const timestampS = Math.floor(Date.now() / 1000);
      const sent = await postToApp(h.eventsUrl, body, { secret: SIGNING_SECRET, timestampS });
      const acked = performance.now() - started;
      await h.openedView('slow-store.trigger');
      const opened = performance.now() - started;
      expect(sent.status).toBe(200);
      // Slack's trigger_id lives ~3 s: the ack and views.open must not wait on the store.
      expect(acked).toBeLessThan(500);
      expect(opened).toBeLessThan(500);
      // The same delivery again while the claim is still pending: known in memory, dropped.
      const again = await postToApp(h.eventsUrl, body, { secret: SIGNING_SECRET, timestampS });
      expect(again.status).toBe(200);
    } finally {
      release();
      restore();
    }
    await settle();
    expect(
      h.fake.callsTo('views.open').filter((c) => c.args.trigger_id === 'slow-store.trigger'),
    ).toHaveLength(1);
    expect(h.fake.responsesTo('slow-store')).toEqual([]);
  });
});

const redisUrl = process.env.REDIS_URL;

describe.skipIf(!redisUrl)('A replay sent to two instances sharing Redis', () => {
  it('GIVEN the same signed command posted to both at once THEN it runs on one of them', async () => {
    const env = { STORE_URL: redisUrl!, STORE_NAMESPACE: `slack-replay-${process.pid}-${Date.now()}` };
    const [a, b] = await Promise.all([startSlackHarness(env), startSlackHarness(env)]);
    try {
      const body = slashCommandBody({
        user: BOB,
        text: 'help',
        responseUrl: a.fake.responseUrl('two-instances'),
        triggerId: `two-instances-${Date.now()}.trigger`,
      });
      const timestampS = Math.floor(Date.now() / 1000);
      const sent = await Promise.all(
        [a, b, a, b].map((x) => postToApp(x.eventsUrl, body, { secret: SIGNING_SECRET, timestampS })),
      );
      expect(sent.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      await a.fake.waitFor(() => a.fake.responsesTo('two-instances')[0]);
      // A later genuine command on each has been answered: the replays had their chance to run by then.
      for (const x of [a, b]) {
        const sentinel = await x.command(BOB, 'help');
        await x.fake.waitFor(() => x.fake.responsesTo(sentinel.responseId)[0]);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(a.fake.responsesTo('two-instances')).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('GIVEN the same signed Delete click posted to both at once THEN it deletes once and answers once (each acks first)', async () => {
    const env = { STORE_URL: redisUrl!, STORE_NAMESPACE: `slack-replay-click-${process.pid}-${Date.now()}` };
    const [a, b] = await Promise.all([startSlackHarness(env), startSlackHarness(env)]);
    try {
      const sent = await a.command(BOB, 'temp zhangsan');
      const view = await a.openedView(sent.triggerId);
      await a.submit(BOB, view, stateFromView(view));
      await a.fake.waitFor(() => a.fake.statusOf(view.id));
      const [record] = await a.core.service.list(who(BOB));
      const configId = record!.configId;
      await a.fake.waitFor(() => {
        try {
          return shownButton(a.fake, 'delete', configId);
        } catch {
          return undefined;
        }
      });
      const body = payloadBody(
        blockActionsPayload(
          BOB,
          { action_id: 'contactway.delete', value: shownButton(a.fake, 'delete', configId) },
          a.fake.responseUrl('two-deletes'),
        ),
      );
      const timestampS = Math.floor(Date.now() / 1000);
      const clicks = await Promise.all(
        [a, b].map((x) => postToApp(x.eventsUrl, body, { secret: SIGNING_SECRET, timestampS })),
      );
      expect(clicks.map((r) => r.status)).toEqual([200, 200]);
      await a.fake.waitFor(() => a.fake.responsesTo('two-deletes')[0]);
      for (const x of [a, b]) {
        const sentinel = await x.command(BOB, 'help');
        await x.fake.waitFor(() => x.fake.responsesTo(sentinel.responseId)[0]);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      // A second run would answer "not found" (or fail at the other instance's WeCom): one answer, deleted.
      expect(a.fake.responsesTo('two-deletes')).toHaveLength(1);
      expect(JSON.stringify(a.fake.responsesTo('two-deletes'))).toContain(configId);
      expect(await a.core.service.list(who(BOB))).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
