import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTyped } from '../../fixtures/console-lines.js';
import { type ConsoleSession, startConsoleSession } from '../../fixtures/console-session.js';

/**
 * Issue 21 item 7, "an unreachable link": with LINK_CHECK on, a card whose link does not work is refused on its
 * field before WeCom hears of it, on creation and on edit; a working link goes through.
 */
describe('console: link cards whose link does not work', () => {
  let session: ConsoleSession;
  let server: Server;
  let site = '';
  const adds = () => session.core.sandbox?.received('add_contact_way') ?? [];
  const updates = () => session.core.sandbox?.received('update_contact_way') ?? [];

  beforeAll(async () => {
    server = createServer((req, res) => res.writeHead(req.url === '/hours' ? 200 : 404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    site = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // `any`: the test's site is on loopback, which `public` (the real default) refuses.
    session = await startConsoleSession({ LINK_CHECK: 'any' });
  });

  afterAll(async () => {
    await session?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('GIVEN a closing link to a missing page THEN the link field says so and nothing is created; a working one is sent', async () => {
    const before = adds().length;
    const refused = await session.run(
      asTyped('temp zhangsan', { closing_link: `Hours | ${site}/old-hours` }),
    );
    expect(refused).toMatch(
      /closing_link: the link .*\/old-hours does not work for customers: is not there \(HTTP 404\)/,
    );
    expect(adds().length).toBe(before);
    const made = await session.run(asTyped('temp zhangsan', { closing_link: `Hours | ${site}/hours` }));
    expect(made).toMatch(/config_id\s+[0-9a-f]{32}/);
    expect(adds().at(-1)?.conclusions).toMatchObject({ link: { url: `${site}/hours` } });
  });

  it('GIVEN an edit adding a welcome link to a missing page THEN refused on that field, WeCom not called', async () => {
    const made = await session.run(asTyped('new', { user: 'lisi' }));
    const configId = /config_id\s+([0-9a-f]{32})/.exec(made)?.[1] ?? '';
    expect(configId, made).not.toBe('');
    const before = updates().length;
    const refused = await session.run(asTyped(`edit ${configId}`, { welcome_links: `Map | ${site}/map` }));
    expect(refused).toMatch(/the link .*\/map does not work for customers/);
    expect(updates().length).toBe(before);
  });
});
