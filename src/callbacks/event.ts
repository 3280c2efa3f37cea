import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { malformedCallback } from '../base/errors.js';

/**
 * What WeCom posts and what is inside it (reference §1, §3; document 96361, self-built format). Every value is
 * kept as text (`parseTagValue: false`): an ExternalUserID or a State made of digits must not become a number.
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // A DOCTYPE has no business in a WeCom body; entity expansion is the classic XML bomb.
  processEntities: false,
});

/** The ChangeTypes of `change_external_contact` we know (document 92130/96361). */
export const CHANGE_TYPES = [
  'add_external_contact',
  'add_half_external_contact',
  'edit_external_contact',
  'del_external_contact',
  'del_follow_user',
  'transfer_fail',
] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** The ChangeTypes that mean "a customer came in" and may carry a WelcomeCode. */
export const ADD_CHANGE_TYPES: ReadonlySet<ChangeType> = new Set([
  'add_external_contact',
  'add_half_external_contact',
]);

const id = (max: number) => z.string().min(1).max(max);

/** The decrypted `change_external_contact` event, as WeCom sends it. */
export const contactEventXmlSchema = z.looseObject({
  ToUserName: z.string().max(128).optional(),
  CreateTime: z.string().regex(/^\d{1,12}$/),
  MsgType: z.literal('event'),
  Event: z.literal('change_external_contact'),
  ChangeType: z.enum(CHANGE_TYPES),
  UserID: id(64),
  ExternalUserID: id(128),
  State: z.string().max(128).optional(),
  WelcomeCode: z.string().max(512).optional(),
  /** del_external_contact: who deleted (e.g. DELETE_BY_TRANSFER). */
  Source: z.string().max(64).optional(),
  /** transfer_fail: why (customer_refused, customer_limit_exceed). */
  FailReason: z.string().max(64).optional(),
});

/** A customer-contact event, with WeCom's field names turned into ours. Plain data: it is stored as is. */
export const contactEventSchema = z.object({
  changeType: z.enum(CHANGE_TYPES),
  corpId: z.string().optional(),
  userId: id(64),
  externalUserId: id(128),
  /** Unix seconds, WeCom's clock. */
  createTime: z.number().int().nonnegative(),
  state: z.string().optional(),
  welcomeCode: z.string().optional(),
  source: z.string().optional(),
  failReason: z.string().optional(),
});
export type ContactEvent = z.infer<typeof contactEventSchema>;

/** What a decrypted callback turned out to be. */
export type CallbackMessage =
  | { kind: 'contact'; event: ContactEvent }
  /** Anything else WeCom may send to the same URL: accepted, logged, ignored. */
  | {
      kind: 'ignored';
      msgType: string | undefined;
      event: string | undefined;
      changeType: string | undefined;
    };

/**
 * The decrypted message. Known customer-contact events are checked strictly (their fields are our dedupe key);
 * every other event or message kind is `ignored`, never an error: WeCom would only retry it.
 */
export function parseCallbackMessage(plaintext: string): CallbackMessage {
  const root = (parseXml(plaintext) as { xml?: unknown }).xml;
  if (typeof root !== 'object' || root === null)
    throw malformedCallback('the decrypted message is not <xml>');
  const fields = root as Record<string, unknown>;
  const text = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : undefined);
  const changeType = text('ChangeType');
  if (
    text('Event') !== 'change_external_contact' ||
    !(CHANGE_TYPES as readonly string[]).includes(changeType ?? '')
  ) {
    return { kind: 'ignored', msgType: text('MsgType'), event: text('Event'), changeType };
  }
  const parsed = contactEventXmlSchema.safeParse(fields);
  if (!parsed.success) {
    // Paths only: the values are personal data.
    throw malformedCallback(
      `the ${changeType} event lacks ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  const x = parsed.data;
  return {
    kind: 'contact',
    event: definedOnly({
      changeType: x.ChangeType,
      corpId: x.ToUserName,
      userId: x.UserID,
      externalUserId: x.ExternalUserID,
      createTime: Number(x.CreateTime),
      state: x.State || undefined,
      welcomeCode: x.WelcomeCode || undefined,
      source: x.Source || undefined,
      failReason: x.FailReason || undefined,
    }),
  };
}

/** The decrypted XML WeCom sends for a customer-contact event: what the sandbox encrypts and tests post. */
export function contactEventXml(event: ContactEvent): string {
  const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
  const tag = (name: string, value: string | undefined) =>
    value === undefined ? '' : `<${name}>${cdata(value)}</${name}>`;
  return [
    '<xml>',
    tag('ToUserName', event.corpId),
    tag('FromUserName', 'sys'),
    `<CreateTime>${event.createTime}</CreateTime>`,
    tag('MsgType', 'event'),
    tag('Event', 'change_external_contact'),
    tag('ChangeType', event.changeType),
    tag('UserID', event.userId),
    tag('ExternalUserID', event.externalUserId),
    tag('State', event.state),
    tag('WelcomeCode', event.welcomeCode),
    tag('Source', event.source),
    tag('FailReason', event.failReason),
    '</xml>',
  ].join('');
}

function parseXml(text: string): unknown {
  try {
    return parser.parse(text, true);
  } catch {
    throw malformedCallback('the body is not well-formed XML');
  }
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
