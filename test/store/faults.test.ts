import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { slackRequester } from '../../adapters/slack/requester.js';
import { breakableRecords, eventually, type LoggedBot, startLoggedBot } from '../fixtures/logged-bot.js';
import { type SlackUser, stateFromView } from '../fixtures/slack/requests.js';

/**
 * The store fails after WeCom created the contact way, end to end through the real Slack adapter on the real
 * core (startCore's journal and its periodic flush): the requester still gets the config_id and the QR, a log
 * line carries the config_id, the record waits in the journal, and it is written once the store answers
 * again, or at the next start if the process stops first.
 */

const ALICE: SlackUser = { teamId: 'T_ACME', userId: 'U_ALICE', userName: 'alice' };
const alice = slackRequester(ALICE.teamId, ALICE.userId);
const slackCredentials = { botToken: 'xoxb-store-faults', signingSecret: 'store-faults-signing-secret' };
const CONFIG_ID = /config_id[^0-9a-f]+([0-9a-f]{32})/;

const bots: LoggedBot[] = [];
afterAll(async () => {
  for (const bot of bots) await bot.close();
});

async function start(env: Record<string, string> = {}): Promise<LoggedBot> {
  const bot = await startLoggedBot({ env: { JOURNAL_RETRY_MS: '1000', ...env }, slack: slackCredentials });
  bots.push(bot);
  return bot;
}

/**
 * `/contactway temp zhangsan`, submitted as opened; resolves with everything the requester was sent: the
 * modal's result, the QR message in their DM, and any ephemeral reply.
 */
async function createTemp(bot: LoggedBot): Promise<string> {
  const slack = bot.slack!;
  const uploadsBefore = slack.fake.dmUploadsTo(ALICE.userId).length;
  const sent = await slack.command(ALICE, 'temp zhangsan');
  const view = await slack.openedView(sent.triggerId);
  const submitted = await slack.submit(ALICE, view, stateFromView(view));
  expect(submitted.elapsedMs).toBeLessThan(3_000);
  const status = await slack.fake.waitFor(() => slack.fake.statusOf(view.id));
  return JSON.stringify([
    status.args.view,
    slack.fake
      .dmUploadsTo(ALICE.userId)
      .slice(uploadsBefore)
      .map((c) => c.args.blocks),
    slack.fake.responsesTo(sent.responseId).map((r) => r.body),
  ]);
}

/** The log line the service writes when the record could not be stored, as parsed JSON. */
function storeFailureLine(bot: LoggedBot): Record<string, unknown> | undefined {
  return bot.logs.records().find((r) => String(r.msg).startsWith('store write failed after WeCom created'));
}

describe('the store fails after WeCom created the contact way', () => {
  it('GIVEN record writes fail THEN the requester gets the config_id and QR, a log line carries it, and the record is written when the store is back', async () => {
    const bot = await start();
    const store = breakableRecords(bot.core);
    store.broken = true;

    const reply = await createTemp(bot);
    const configId = CONFIG_ID.exec(reply)?.[1];
    expect(configId, reply).toBeDefined();
    // The requester is told to keep it, and gets the QR anyway (uploaded to the DM).
    expect(reply).toContain(`Copy this config_id now: ${configId}`);
    const upload = await bot.slack!.fake.waitFor(
      () => bot.slack!.fake.callsTo('files.completeUploadExternal')[0],
    );
    expect(upload.result?.ok).toBe(true);
    // WeCom has it; we have it only in the log and the journal so far.
    expect(bot.core.sandbox!.contactWay(configId!)).toBeDefined();
    expect(storeFailureLine(bot)).toMatchObject({ level: 50, configId });
    expect(JSON.stringify(storeFailureLine(bot))).toContain('/sandbox/qr/');
    expect(readFileSync(bot.journalPath, 'utf8')).toContain(configId);
    expect(await bot.core.service.list(alice)).toEqual([]);

    // The store answers again: the periodic flush (JOURNAL_RETRY_MS) writes the record.
    store.broken = false;
    const written = await eventually(async () => (await bot.core.service.list(alice))[0]);
    expect(written).toMatchObject({ configId, requester: alice, isTemp: true, status: 'active' });
    // Nothing left pending: the flush may still be recreating the (empty) journal it claimed by renaming.
    expect(existsSync(bot.journalPath) ? readFileSync(bot.journalPath, 'utf8') : '').toBe('');
    expect(
      bot.logs
        .records()
        .some((r) => r.msg === 'pending record written to the store' && r.configId === configId),
    ).toBe(true);

    // And it behaves as any record: show finds it and brings the QR back.
    const show = await bot.slack!.command(ALICE, `show ${configId}`);
    await bot.slack!.fake.waitFor(() => bot.slack!.fake.responsesTo(show.responseId)[0]);
    expect(JSON.stringify(bot.slack!.fake.responsesTo(show.responseId))).toContain(configId);
  });

  it('GIVEN the process stops while the store is still down THEN the next start writes the journaled record', async () => {
    const first = await start();
    const store = breakableRecords(first.core);
    store.broken = true;
    const configId = CONFIG_ID.exec(await createTemp(first))?.[1];
    expect(configId).toBeDefined();
    await first.close();
    bots.splice(bots.indexOf(first), 1);
    expect(readFileSync(first.journalPath, 'utf8')).toContain(configId);

    // A new process on the same journal (a memory store stands in for the store that came back).
    const second = await start({ JOURNAL_PATH: first.journalPath });
    const [record] = await second.core.service.list(alice);
    expect(record).toMatchObject({ configId, requester: alice });
    expect(readFileSync(first.journalPath, 'utf8')).toBe('');
  });
});
