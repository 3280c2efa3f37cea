import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { asOpened } from '../../fixtures/console-lines.js';
import { type ConsoleSession, startConsoleSession } from '../../fixtures/console-session.js';

/**
 * Linking chat users to WeCom members through the real console adapter on the real core and the sandbox's
 * directory (issue 19 item 9): the console's person is an admin (ADMINS), links others and herself directly,
 * and `temp` then needs no userid. USER_MAP is only the seed: a stored link wins over it.
 */

const TESTER = { platform: 'console', workspaceId: 'local', userId: 'tester' };
const OTHER = { platform: 'console', workspaceId: 'local', userId: 'other' };
/** `temp` with nothing typed: the form opens for the linked member, every field left as opened. */
const tempAsOpened = () => ['temp', ...asOpened('temp zhangsan').slice(1)];

let session: ConsoleSession;
beforeAll(async () => {
  session = await startConsoleSession({
    ADMINS: 'console:local:tester',
    USER_MAP: 'console:local:tester=lisi',
  });
  await vi.waitFor(() => expect(session.core.directory.status().loaded).toBe(true), { timeout: 5_000 });
});
afterAll(() => session?.close());

describe('link and unlink through the console', () => {
  it('GIVEN an admin WHEN she runs link <chat user> <userid> THEN that user is linked at once', async () => {
    const out = await session.run(['link console:local:other zhangsan']);
    expect(out).toContain('Linked console:local:other to zhangsan');
    expect(session.core.service.mappedUser(OTHER)).toBe('zhangsan');
  });

  it('GIVEN USER_MAP seeds her as lisi WHEN the admin links herself to zhangsan THEN temp defaults to zhangsan (the stored link wins)', async () => {
    expect(session.core.service.mappedUser(TESTER)).toBe('lisi');
    expect(await session.run(['link zhangsan'])).toContain('Linked you to zhangsan');
    const out = await session.run(tempAsOpened());
    expect(out).toContain('Temporary QR for zhangsan');
    const [record] = await session.core.service.list(TESTER);
    expect(record?.request.user).toEqual(['zhangsan']);
  });

  it('GIVEN members WeCom would refuse or does not know THEN link refuses them with the directory’s words', async () => {
    const out = await session.run(['link console:local:other sunqi', 'link nobody']);
    expect(out).toContain('sunqi is not enabled for customer contact');
    expect(out).toContain("nobody is not a member in WeCom's directory");
    expect(session.core.service.mappedUser(OTHER)).toBe('zhangsan');
  });

  it('GIVEN a mention-less, malformed chat user THEN link says how to name one', async () => {
    expect(await session.run(['link someone zhangsan'])).toContain('must be a chat user');
  });

  it('WHEN unlink THEN her stored link goes and USER_MAP’s seed is back, said so; an admin unlinks others', async () => {
    const out = await session.run(['unlink', 'unlink console:local:other']);
    expect(out).toContain('Unlinked you from zhangsan');
    expect(out).toContain('USER_MAP still maps to lisi');
    expect(out).toContain('Unlinked console:local:other from zhangsan');
    expect(session.core.service.mappedUser(TESTER)).toBe('lisi');
    expect(session.core.service.mappedUser(OTHER)).toBeUndefined();
  });

  it('THEN every step is in the audit trail', async () => {
    const out = await session.run(['audit']);
    expect(out).toContain('console:local:tester · link console:local:other=zhangsan · ok');
    expect(out).toContain('console:local:tester · link.request zhangsan · ok');
    expect(out).toContain('console:local:tester · link.request nobody · error (validation)');
    expect(out).toContain('console:local:tester · unlink console:local:tester · ok');
    expect(out).toContain('console:local:tester · unlink console:local:other · ok');
  });

  it('GIVEN a stored link WHEN the core restarts on the same store THEN the link is loaded again', async () => {
    await session.core.service.linkUser(TESTER, OTHER, 'zhangsan');
    const { createLinkStore } = await import('../../../src/store/index.js');
    const reloaded = createLinkStore(session.core.keyv);
    await reloaded.load();
    expect(reloaded.lookup('console:local:other')).toBe('zhangsan');
  });
});
