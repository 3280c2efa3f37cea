import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { types as slack } from '@slack/bolt';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderReply as renderConsole } from '../../adapters/console/render.js';
import { visibleLines } from '../../adapters/console/visible.js';
import { renderReply as renderDiscord } from '../../adapters/discord/render-reply.js';
import { escapeText } from '../../adapters/discord/text.js';
import { replyToBlocks } from '../../adapters/slack/render-reply.js';
import { resultView } from '../../adapters/slack/render-status-view.js';
import { escapeMrkdwn } from '../../adapters/slack/text.js';
import { errorReply, type Reply } from '../../commands/index.js';
import { asContactwayError, ValidationError, WecomError } from '../../src/base/errors.js';
import { LOCALES, type Locale, say } from '../../src/base/i18n.js';
import { type ErrorCase, everyError } from '../fixtures/every-error.js';

/**
 * Issue 19 item 1: an error is shown whole on every platform. Each error the code can raise becomes the reply
 * the flow shows (errorReply), in both languages, and goes through Slack's, Discord's and the console's
 * renderers: its whole text (WeCom's errcode, the admin-console path included) must be there, and every
 * platform text must be within that platform's limit, so nothing is cut by us or refused by the platform.
 */

let cases: ErrorCase[];
beforeAll(async () => {
  cases = await everyError();
});

/** What the requester must read: the error's text, or each invalid field's message. */
function messagesOf(error: unknown, locale: Locale): string[] {
  const known = asContactwayError(error);
  if (known instanceof ValidationError) return known.issues.map((i) => say(i.message, locale));
  return [say(known.human, locale)];
}

/** Whitespace is where a long text may be split into several blocks; the words must all be there. */
const squeeze = (text: string) => text.replace(/\s+/g, '');

// Slack's Block Kit limits (/work/shared/chat-platforms.md).
function slackTexts(blocks: slack.KnownBlock[]): { header: string[]; body: string } {
  expect(blocks.length).toBeLessThanOrEqual(50);
  const header: string[] = [];
  const body: string[] = [];
  for (const block of blocks) {
    if (block.type === 'header') {
      expect(block.text.text.length).toBeLessThanOrEqual(150);
      header.push(block.text.text);
    }
    if (block.type === 'section') {
      if (block.text) {
        expect(block.text.text.length).toBeLessThanOrEqual(3000);
        body.push(block.text.text);
      }
      for (const field of block.fields ?? []) {
        expect(field.text.length).toBeLessThanOrEqual(2000);
        body.push(field.text);
      }
    }
  }
  return { header, body: body.join('\n') };
}

function expectWholeOnSlack(reply: Reply, messages: string[], locale: Locale): void {
  for (const blocks of [replyToBlocks(reply, { locale }), resultView('New QR', reply, { locale }).blocks]) {
    const { header, body } = slackTexts(blocks as slack.KnownBlock[]);
    expect(header).toHaveLength(1);
    for (const message of messages) {
      const escaped = message.split('\n').map(escapeMrkdwn).join('\n');
      expect(squeeze(body)).toContain(squeeze(escaped));
    }
  }
}

function expectWholeOnDiscord(reply: Reply, messages: string[], locale: Locale): void {
  const { embeds, content } = renderDiscord(reply, { locale });
  expect(content.length).toBeLessThanOrEqual(2000);
  expect(embeds.length).toBeLessThanOrEqual(10);
  let total = 0;
  const texts: string[] = [];
  for (const embed of embeds.map((e) => e.toJSON())) {
    expect((embed.title ?? '').length).toBeLessThanOrEqual(256);
    expect((embed.description ?? '').length).toBeLessThanOrEqual(4096);
    total += (embed.title ?? '').length + (embed.description ?? '').length;
    texts.push(embed.description ?? '');
    for (const field of embed.fields ?? []) {
      expect(field.value.length).toBeLessThanOrEqual(1024);
      total += field.name.length + field.value.length;
      texts.push(field.value);
    }
  }
  expect(total).toBeLessThanOrEqual(6000);
  for (const message of messages) expect(squeeze(texts.join('\n'))).toContain(squeeze(escapeText(message)));
}

function expectWholeOnConsole(reply: Reply, messages: string[]): void {
  const printed = renderConsole(reply);
  for (const message of messages)
    expect(squeeze(printed)).toContain(squeeze(visibleLines(message).join('\n')));
}

describe('every error, whole on every platform', () => {
  it('GIVEN every error in both languages THEN Slack, the Slack modal, Discord and the console show its whole text', () => {
    for (const { name, error } of cases) {
      for (const locale of LOCALES) {
        const reply = errorReply(error, locale);
        const messages = messagesOf(error, locale);
        try {
          expectWholeOnSlack(reply, messages, locale);
          expectWholeOnDiscord(reply, messages, locale);
          expectWholeOnConsole(reply, messages);
        } catch (failure) {
          throw new Error(`${name} (${locale}): ${(failure as Error).message}`);
        }
      }
    }
  });

  it('GIVEN a WeCom error THEN its errcode is in what Slack and Discord show', () => {
    const wecom = cases.filter((c) => c.error instanceof WecomError);
    expect(wecom.length).toBeGreaterThan(40);
    for (const { error } of wecom) {
      const { errcode } = error as WecomError;
      const slackBody = slackTexts(replyToBlocks(errorReply(error, 'en'), { locale: 'en' })).body;
      expect(slackBody).toContain(`(WeCom errcode ${errcode} on externalcontact/add_contact_way)`);
      const discord = renderDiscord(errorReply(error, 'zh'), { locale: 'zh' }).embeds[0]?.toJSON();
      expect(discord?.description).toContain(`企业微信错误码 ${errcode}`);
    }
  });

  it('GIVEN any error THEN its title is short and fixed by its kind, never the message itself', () => {
    for (const { error } of cases) {
      for (const locale of LOCALES) {
        const reply = errorReply(error, locale);
        expect(reply.title.length).toBeLessThanOrEqual(60);
        for (const message of messagesOf(error, locale)) expect(reply.title).not.toBe(message);
      }
    }
  });

  it('GIVEN a body longer than one block THEN it goes on in further blocks, nothing clipped', () => {
    const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
    const long = (text: string): Reply => ({ status: 'error', title: 'Long', text, facts: [], actions: [] });
    // Two lines of ~6900 characters: each goes on over several sections of at most 3000.
    const slackReply = long(`${words(800)}\n\n${words(800)}`);
    const { body } = slackTexts(replyToBlocks(slackReply, { locale: 'en' }));
    expect(squeeze(body) === squeeze(slackReply.text ?? '')).toBe(true);
    expect(replyToBlocks(slackReply, { locale: 'en' }).filter((b) => b.type === 'section').length).toBe(6);
    // ~4700 characters: more than one embed's description, within one message.
    const discordReply = long(words(600));
    expectWholeOnDiscord(discordReply, [discordReply.text ?? ''], 'en');
    expect(renderDiscord(discordReply, { locale: 'en' }).embeds).toHaveLength(2);
  });

  it('GIVEN the source THEN every error code it can raise is among the cases above', () => {
    const shown = new Set(
      cases.map((c) => asContactwayError(c.error).code.replace(/^wecom\.-?\d+$/, 'wecom.N')),
    );
    const raised = new Set<string>();
    for (const file of sourceFiles(['src', 'commands', 'adapters'])) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:new ContactwayError\(|super\()\s*'([a-z_.]+)'/g)) raised.add(m[1]!);
    }
    // The codes the error classes take as arguments, listed in their types.
    const tree = readFileSync('src/base/errors.ts', 'utf8');
    for (const m of tree.matchAll(/'((?:callback|wecom)\.[a-z_]+)'/g)) raised.add(m[1]!);
    raised.add('wecom.N');
    expect([...raised].filter((code) => !shown.has(code))).toEqual([]);
  });
});

function sourceFiles(dirs: string[]): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) out.push(...sourceFiles([path]));
      else if (path.endsWith('.ts')) out.push(path);
    }
  }
  return out;
}
