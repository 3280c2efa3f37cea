import type { FakeSlack, SlackCall } from '../test/fixtures/slack/fake-slack.js';
import {
  type OpenedView,
  payloadBody,
  postToApp,
  type SlackUser,
  slashCommandBody,
  stateFromView,
  viewSubmissionPayload,
  withValue,
} from '../test/fixtures/slack/requests.js';

/** What one simulated person saw, in Date.now() ms (the fake Slack stamps its calls with Date.now()). */
export interface RequesterTimings {
  commandAckMs?: number;
  /** From sending the command to the app's views.open reaching Slack. */
  viewsOpenMs?: number;
  submitAckMs?: number;
  /** From sending the submission to files.completeUploadExternal reaching Slack (the QR is shared). */
  submitToQrMs?: number;
  /** From the start of the burst to this person's QR reaching Slack. */
  qrAt?: number;
  error?: string;
}

export interface LoadResult {
  requesters: RequesterTimings[];
  /** From the start of the burst to the last QR reaching Slack; undefined if any is missing. */
  allQrsMs: number | undefined;
  /** Date.now() when the burst started and when the last requester finished. */
  startedAt: number;
  endedAt: number;
}

export interface LoadOptions {
  eventsUrl: string;
  fake: FakeSlack;
  teamId: string;
  signingSecret: string;
  n: number;
  /** How long one person waits for the modal or the QR before it counts as missing. */
  timeoutMs: number;
  /** Arrivals: requester i sends its command i × 1000 / ratePerS ms after the start; all at once if unset. */
  ratePerS?: number;
  /** Typed into the modal's welcome field before submitting (the scan burst's ways greet their customers). */
  welcome?: string;
}

/** The channel a requester types in and the DM the bot opens with them both end in `_B{index}`. */
const requesterIndex = (channelId: unknown): number | undefined => {
  const m = /^[CD]_B(\d+)$/.exec(String(channelId ?? ''));
  return m ? Number(m[1]) : undefined;
};

/**
 * Follows the fake's call log as it grows (one cursor, checked every millisecond) and hands each views.open
 * and completed upload to the requester it belongs to: per-requester polling of the whole log would cost
 * O(N²) in the process that also plays Slack.
 */
function followCalls(fake: FakeSlack) {
  const opens = new Map<string, (call: SlackCall) => void>();
  const uploads = new Map<number, (call: SlackCall) => void>();
  let seen = 0;
  const timer = setInterval(() => {
    while (seen < fake.calls.length) {
      const call = fake.calls[seen++] as SlackCall;
      if (call.method === 'views.open') opens.get(String(call.args.trigger_id))?.(call);
      if (call.method === 'files.completeUploadExternal' && call.result?.ok) {
        const index = requesterIndex(call.args.channel_id);
        if (index !== undefined) uploads.get(index)?.(call);
      }
    }
  }, 1);
  const wait = <K>(map: Map<K, (c: SlackCall) => void>, key: K, timeoutMs: number, what: string) =>
    new Promise<SlackCall>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
      map.set(key, (call) => {
        clearTimeout(timeout);
        map.delete(key);
        resolve(call);
      });
    });
  return {
    viewsOpen: (triggerId: string, timeoutMs: number) => wait(opens, triggerId, timeoutMs, 'views.open'),
    qr: (index: number, timeoutMs: number) => wait(uploads, index, timeoutMs, 'QR upload'),
    stop: () => clearInterval(timer),
  };
}

/**
 * N people at once: each sends `/contactway temp zhangsan`, waits for the modal the app opens, submits it
 * unchanged (its defaults), and waits for the QR to reach Slack. Requests are signed as Slack signs them.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { eventsUrl, fake, n, timeoutMs, signingSecret } = options;
  const follow = followCalls(fake);
  const startedAt = Date.now();

  async function one(index: number): Promise<RequesterTimings> {
    if (options.ratePerS) await new Promise((r) => setTimeout(r, (index * 1000) / options.ratePerS!));
    const user: SlackUser = { teamId: options.teamId, userId: `U_B${index}`, userName: `bench${index}` };
    const triggerId = `bench-${index}.${startedAt}.trigger`;
    const timings: RequesterTimings = {};
    try {
      const opened = follow.viewsOpen(triggerId, timeoutMs);
      const qr = follow.qr(index, timeoutMs * 2);
      // Awaited later; until then a timeout must not count as an unhandled rejection.
      opened.catch(() => undefined);
      qr.catch(() => undefined);
      const body = slashCommandBody({
        user,
        text: 'temp zhangsan',
        channelId: `C_B${index}`,
        responseUrl: options.fake.responseUrl(`bench-${index}`),
        triggerId,
      });
      const command = await postToApp(eventsUrl, body, { secret: signingSecret });
      if (command.status !== 200) throw new Error(`command answered HTTP ${command.status}`);
      timings.commandAckMs = command.elapsedMs;
      const open = await opened;
      timings.viewsOpenMs = open.at - command.sentAt;
      const view = open.result?.view as OpenedView | undefined;
      if (!view) throw new Error(`views.open failed: ${JSON.stringify(open.result)}`);
      const asOpened = stateFromView(view);
      const values = options.welcome ? withValue(asOpened, 'welcome', { value: options.welcome }) : asOpened;
      const submit = await postToApp(eventsUrl, payloadBody(viewSubmissionPayload(user, view, values)), {
        secret: signingSecret,
      });
      if (submit.status !== 200) throw new Error(`submission answered HTTP ${submit.status}`);
      timings.submitAckMs = submit.elapsedMs;
      const uploaded = await qr;
      timings.submitToQrMs = uploaded.at - submit.sentAt;
      timings.qrAt = uploaded.at - startedAt;
    } catch (error) {
      timings.error = error instanceof Error ? error.message : String(error);
    }
    return timings;
  }

  try {
    const requesters = await Promise.all(Array.from({ length: n }, (_, i) => one(i)));
    const qrAts = requesters.map((r) => r.qrAt);
    const allQrsMs =
      qrAts.length > 0 && qrAts.every((t) => t !== undefined) ? Math.max(...(qrAts as number[])) : undefined;
    return { requesters, allQrsMs, startedAt, endedAt: Date.now() };
  } finally {
    follow.stop();
  }
}
