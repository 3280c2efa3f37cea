import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { slackRequester } from '../../adapters/slack/requester.js';
import { ALICE, type SlackHarness, startSlackHarness } from '../fixtures/slack/harness.js';
import { type OpenedView, stateFromView } from '../fixtures/slack/requests.js';

/**
 * RATE_LIMIT_CREATES under a burst, through the real Bolt app (issue 10, item 5): twelve forms submitted at
 * the same moment by one requester with a limit of 3 create exactly 3 contact ways, whatever the store.
 */

const dir = mkdtempSync(join(tmpdir(), 'contactway-limit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stores: Array<[string, string | undefined]> = [
  ['memory', 'memory:'],
  ['sqlite', `sqlite://${join(dir, 'limit.sqlite')}`],
  ['redis', process.env.REDIS_URL],
  ['postgres', process.env.POSTGRES_URL],
];

describe.each(stores)('RATE_LIMIT_CREATES=3/1h on %s', (_name, url) => {
  it.runIf(url)(
    'GIVEN twelve forms submitted at once THEN exactly 3 are created, the rest told the limit',
    async () => {
      // A namespace of its own: runs sharing one Redis or PostgreSQL never share a counter.
      const namespace = `limit-${process.pid}-${Date.now().toString(36)}`;
      const h: SlackHarness = await startSlackHarness({
        STORE_URL: url!,
        STORE_NAMESPACE: namespace,
        RATE_LIMIT_CREATES: '3/1h',
      });
      try {
        const opened: Array<{ view: OpenedView; responseId: string }> = [];
        for (let i = 0; i < 12; i++) {
          const sent = await h.command(ALICE, 'temp zhangsan');
          opened.push({ view: await h.openedView(sent.triggerId), responseId: sent.responseId });
        }
        const addsBefore = h.core.sandbox!.stats().calls.add_contact_way ?? 0;
        const submissions = opened.map(({ view, responseId }) => ({
          viewId: view.id,
          responseId,
          userId: ALICE.userId,
          uploadsBefore: h.fake.dmUploadsTo(ALICE.userId).length,
        }));
        const results = await Promise.all(
          opened.map(({ view }) => h.submit(ALICE, view, stateFromView(view))),
        );
        expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
        // Each form's own answer: its modal's result, or the refusal on its command's response_url.
        await h.fake.waitFor(() => submissions.every((s) => h.fake.toldAbout(s)));
        const replies = submissions.map((s) => {
          const [modal, , ephemeral] = JSON.parse(h.fake.toldAbout(s) ?? '[]') as unknown[];
          return JSON.stringify([modal, ephemeral]);
        });
        expect(replies.filter((r) => r.includes('Temporary QR for zhangsan'))).toHaveLength(3);
        expect(replies.filter((r) => r.includes('You reached the limit of 3 new contact ways'))).toHaveLength(
          9,
        );
        expect((h.core.sandbox!.stats().calls.add_contact_way ?? 0) - addsBefore).toBe(3);
        expect(await h.core.service.list(slackRequester(ALICE.teamId, ALICE.userId))).toHaveLength(3);
      } finally {
        await h.core.keyv.clear();
        await h.close();
      }
    },
  );
});
