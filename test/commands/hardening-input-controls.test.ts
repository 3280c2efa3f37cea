import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackRequester } from '../../adapters/slack/requester.js';
import { createRecordStore } from '../../src/store/record-store.js';
import { asTyped } from '../fixtures/console-lines.js';
import { type ConsoleSession, RAW_CONTROL, startConsoleSession } from '../fixtures/console-session.js';
import { ALICE, type SlackHarness, startSlackHarness } from '../fixtures/slack/harness.js';
import { stateFromView, withValue } from '../fixtures/slack/requests.js';

/**
 * Issue 10 item 9: control characters (ESC, BEL, NUL, C1, bidi overrides, line breaks in one-line fields) are
 * refused under their field on every platform, and the console never writes one it did not make itself: an
 * admin's terminal must not obey `ESC[2J` (clear screen) hidden in a remark.
 */

const ESC = '\u001b';
const CLEAR_SCREEN = `${ESC}[2J`;
const FIELD_ERROR = /must not contain control characters/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the SGR colour sequences of our own terminal QR
const QR_COLOURS = /\u001b\[[0-9;]*m/g;

let session: ConsoleSession;

beforeAll(async () => {
  session = await startConsoleSession();
});

afterAll(async () => {
  await session?.close();
});

describe('console: control characters are refused under their field', () => {
  it('GIVEN a remark with ESC[2J and a state with U+202E THEN both are named and asked again, nothing raw is echoed, and the corrected form succeeds', async () => {
    const before = session.core.sandbox!.stats().calls.add_contact_way ?? 0;
    const out = await session.run([
      'temp zhangsan',
      'f', // fill in the fields
      '', // expires_in
      '', // chat_expires_in
      `hi${CLEAR_SCREEN}`, // remark: refused at once, asked again
      'clinic', // remark again
      'chan\u202Eevil', // state
      'chan-1', // state again
      '', // skip_verify
      `bye${'\u0007'}`, // conclusions
      'see you', // conclusions again
      '', // image
      '', // closing_link
      '', // closing_miniprogram
      '', // welcome
      '', // welcome_links
      '', // welcome_miniprograms
      '', // welcome_image
      '', // unionid
      '', // remove_images
      'exit',
    ]);
    expect(out).toMatch(/✗ Remark: must not contain control characters/);
    expect(out).toMatch(/✗ State \(channel tag\): must not contain control characters/);
    expect(out).toMatch(/✗ Closing message: must not contain control characters/);
    expect(out).toContain('Temporary QR for zhangsan');
    expect(session.core.sandbox!.stats().calls.add_contact_way).toBe(before + 1);
    // The echo of piped input is escaped too: the transcript holds `\u001b`, never the byte. The only escapes
    // are the colours of the QR the console draws itself.
    expect(out.replace(QR_COLOURS, '')).not.toMatch(RAW_CONTROL);
    expect(out).toContain('\\u001b[2J');
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['BEL', 'a\u0007b'],
    ['DEL', 'a\u007fb'],
    ['C1 CSI', 'a\u009b2Jb'],
    ['LRO', 'a\u202Db'],
    ['RLI', 'a\u2067b'],
    ['PDI', 'a\u2069b'],
    ['a line separator', 'a\u2028b'],
    ['a tab', 'a\tb'],
  ])('GIVEN a remark with %s THEN it is refused under remark', async (_name, remark) => {
    const out = await session.run(asTyped('temp zhangsan', { remark }));
    expect(out).toMatch(/✗ Remark: must not contain control characters/);
    expect(out).not.toMatch(RAW_CONTROL);
  });

  it('GIVEN ordinary text with Chinese, emoji and punctuation THEN it is accepted', async () => {
    const out = await session.run([
      ...asTyped('temp lisi', { remark: '门诊随访 😀 (a/b) #1', state: 'wx-门诊' }),
      'exit',
    ]);
    expect(out).not.toMatch(FIELD_ERROR);
    expect(out).toContain('Temporary QR for lisi');
    expect(out).toContain('门诊随访 😀 (a/b) #1');
  });
});

describe('console: what came from outside is printed with its controls made visible', () => {
  it('GIVEN a record stored before this check with ESC, BEL and RLO in remark and state THEN list and show print them escaped', async () => {
    const requester = { platform: 'console', workspaceId: 'local', userId: 'tester' } as const;
    const now = new Date().toISOString();
    await createRecordStore(session.core.keyv).put({
      configId: 'legacy0controls',
      requester,
      createdAt: now,
      updatedAt: now,
      request: {
        type: 1,
        scene: 2,
        user: ['zhangsan'],
        remark: `x${CLEAR_SCREEN}\u0007y`,
        state: 'a\u202Eb\nc',
      },
      isTemp: false,
      status: 'active',
      source: 'created',
    });
    const out = await session.run(['list', 'show legacy0controls', 'exit']);
    expect(out).toContain('legacy0controls');
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).toContain('x\\u001b[2J\\u0007y');
    expect(out).toContain('a\\u202eb\\nc');
  });

  it('GIVEN an unknown command carrying ESC THEN the error echoes it escaped', async () => {
    const out = await session.run([`frob${CLEAR_SCREEN}`, 'exit']);
    expect(out).toContain('frob\\u001b[2J');
    expect(out).not.toMatch(RAW_CONTROL);
  });
});

describe('Slack: a remark with ESC is refused under its field', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN a temp form whose remark holds ESC[2J THEN response_action errors names remark and nothing is created', async () => {
    const sent = await h.command(ALICE, 'temp zhangsan');
    const view = await h.openedView(sent.triggerId);
    const before = h.core.sandbox!.stats().calls.add_contact_way ?? 0;
    const values = withValue(stateFromView(view), 'remark', { value: `hi${CLEAR_SCREEN}` });
    const result = await h.submit(ALICE, view, values);
    expect(result.status).toBe(200);
    const ack = JSON.parse(result.text) as { response_action: string; errors: Record<string, string> };
    expect(ack.response_action).toBe('errors');
    expect(Object.keys(ack.errors)).toEqual(['remark']);
    expect(ack.errors.remark).toMatch(FIELD_ERROR);
    expect(h.core.sandbox!.stats().calls.add_contact_way ?? 0).toBe(before);
    expect(await h.core.service.list(slackRequester(ALICE.teamId, ALICE.userId))).toEqual([]);
  });
});
