import type { Bilingual, Locale } from '../src/i18n.js';
import type { CommandObserver } from '../src/ops/index.js';
import type { ContactWayService } from '../src/service/contact-way-service.js';
import type { QrImage } from '../src/service/fetch-qr.js';
import type { Requester } from '../src/store/index.js';
import type { AddContactWayRequest } from '../src/wecom/schemas.js';

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
  /** One WeCom member (a picker where the platform has one); the value is the userid. */
  | 'member'
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
 * A button under a reply. Commands declare what it does (`kind`, `configId`, `customer`) and the question to
 * ask first; the flow binds it to the requester it is shown to (`token`, src/chat/action-token.ts) and
 * adapters put only that token in the platform's button. `keep` is the "No" of a question the flow asked.
 */
export interface ReplyAction {
  /** `approve-link`/`decline-link`: an admin's answer to a link request, whose id `configId` carries. */
  kind: 'show' | 'delete' | 'close' | 'keep' | 'approve-link' | 'decline-link';
  label: string;
  configId: string;
  /** close: the customer whose session with the way's member ends (external_userid). */
  customer?: string;
  danger?: boolean;
  /**
   * Asked before the action runs. Left on a bound action only where the platform asks it itself (Slack's
   * confirm dialog); elsewhere the flow asks it when the button is clicked.
   */
  confirm?: { title: string; text: string; yes: string; no: string };
  /** What the button carries back (set by the flow): an action without one is not rendered as a button. */
  token?: string;
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

export interface ArgSpec<Name extends string = string> {
  name: Name;
  label: Bilingual;
  required: boolean;
  /**
   * Required, but may be left out when the policy maps the requester to a WeCom userid (USER_MAP): platforms
   * with typed options (Discord) must then declare it optional and let the command check it.
   */
  mappedFromRequester?: boolean;
  /** Checks the value as soon as the command is parsed, before any form opens. */
  check?: (value: string) => void;
  /**
   * Required, but may be left out of the command: its form then asks for it (a field with the argument's
   * name, e.g. a member picker), and the submitted value becomes the argument.
   */
  pickedInForm?: boolean;
  /** A one-word name in every language, for platforms that name arguments (Discord option names). */
  word?: Bilingual;
}

/** A command's arguments by name, as text; parsing leaves every argument a command declares present. */
export type ArgValues = Readonly<Record<string, string>>;

/** The arguments of a command that takes none. */
export type NoArgs = Record<never, string>;

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

interface CommandInfo<Args extends ArgValues> {
  name: string;
  summary: Bilingual;
  /** A one-word name in every language, for platforms that localize command names (Discord). */
  word?: Bilingual;
  /** It creates, changes or deletes contact ways: views of the requester's ways are refreshed after it. */
  changes?: boolean;
  /** In the order text gives them; each key of `Args` has its spec (all required). */
  args: readonly ArgSpec<keyof Args & string>[];
}

/** A command that needs nothing but its arguments. */
export interface PlainCommand<Args extends ArgValues> extends CommandInfo<Args> {
  form?: undefined;
  parseForm?: undefined;
  /** Does the work. */
  run: (ctx: CommandContext, args: Args) => Promise<Reply>;
}

/** A command that opens a form: its values are read into `Input`, which is exactly what `run` takes. */
export interface FormCommand<Args extends ArgValues, Input> extends CommandInfo<Args> {
  /**
   * Pure and synchronous: adapters open it first. The same for every invocation, so platforms can register it
   * ahead of any (Discord's slash options).
   */
  form: () => FieldSpec[];
  formTitle?: Bilingual;
  /** Reads and checks submitted values (synchronously, for Slack's inline errors); throws ValidationError. */
  parseForm: (args: Args, values: FormValues) => Input;
  /** Does the work with what parseForm returned. */
  run: (ctx: CommandContext, args: Args, input: Input) => Promise<Reply>;
}

/**
 * One command, typed by its arguments and, when it opens a form, by what the form is read into:
 * `Command<{ config_id: string }>` needs only its arguments, `Command<{ user: string }, CreateInput>` opens a
 * form whose values become a CreateInput.
 */
export type Command<Args extends ArgValues = ArgValues, Input = never> = [Input] extends [never]
  ? PlainCommand<Args>
  : FormCommand<Args, Input>;

/** What a creating form (temp, new) is read into: the WeCom request the service sends, and the welcome text. */
export interface CreateInput {
  request: AddContactWayRequest;
  /** Stored with the way and sent when a customer adds through it; not part of WeCom's request. */
  welcome?: string;
}

/** A form read by a command, bound to it: only the command that read it can run it. */
export interface ParsedForm {
  readonly command: string;
  /** What the command's parseForm returned; for reading, the command keeps its own typed copy. */
  readonly input: unknown;
}

/**
 * A command with its types hidden behind its name, so commands of every shape share one list (COMMANDS): the
 * form it parses comes back as a ParsedForm that only this command accepts. Made by `anyCommand`.
 */
export interface AnyCommand {
  name: string;
  summary: Bilingual;
  word?: Bilingual | undefined;
  changes?: boolean | undefined;
  args: readonly ArgSpec[];
  form?: () => FieldSpec[];
  formTitle?: Bilingual;
  parseForm?: (args: ArgValues, values: FormValues) => ParsedForm;
  /** Does the work; a command with a form needs the ParsedForm its own parseForm returned. */
  run: (ctx: CommandContext, args: ArgValues, form?: ParsedForm) => Promise<Reply>;
}
