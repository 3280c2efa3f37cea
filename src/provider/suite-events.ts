import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { malformedCallback } from '../base/errors.js';
import { CHANGE_TYPES, type ContactEvent } from '../callbacks/event.js';
import type { ReceivedMessage } from '../callbacks/receiver.js';

/**
 * What WeCom posts to the 指令回调 URL (/wecom/suite), decrypted (doc §1.2, §1.8; documents 90628, 90642,
 * 97175): `<xml><SuiteId/><InfoType/><TimeStamp/>…</xml>`. Values stay text (`parseTagValue: false`).
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false,
});

const text = (max: number) => z.string().min(1).max(max);
const timestamp = z
  .string()
  .regex(/^\d{1,12}$/)
  .transform(Number);

const schemas = {
  suite_ticket: z.looseObject({ SuiteId: text(64), TimeStamp: timestamp, SuiteTicket: text(512) }),
  create_auth: z.looseObject({
    SuiteId: text(64),
    TimeStamp: timestamp,
    AuthCode: text(512),
    State: z.string().max(128).optional(),
  }),
  reset_permanent_code: z.looseObject({ SuiteId: text(64), TimeStamp: timestamp, AuthCode: text(512) }),
  change_auth: z.looseObject({
    SuiteId: text(64),
    TimeStamp: timestamp,
    AuthCorpId: text(128),
    State: z.string().max(128).optional(),
  }),
  cancel_auth: z.looseObject({ SuiteId: text(64), TimeStamp: timestamp, AuthCorpId: text(128) }),
  // A third-party app's customer events arrive here, not on the data URL (doc §1.10, document 92277).
  change_external_contact: z.looseObject({
    SuiteId: text(64),
    TimeStamp: timestamp,
    AuthCorpId: text(128),
    ChangeType: z.enum(CHANGE_TYPES),
    UserID: text(64),
    ExternalUserID: text(128),
    State: z.string().max(128).optional(),
    WelcomeCode: z.string().max(512).optional(),
    Source: z.string().max(64).optional(),
    FailReason: z.string().max(64).optional(),
  }),
};

export type SuiteEvent =
  | { infoType: 'suite_ticket'; suiteId: string; timestamp: number; ticket: string }
  | { infoType: 'create_auth'; suiteId: string; timestamp: number; authCode: string; state?: string }
  | { infoType: 'reset_permanent_code'; suiteId: string; timestamp: number; authCode: string }
  | { infoType: 'change_auth'; suiteId: string; timestamp: number; authCorpId: string; state?: string }
  | { infoType: 'cancel_auth'; suiteId: string; timestamp: number; authCorpId: string }
  | {
      infoType: 'change_external_contact';
      suiteId: string;
      timestamp: number;
      authCorpId: string;
      /** In today's event type: the same pipeline as /wecom/callback's (dedupe, attribution, welcome). */
      contact: ContactEvent;
    };

export type InfoType = SuiteEvent['infoType'];

/**
 * The decrypted message. The five InfoTypes contactway acts on are checked strictly; every other one (the
 * directory's change_contact, customer events the InfoType way…) is `ignored`, answered `success`.
 */
export function parseSuiteMessage(plain: string): ReceivedMessage<SuiteEvent> {
  let root: unknown;
  try {
    root = (parser.parse(plain, true) as { xml?: unknown }).xml;
  } catch {
    throw malformedCallback('the body is not well-formed XML');
  }
  if (typeof root !== 'object' || root === null)
    throw malformedCallback('the decrypted message is not <xml>');
  const fields = root as Record<string, unknown>;
  const infoType = typeof fields.InfoType === 'string' ? fields.InfoType : undefined;
  if (!infoType || !(infoType in schemas)) return { kind: 'ignored', event: infoType };
  const parsed = schemas[infoType as InfoType].safeParse(fields);
  if (!parsed.success) {
    // Paths only: a ticket or an auth code is a credential.
    throw malformedCallback(
      `the ${infoType} message lacks ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  const x = parsed.data as Record<string, unknown> & { SuiteId: string; TimeStamp: number };
  const base = { suiteId: x.SuiteId, timestamp: x.TimeStamp };
  const state = typeof x.State === 'string' && x.State !== '' ? { state: x.State } : {};
  switch (infoType as InfoType) {
    case 'suite_ticket':
      return { kind: 'suite', event: { infoType: 'suite_ticket', ...base, ticket: String(x.SuiteTicket) } };
    case 'create_auth':
      return {
        kind: 'suite',
        event: { infoType: 'create_auth', ...base, authCode: String(x.AuthCode), ...state },
      };
    case 'reset_permanent_code':
      return {
        kind: 'suite',
        event: { infoType: 'reset_permanent_code', ...base, authCode: String(x.AuthCode) },
      };
    case 'change_auth':
      return {
        kind: 'suite',
        event: { infoType: 'change_auth', ...base, authCorpId: String(x.AuthCorpId), ...state },
      };
    case 'cancel_auth':
      return { kind: 'suite', event: { infoType: 'cancel_auth', ...base, authCorpId: String(x.AuthCorpId) } };
    case 'change_external_contact':
      return { kind: 'suite', event: contactOf(x, base) };
  }
}

function contactOf(
  x: Record<string, unknown>,
  base: { suiteId: string; timestamp: number },
): SuiteEvent & { infoType: 'change_external_contact' } {
  const optional = (key: string) =>
    typeof x[key] === 'string' && x[key] !== '' ? (x[key] as string) : undefined;
  const authCorpId = String(x.AuthCorpId);
  const contact = Object.fromEntries(
    Object.entries({
      changeType: x.ChangeType as ContactEvent['changeType'],
      corpId: authCorpId,
      userId: String(x.UserID),
      externalUserId: String(x.ExternalUserID),
      createTime: base.timestamp,
      state: optional('State'),
      welcomeCode: optional('WelcomeCode'),
      source: optional('Source'),
      failReason: optional('FailReason'),
    }).filter(([, v]) => v !== undefined),
  ) as ContactEvent;
  return { infoType: 'change_external_contact', ...base, authCorpId, contact };
}

/** The decrypted XML WeCom sends for a suite event: what tests and the sandbox encrypt and post. */
export function suiteEventXml(event: SuiteEvent): string {
  const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
  const tag = (name: string, value: string | undefined) =>
    value === undefined ? '' : `<${name}>${cdata(value)}</${name}>`;
  const e = event as Partial<Record<'ticket' | 'authCode' | 'authCorpId' | 'state', string>>;
  const c = event.infoType === 'change_external_contact' ? event.contact : undefined;
  return [
    '<xml>',
    tag('SuiteId', event.suiteId),
    tag('InfoType', event.infoType),
    `<TimeStamp>${event.timestamp}</TimeStamp>`,
    tag('SuiteTicket', e.ticket),
    tag('AuthCode', e.authCode),
    tag('AuthCorpId', e.authCorpId),
    tag('State', e.state ?? c?.state),
    tag('ChangeType', c?.changeType),
    tag('UserID', c?.userId),
    tag('ExternalUserID', c?.externalUserId),
    tag('WelcomeCode', c?.welcomeCode),
    '</xml>',
  ].join('');
}
