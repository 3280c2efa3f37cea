import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import type { ReplyAction } from '../../commands/index.js';
import { createActionTokens, ownerTag } from '../../src/chat/action-token.js';
import { createStateStore, type StateStore } from '../../src/chat/state-store.js';

/** The flow's button tokens on their own: what they carry, whom they bind, when they are stored. */

const ALICE = { platform: 'discord', workspaceId: '1000000000000000001', userId: '1600000000000000001' };
const BOB = { ...ALICE, userId: '1600000000000000002' };
const DM = { ...ALICE, workspaceId: 'dm' };
const CONFIG = 'c9d58545e2c9a4d65584884392fcc125';
const CUSTOMER = 'wmAbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const confirm = { title: 'Delete contact way?', text: `Delete ${CONFIG}?`, yes: 'Delete', no: 'Cancel' };
const show: ReplyAction = { kind: 'show', label: 'Show QR again', configId: CONFIG };
const del: ReplyAction = { kind: 'delete', label: 'Delete', configId: CONFIG, danger: true, confirm };
const close: ReplyAction = {
  kind: 'close',
  label: 'End session',
  configId: CONFIG,
  customer: CUSTOMER,
  confirm,
};

const store = () => createStateStore(new Keyv());
/** Discord's room: a custom_id of 100 characters less `cw:a:`. */
const discord = (state: StateStore = store()) => createActionTokens({ state, chars: 95, confirm: 'ask' });

describe('ownerTag', () => {
  it('GIVEN requesters THEN 10 id-safe characters, the same for the same platform + workspace + user only', () => {
    const a = { platform: 'discord', workspaceId: 'g1', userId: 'u1' };
    expect(ownerTag(a)).toMatch(/^[A-Za-z0-9_-]{10}$/);
    expect(ownerTag({ ...a, displayName: 'alice' } as typeof a)).toBe(ownerTag(a));
    expect(ownerTag({ ...a, userId: 'u2' })).not.toBe(ownerTag(a));
    expect(ownerTag({ ...a, workspaceId: 'g2' })).not.toBe(ownerTag(a));
    expect(ownerTag({ ...a, platform: 'slack' })).not.toBe(ownerTag(a));
  });
});

describe('binding a reply’s buttons', () => {
  it('GIVEN Discord THEN Show and Delete fit inline, Delete asks first and loses its dialog texts; only their requester may use them', async () => {
    const tokens = discord();
    const [s, d] = await tokens.bind([show, del], ALICE);
    expect(s?.token?.startsWith('{')).toBe(true);
    expect(d?.token?.startsWith('{')).toBe(true);
    expect(d?.confirm).toBeUndefined();
    const mine = await tokens.read(d?.token as string, ALICE);
    expect(mine).toMatchObject({
      ok: true,
      intent: { kind: 'delete', configId: CONFIG, ask: true, no: false },
    });
    expect(await tokens.read(d?.token as string, BOB)).toEqual({ ok: false, reason: 'not-yours' });
    expect(await tokens.read(s?.token as string, { ...ALICE, workspaceId: 'another guild' })).toEqual({
      ok: false,
      reason: 'not-yours',
    });
  });

  it('GIVEN Slack (native confirm) THEN the dialog stays on the button and the click arrives confirmed', async () => {
    const tokens = createActionTokens({ state: store(), chars: 2000, confirm: 'native' });
    const [d, c] = await tokens.bind([del, close], ALICE);
    expect(d?.confirm).toEqual(confirm);
    expect(await tokens.read(d?.token as string, ALICE)).toMatchObject({ ok: true, intent: { ask: false } });
    expect(await tokens.read(c?.token as string, ALICE)).toMatchObject({
      ok: true,
      intent: { kind: 'close', customer: CUSTOMER, ask: false, stored: false },
    });
  });

  it('GIVEN End session too long for a custom_id THEN stored, with its own question; gone from the store THEN expired', async () => {
    const state = store();
    const tokens = discord(state);
    const [c] = await tokens.bind([close], ALICE);
    expect(c?.token).toMatch(/^@[A-Za-z0-9_-]{12}$/);
    const read = await tokens.read(c?.token as string, ALICE);
    expect(read).toMatchObject({ ok: true, intent: { ask: true, question: confirm, stored: true } });
    const fresh = discord(store());
    expect(await fresh.read(c?.token as string, ALICE)).toEqual({ ok: false, reason: 'stale' });
    expect(await fresh.read('not a token', ALICE)).toEqual({ ok: false, reason: 'stale' });
    expect(
      await fresh.read(JSON.stringify({ k: 'show', c: '@everyone', o: ownerTag(ALICE) }), ALICE),
    ).toEqual({
      ok: false,
      reason: 'stale',
    });
  });

  it('GIVEN the store refuses the write THEN the button is left out rather than shown dead', async () => {
    const failing: StateStore = {
      save: () => ({ id: 'x', written: Promise.resolve(false) }),
      load: async () => undefined,
    };
    expect(await discord(failing).bind([show, close], ALICE)).toEqual([
      expect.objectContaining({ kind: 'show' }),
    ]);
  });
});

describe('a notification’s buttons, clicked in a DM', () => {
  it('GIVEN a notification THEN its buttons are stored and a DM click acts in the guild it was sent for, for its requester only', async () => {
    const tokens = discord();
    const [s] = await tokens.bind([show], ALICE, { notification: true });
    expect(s?.token).toMatch(/^@/);
    expect(await tokens.read(s?.token as string, DM, { elsewhere: true })).toMatchObject({
      ok: true,
      intent: { workspaceId: ALICE.workspaceId },
    });
    expect(await tokens.read(s?.token as string, { ...BOB, workspaceId: 'dm' }, { elsewhere: true })).toEqual(
      {
        ok: false,
        reason: 'not-yours',
      },
    );
  });

  it('GIVEN an inline token naming a guild (forged) THEN a DM click does not act there', async () => {
    const forged = JSON.stringify({ k: 'show', c: CONFIG, o: ownerTag(ALICE), w: ALICE.workspaceId });
    expect(await discord().read(forged, DM, { elsewhere: true })).toEqual({ ok: false, reason: 'not-yours' });
  });

  it('GIVEN the question asked for a DM click THEN its Yes and No keep the guild and are the requester’s', async () => {
    const tokens = discord();
    const [c] = await tokens.bind([close], ALICE, { notification: true });
    const read = await tokens.read(c?.token as string, DM, { elsewhere: true });
    if (!read.ok) throw new Error('not read');
    const [yes, no] = await tokens.question(read.intent, ALICE, confirm);
    expect(no?.kind).toBe('keep');
    expect(await tokens.read(yes?.token as string, DM, { elsewhere: true })).toMatchObject({
      ok: true,
      intent: { kind: 'close', yes: true, ask: false, workspaceId: ALICE.workspaceId },
    });
    expect(await tokens.read(no?.token as string, DM, { elsewhere: true })).toMatchObject({
      ok: true,
      intent: { no: true },
    });
  });
});
