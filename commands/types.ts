import type { Bilingual, Locale } from '../src/i18n.js';
import type { CommandObserver } from '../src/ops/index.js';
import type { ContactWayService } from '../src/service/contact-way-service.js';
import type { QrImage } from '../src/service/fetch-qr.js';
import type { Requester } from '../src/store/index.js';

/**
 * The neutral model every adapter renders. Commands speak only in these plain-data types; Slack turns a
 * Form into a Block Kit modal, Discord into a modal with Label components, the console into prompts.
 */

/** How a field is typed and so which widget suits it. Every value travels as text (see FormValues). */
export type FieldKind =
  | 'text'
  | 'multiline'
  | 'number'
  | 'duration'
  | 'boolean'
  | 'choice'
  | 'members'
  | 'departments';

export interface FieldSpec {
  /** Stable id; for WeCom fields it is WeCom's own key (`expires_in`), so validation paths map 1:1. */
  id: string;
  kind: FieldKind;
  label: Bilingual;
  help: Bilingual;
  /** The value the form opens with, as a person would type it (`7d`, `true`, `zhangsan,lisi`); '' = empty. */
  default: string;
  /** May be left empty. Fields with a default are optional too: the default is already filled in. */
  optional: boolean;
  /** Longest text the widget should accept, in characters. */
  maxLength?: number;
  /** Bounds for number fields, and for duration fields in seconds. */
  min?: number;
  max?: number;
  /** Choices for `choice` fields. */
  options?: { value: string; label: Bilingual }[];
  placeholder?: Bilingual;
}

/** A field as an adapter renders it: texts already in the requester's language. */
export interface FormField extends Omit<FieldSpec, 'label' | 'help' | 'options' | 'placeholder'> {
  label: string;
  help: string;
  placeholder?: string;
  options?: { value: string; label: string }[];
}

export interface Form {
  /** The command the form belongs to; submitted back with the values. */
  command: string;
  /** The command's parsed arguments, carried through the form (Slack private_metadata, Discord custom_id). */
  args: Record<string, string>;
  title: string;
  submit: string;
  fields: FormField[];
}

/** Submitted values by field id, always as text: `'true'`/`'false'` for booleans, comma lists for lists. */
export type FormValues = Record<string, string | undefined>;

/** One invalid field, in the requester's language. */
export interface FieldError {
  field: string;
  message: string;
}

export interface ReplyFact {
  label: string;
  value: string;
}

/**
 * A button under a reply. Adapters encode `kind` + `configId` (+ `customer` for close) in the platform's
 * action id, or keep them in the flow's state store when the platform's id is too short.
 */
export interface ReplyAction {
  kind: 'show' | 'delete' | 'close';
  label: string;
  configId: string;
  /** close: the customer whose session with the way's member ends (external_userid). */
  customer?: string;
  danger?: boolean;
  /** Asked before the action runs (Slack confirm dialog; Discord and console ask in their own way). */
  confirm?: { title: string; text: string; yes: string; no: string };
}

export interface Reply {
  status: 'ok' | 'error' | 'info';
  title: string;
  /** The contact way this reply is about, when there is one (file names, button ids). */
  configId?: string;
  /** Body text; may hold several lines. */
  text?: string;
  facts: ReplyFact[];
  /** The QR: the image bytes when we could fetch them, and always the URL to fall back to. */
  qr?: { image?: QrImage; url?: string; alt: string };
  actions: ReplyAction[];
  fieldErrors?: FieldError[];
}

export interface ArgSpec {
  name: string;
  label: Bilingual;
  required: boolean;
  /**
   * Required, but may be left out when the policy maps the requester to a WeCom userid (USER_MAP): platforms
   * with typed options (Discord) must then declare it optional and let the command check it.
   */
  mappedFromRequester?: boolean;
  /** Checks the value as soon as the command is parsed, before any form opens. */
  check?: (value: string) => void;
}

export interface CommandContext {
  requester: Requester;
  locale: Locale;
  service: ContactWayService;
  /** The bot runs on the WeCom sandbox: every QR says so. */
  sandbox: boolean;
  /** What the platform says about the requester's roles (Discord role ids), for the access policy. */
  roles?: string[];
  /**
   * Identifies this submission (Slack view id, Discord interaction id): the same key twice creates one
   * contact way, so a retried request or a double click is harmless.
   */
  idempotencyKey?: string;
  /** Sees each run (the core's metrics and log line); adapters pass `core.ops.commands`. */
  observer?: CommandObserver;
}

/** One command: its arguments, its form (if it needs one), how to read the form, and what it does. */
export interface Command {
  name: string;
  summary: Bilingual;
  args: ArgSpec[];
  /** Present when the command needs more than its arguments. Pure and synchronous: adapters open it first. */
  form?: (args: Record<string, string>) => FieldSpec[];
  formTitle?: Bilingual;
  /** Reads and checks submitted values (synchronously, for Slack's inline errors); throws ValidationError. */
  parseForm?: (args: Record<string, string>, values: FormValues) => unknown;
  /** Does the work. `input` is what parseForm returned. */
  run: (ctx: CommandContext, args: Record<string, string>, input: unknown) => Promise<Reply>;
}
