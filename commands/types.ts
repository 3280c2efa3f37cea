import type { Bilingual, Locale } from '../src/base/i18n.js';
import type { CommandObserver } from '../src/ops/index.js';
import type { ContactWayService } from '../src/service/contact-way-service.js';
import type { Requester } from '../src/store/index.js';
import type { RichInput } from '../src/store/message-content.js';
import type { FieldSpec, FileSource, FormValues, Reply } from '../src/ui/model.js';
import type { AddContactWayRequest } from '../src/wecom/schemas.js';

/** The neutral model (forms, replies) lives in src/ui/model.ts, below every folder that builds or renders it. */
export type {
  FieldError,
  FieldKind,
  FieldSpec,
  Form,
  FormField,
  FormValues,
  Reply,
  ReplyAction,
  ReplyFact,
} from '../src/ui/model.js';

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
  /** The IANA zone times are shown in: the requester's own where the platform tells it, else DEFAULT_TIMEZONE. */
  timeZone: string;
  /**
   * The zone the requester's platform gave (Slack's profile `tz`), when it gave one: remembered on the ways
   * they create, for notifications. Undefined where the zone is only DEFAULT_TIMEZONE.
   */
  ownTimeZone?: string | undefined;
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
  /** Fetches what a submitted `file` field refers to; absent where the platform sent no file field. */
  files?: FileSource;
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

/** Another command's form, prefilled: what an opening command (`again`) opens. */
export interface FormOpening {
  /** The command whose form opens, and its arguments (checked like typed ones). */
  command: string;
  args: Record<string, string>;
  /** The form's fields as they open, by field id, as a person would type them. */
  values: Record<string, string>;
}

/** A command that needs nothing but its arguments. */
export interface PlainCommand<Args extends ArgValues> extends CommandInfo<Args> {
  form?: undefined;
  parseForm?: undefined;
  /**
   * Where the platform can open a form, the flow opens this one instead of running the command (`again`).
   * It reads the store, never WeCom: it runs before a form that must open within ~3 s.
   */
  opens?: (ctx: CommandContext, args: Args) => Promise<FormOpening>;
  /** Does the work. */
  run: (ctx: CommandContext, args: Args) => Promise<Reply>;
}

/** What a form's `current` reads with: the service, as the requester (whose ways only it may read). */
export interface CurrentContext {
  service: ContactWayService;
  requester: Requester;
}

/** A command that opens a form: its values are read into `Input`, which is exactly what `run` takes. */
export interface FormCommand<Args extends ArgValues, Input> extends CommandInfo<Args> {
  /**
   * Pure and synchronous: adapters open it first. The same for every invocation, so platforms can register it
   * ahead of any (Discord's slash options).
   */
  form: () => FieldSpec[];
  formTitle?: Bilingual;
  /** The submit button's text; "Create" when unset. */
  submitLabel?: Bilingual;
  /**
   * The values the form opens with instead of its defaults (an edit's current values), read just before it
   * opens: the flow gives up on a slow read and opens the form with its defaults and a notice.
   */
  current?: (ctx: CurrentContext, args: Args) => Promise<FormValues>;
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
  /** The closing card and welcome attachments, resolved by the service (mini-program presets). */
  rich?: RichInput;
  /** The `image` field's file reference; fetched, checked and uploaded when the command runs. */
  closingImage?: string;
  /** The `welcome_image` field's file reference; fetched and checked when the command runs. */
  welcomeImage?: string;
  /** `again`: the earlier way whose images are reused (those not attached anew nor removed). */
  imagesFrom?: { configId: string; closing: boolean; welcome: boolean };
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
  submitLabel?: Bilingual | undefined;
  current?: ((ctx: CurrentContext, args: ArgValues) => Promise<FormValues>) | undefined;
  parseForm?: (args: ArgValues, values: FormValues) => ParsedForm;
  /** The form the flow opens instead of running the command (see PlainCommand). */
  opens?: ((ctx: CommandContext, args: ArgValues) => Promise<FormOpening>) | undefined;
  /** Does the work; a command with a form needs the ParsedForm its own parseForm returned. */
  run: (ctx: CommandContext, args: ArgValues, form?: ParsedForm) => Promise<Reply>;
}
