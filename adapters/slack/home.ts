import type { App, BlockButtonAction, types as slack, webApi } from '@slack/bolt';
import { clip } from '../../src/base/text.js';
import type { HomeView, HomeWay } from '../../src/chat/port.js';
import { type AskerDeps, askerOf } from './asker.js';
import { runFromAnywhere } from './open-from-anywhere.js';
import { buttons } from './render-reply.js';
import { slackRequester, slackRequesterOf } from './requester.js';
import type { AnyAck } from './surface.js';
import { escapeMrkdwn } from './text.js';

/** The action id of the home's "New … QR" buttons; the command to run is the button's value. */
export const OPEN_FORM_ACTION_ID = 'contactway.open';
/** What those buttons may run: the commands whose forms the home offers. */
const OPENABLE = new Set(['temp', 'new']);

// A home view holds at most 100 blocks; each way takes two (its text, its buttons).
const MAX_WAYS = 25;
const MAX_AUDIT = 10;
const SECTION_TEXT_MAX = 3000;
const HEADER_MAX = 150;
const BUTTON_TEXT_MAX = 75;

/**
 * A neutral home as the App Home tab: the "New temporary QR" / "New permanent QR" buttons, the requester's
 * ways newest first (expired ones marked) each with Show and Delete (the same buttons as under a reply, so
 * the same listener runs them), then the latest audit entries for admins. Pure.
 */
export function homeToSlackView(home: HomeView): slack.HomeView {
  const blocks: slack.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(home.title, HEADER_MAX), emoji: true } },
  ];
  if (home.create.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: 'create',
      elements: home.create.map((c, i) => ({
        type: 'button',
        action_id: `${OPEN_FORM_ACTION_ID}.${c.command}`,
        text: { type: 'plain_text', text: clip(c.label, BUTTON_TEXT_MAX), emoji: true },
        value: c.command,
        ...(i === 0 ? { style: 'primary' as const } : {}),
      })),
    });
  }
  blocks.push({ type: 'divider' });
  if (home.notice) blocks.push(section(`⚠️ ${escapeMrkdwn(home.notice)}`));
  else blocks.push(section(`*${escapeMrkdwn(home.waysTitle)}*`));
  for (const way of home.ways.slice(0, MAX_WAYS)) blocks.push(...wayBlocks(way));
  if (home.footer)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(home.footer) }] });
  if (home.audit) {
    blocks.push({ type: 'divider' }, section(`*${escapeMrkdwn(home.audit.title)}*`));
    const lines = home.audit.lines.slice(0, MAX_AUDIT).map((l) => `• ${escapeMrkdwn(l)}`);
    if (lines.length > 0) blocks.push(section(lines.join('\n')));
  }
  return { type: 'home', blocks };
}

function wayBlocks(way: HomeWay): slack.KnownBlock[] {
  const mark = way.expired ? '⌛ ' : '';
  const text = `${mark}*${escapeMrkdwn(way.title)}*\n${escapeMrkdwn(way.text)}`;
  const elements = buttons(way.actions);
  return [
    section(text),
    ...(elements.length > 0
      ? [{ type: 'actions' as const, block_id: `way.${way.configId}`.slice(0, 255), elements }]
      : []),
  ];
}

function section(text: string): slack.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, SECTION_TEXT_MAX) } };
}

/** How many Home viewers this process remembers for refreshes. */
const MAX_VIEWERS = 10_000;

/**
 * The App Home: published when the requester opens it, and again after each change they make on Slack
 * (a creation, an edit, a deletion, by any path), so it never shows a deleted way. Its buttons open the
 * forms like `/contactway temp` and `/contactway new`.
 */
export function registerHome(app: App, deps: AskerDeps): void {
  // Who has opened the Home tab here: only they are republished after a change. Everyone else gets a fresh
  // Home when they open it (Slack sends app_home_opened every time), so a creation costs no Slack call and no
  // store reads for a tab nobody looks at. Bounded, oldest first out.
  const viewers = new Set<string>();
  const viewerKey = (r: { workspaceId: string; userId: string }) => `${r.workspaceId}:${r.userId}`;
  const remember = (key: string) => {
    viewers.delete(key);
    viewers.add(key);
    if (viewers.size > MAX_VIEWERS) viewers.delete(viewers.values().next().value as string);
  };

  async function publish(client: webApi.WebClient, requester: { workspaceId: string; userId: string }) {
    const asker = askerOf(deps, slackRequester(requester.workspaceId, requester.userId));
    try {
      const home = await deps.port.flow.home({
        actor: asker.actor,
        locale: asker.locale,
        later: asker.later,
        limits: { ways: MAX_WAYS, audit: MAX_AUDIT },
      });
      await client.views.publish({ user_id: requester.userId, view: homeToSlackView(home) });
    } catch (error) {
      deps.port.logger.warn({ err: error }, 'Slack App Home could not be published');
    }
  }

  app.event('app_home_opened', async ({ event, body, client, context }) => {
    if (event.tab !== 'home') return;
    const requester = slackRequesterOf(body, { ...context, userId: event.user });
    remember(viewerKey(requester));
    await publish(client, requester);
  });

  deps.port.flow.onChange((requester) => {
    if (requester.platform !== 'slack' || !viewers.has(viewerKey(requester))) return;
    void publish(app.client, requester);
  });

  app.action<BlockButtonAction>(
    { type: 'block_actions', action_id: new RegExp(`^${OPEN_FORM_ACTION_ID.replace('.', '\\.')}\\.`) },
    async ({ ack, body, action, client, context }) => {
      const text = action.value ?? '';
      if (!OPENABLE.has(text)) {
        await ack();
        return;
      }
      await runFromAnywhere(deps, {
        body,
        context,
        client,
        ack: ack as AnyAck,
        user: { id: body.user.id, name: body.user.username ?? body.user.name },
        triggerId: body.trigger_id,
        text,
      });
    },
  );
}
