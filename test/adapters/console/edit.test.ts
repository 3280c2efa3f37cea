import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecordStore } from '../../../src/store/index.js';
import { asOpened, asTyped } from '../../fixtures/console-lines.js';
import { type ConsoleSession, startConsoleSession } from '../../fixtures/console-session.js';

/** `edit` in a console session on the embedded sandbox: what the person sees, and what WeCom receives. */
describe('console: edit opens with the way’s current values', () => {
  let session: ConsoleSession;
  let configId = '';
  const updates = () => session.core.sandbox?.received('update_contact_way') ?? [];

  beforeAll(async () => {
    session = await startConsoleSession();
    const out = await session.run(
      asTyped('temp zhangsan', { remark: 'spring fair', state: 'fair', welcome: 'Hello!' }),
    );
    configId = /config_id\s+([0-9a-f]{32})/.exec(out)?.[1] ?? '';
    expect(configId).not.toBe('');
  });

  afterAll(async () => {
    await session?.close();
  });

  it('GIVEN edit <id> THEN every prompt shows the current value as its default, the clear hint is said; Enter throughout changes nothing and WeCom hears nothing', async () => {
    const before = updates().length;
    const out = await session.run(asOpened(`edit ${configId}`));
    // The form's summary shows the current values; Enter saves them as shown.
    expect(out).toMatch(/Remark\s+spring fair/);
    expect(out).toMatch(/State \(channel tag\)\s+fair/);
    expect(out).toMatch(/Add without confirmation\s+(true|yes)/);
    expect(out).toMatch(/Members\s+zhangsan/);
    expect(out).toMatch(/QR valid for\s+7d/);
    expect(out).toMatch(/Session lasts\s+24h/);
    expect(out).toMatch(/Welcome message\s+Hello!/);
    expect(out).toContain('Save with these values');
    // Filled in field by field, each prompt has the current value as its default and says how to clear it.
    const filled = await session.run(asTyped(`edit ${configId}`, {}));
    expect(filled).toContain('Remark [spring fair]');
    expect(filled).toContain('Members [zhangsan]');
    expect(filled).toContain('Type - to clear it; empty keeps it.');
    expect(out).toContain('Nothing changed');
    expect(updates().length).toBe(before);
  });

  it('GIVEN - typed for the remark THEN WeCom gets remark "" and nothing else, and the record no longer has one', async () => {
    const before = updates().length;
    const out = await session.run(asTyped(`edit ${configId}`, { remark: '-' }));
    expect(out).toContain(`Updated ${configId}`);
    expect(updates().slice(before)).toEqual([{ config_id: configId, remark: '' }]);
    const record = await createRecordStore(session.core.keyv).get(configId);
    expect(record?.request.remark).toBe('');
    expect(record?.welcome).toBe('Hello!');
  });

  it('GIVEN - typed for the welcome message THEN it is removed from the record and WeCom hears nothing', async () => {
    const before = updates().length;
    const out = await session.run(asTyped(`edit ${configId}`, { welcome: '-' }));
    expect(out).toContain(`Updated ${configId}`);
    expect(updates().length).toBe(before);
    expect((await createRecordStore(session.core.keyv).get(configId))?.welcome).toBeUndefined();
  });

  it('GIVEN - typed for the state THEN it is refused with why, and asked again', async () => {
    const before = updates().length;
    const lines = asTyped(`edit ${configId}`, { state: '-' });
    // Refused as soon as it is typed, by its label, and only that field is asked again: `autumn` answers it.
    const at = lines.indexOf('-') + 1;
    const out = await session.run([...lines.slice(0, at), 'autumn', ...lines.slice(at)]);
    expect(out).toContain('✗ State (channel tag): can be changed but not cleared');
    expect(updates().slice(before)).toEqual([
      { config_id: configId, state: expect.stringMatching(/^autumn~/) },
    ]);
  });
});
