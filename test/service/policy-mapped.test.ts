import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackRequester } from '../../adapters/slack/requester.js';
import { ALICE, type SlackHarness, startSlackHarness } from '../fixtures/slack/harness.js';
import { type OpenedView, type SlackUser, stateFromView, withValue } from '../fixtures/slack/requests.js';

/**
 * CREATE_FOR=mapped, attacked through the real Bolt app: a mapped requester must not reach another member or a
 * department by any path that sets members (issue 10, item 1). The policy is enforced in the service, so every
 * adapter gets it; Slack is the door tested here.
 */

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness({
    CREATE_FOR: 'mapped',
    USER_MAP: `slack:${ALICE.teamId}:${ALICE.userId}=zhangsan`,
  });
});
afterAll(() => h?.close());

const who = (user: SlackUser) => slackRequester(user.teamId, user.userId);

async function openForm(user: SlackUser, text: string): Promise<{ view: OpenedView; responseId: string }> {
  const sent = await h.command(user, text);
  expect(sent.status).toBe(200);
  return { view: await h.openedView(sent.triggerId), responseId: sent.responseId };
}

/** Submits and waits for what the requester is told (the modal's result, the QR in the DM, ephemerals). */
async function submitAndRead(user: SlackUser, text: string, edit: (view: OpenedView) => object) {
  const { view, responseId } = await openForm(user, text);
  const uploadsBefore = h.fake.dmUploadsTo(user.userId).length;
  const result = await h.submit(user, view, edit(view) as never);
  expect(result.status).toBe(200);
  return h.fake.waitFor(() =>
    h.fake.toldAbout({ viewId: view.id, responseId, userId: user.userId, uploadsBefore }),
  );
}

describe('CREATE_FOR=mapped cannot be escaped', () => {
  let configId = '';

  it('GIVEN alice mapped to zhangsan WHEN she runs temp (for herself) THEN it is created', async () => {
    const reply = await submitAndRead(ALICE, 'temp', (view) => stateFromView(view));
    expect(reply).toContain('Temporary QR for zhangsan');
    const [record] = await h.core.service.list(who(ALICE));
    configId = record!.configId;
    expect(record!.request.user).toEqual(['zhangsan']);
  });

  it('GIVEN her own way WHEN she edits Members to lisi THEN she is refused and WeCom is not touched', async () => {
    const updatesBefore = h.core.sandbox!.stats().calls.update_contact_way ?? 0;
    const reply = await submitAndRead(ALICE, `edit ${configId}`, (view) =>
      withValue(stateFromView(view), 'user', { value: 'lisi' }),
    );
    expect(reply).toContain('You can only create contact ways for yourself (zhangsan).');
    expect(h.core.sandbox!.stats().calls.update_contact_way ?? 0).toBe(updatesBefore);
    expect(h.core.sandbox!.contactWay(configId)).toMatchObject({ request: { user: ['zhangsan'] } });
    const [record] = await h.core.service.list(who(ALICE));
    expect(record!.request.user).toEqual(['zhangsan']);
  });

  it('GIVEN her own way WHEN she edits Members to herself THEN that is allowed', async () => {
    const reply = await submitAndRead(ALICE, `edit ${configId}`, (view) =>
      withValue(withValue(stateFromView(view), 'user', { value: 'zhangsan' }), 'remark', { value: 'mine' }),
    );
    expect(reply).toContain(`Updated ${configId}`);
  });

  it('WHEN she runs new with Departments 1 (the whole company) THEN she is refused, the field named, nothing created', async () => {
    const addsBefore = h.core.sandbox!.stats().calls.add_contact_way ?? 0;
    const reply = await submitAndRead(ALICE, 'new', (view) =>
      withValue(withValue(stateFromView(view), 'user', { value: 'zhangsan' }), 'party', { value: '1' }),
    );
    expect(reply).toContain('Departments (party)');
    expect(h.core.sandbox!.stats().calls.add_contact_way ?? 0).toBe(addsBefore);
    expect(await h.core.service.list(who(ALICE))).toHaveLength(1);
  });

  it('WHEN she runs new with Members zhangsan,lisi THEN she is refused', async () => {
    const addsBefore = h.core.sandbox!.stats().calls.add_contact_way ?? 0;
    const reply = await submitAndRead(ALICE, 'new', (view) =>
      withValue(stateFromView(view), 'user', { value: 'zhangsan, lisi' }),
    );
    expect(reply).toContain('You can only create contact ways for yourself (zhangsan).');
    expect(h.core.sandbox!.stats().calls.add_contact_way ?? 0).toBe(addsBefore);
  });
});
