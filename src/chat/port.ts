import type { Locale } from '../base/i18n.js';
import type { Logger } from '../base/logger.js';
import type { Viewer } from '../base/time.js';
import type { InFlight } from '../ops/in-flight.js';
import type { ChatActor } from '../service/policy.js';
import type { Requester } from '../store/index.js';
import type { FieldError, FileSource, Form, FormValues, Reply, ReplyAction } from '../ui/model.js';
import type { InteractionFlow } from './flow.js';
import type { StateStore } from './state-store.js';

/** Who is asking and each platform's access rule are the policy's words; adapters meet them here. */
export type { AccessRule, ChatActor } from '../service/policy.js';

/**
 * The port between the core and a chat adapter. An adapter receives a `ChatPort` and nothing else from the
 * core; it turns its platform's events into the flow's requests and implements a `Surface` per request
 * (how this platform answers) and one `Notifier` (how it reaches a person outside any request).
 */
export interface ChatPort {
  flow: InteractionFlow;
  /** Requests in flight, for shutdown; the flow tracks every request it handles. */
  requests: InFlight;
  logger: Logger;
  /** Short-lived state (form contexts that do not fit inline, drafts) with a TTL; never records. */
  state: StateStore;
  /** The language to use when the platform tells none. */
  defaultLocale: Locale;
  /** Registers how this platform reaches a requester outside a request. */
  registerNotifier(platform: string, notifier: Notifier): void;
  /**
   * On the embedded sandbox only: a customer scans this contact way (the encrypted add event goes to the
   * bot's callback as WeCom would send it), so a newcomer sees the whole loop without an account.
   */
  simulateScan?: (configId: string) => Promise<{ name: string; externalUserId: string; delivered: boolean }>;
}

/** What a platform may learn only after its first answer (an API call would miss its deadline). */
export interface LaterFacts {
  locale?: () => Promise<Locale>;
  /** The person's own IANA zone (Slack's profile `tz`); undefined when the platform cannot say. */
  timeZone?: () => Promise<string | undefined>;
  roles?: () => Promise<string[]>;
}

/** A form ready to open: the neutral form, the opaque state token it carries back, values to prefill. */
export interface OpenForm {
  form: Form;
  /** Goes in the platform's form (Slack private_metadata, Discord custom_id); returned on submit. */
  state: string;
  prefill: FormValues;
}

/**
 * How one request is answered on one platform. The flow decides what to answer and when; the surface only
 * renders. `openForm` must be the request's first answer (Slack's trigger_id and Discord's modal both
 * demand it), so the flow never calls `defer` before it.
 */
export interface Surface {
  /**
   * Acknowledge now, answer later (Slack ack, Discord deferred reply). Safe to call more than once.
   * `inPlace`: the answer replaces the message clicked (the answer to a question the flow asked), where the
   * platform can.
   */
  defer(options?: { inPlace?: boolean }): Promise<void>;
  /**
   * Acknowledge receipt where that leaves every answer open (Slack's empty ack, after which a modal still
   * opens with the trigger_id), so nothing the flow awaits runs into the platform's ack deadline. A no-op
   * where acknowledging is deferring (Discord: a deferred reply rules out a modal).
   */
  acknowledge(): Promise<void>;
  openForm(open: OpenForm): Promise<void>;
  /**
   * A submitted form had invalid fields. `reopen` (when set) is a state token that reopens the form
   * prefilled with what was typed, for platforms that cannot keep a form open (Discord).
   */
  showFieldErrors(errors: FieldError[], open: OpenForm, reopen: string | undefined): Promise<void>;
  /** The answer. */
  reply(reply: Reply): Promise<void>;
  /** Replaces what the request showed (an open form) with a newer form or a reply. */
  update(content: { form: OpenForm } | { reply: Reply }): Promise<void>;
  /** Declines without acting (shutting down): the person should simply try again. */
  decline(text: string): Promise<void>;
}

/** Reaches a requester outside any request: a DM on Slack and Discord, a printed line on the console. */
export interface Notifier {
  /**
   * Resolves false when the requester could not be reached (the caller logs it). `build` gives the message
   * in a language with its times in a zone, its buttons already bound to the requester. `remembered`: the
   * language and zone the requester used when they made the way (DEFAULT_LOCALE and DEFAULT_TIMEZONE on
   * older ways); platforms that cannot ask the person's own use it.
   */
  notify(
    requester: Requester,
    build: (viewer: Viewer) => Promise<Reply>,
    remembered: Viewer,
  ): Promise<boolean>;
}

/** Adapter data carried through a form and given back on submit (Slack's channel and response_url). */
export type Extra = Record<string, string>;

export interface BaseRequest {
  actor: ChatActor;
  /** The best language known now. */
  locale: Locale;
  later?: LaterFacts;
  /** The platform's id for this delivery (Slack trigger_id, Discord interaction id): twice runs once. */
  deliveryId?: string | undefined;
}

export interface CommandRequest extends BaseRequest {
  /** As typed (`temp zhangsan`), or as named options (Discord). */
  input: { text: string } | { command: string; options: Record<string, string | undefined> };
  /** Form fields the platform collects outside the form (Discord slash options), by field id. */
  fixed?: FormValues;
  extra?: Extra;
}

export interface SubmitRequest extends BaseRequest {
  state: string;
  /** Reads the submitted values of this form by field id (the adapter maps its widgets). */
  values: (form: Form) => FormValues;
  /** Names this submission (Slack view id, Discord interaction id): delivered twice, it creates once. */
  submissionId: string;
  /** Fetches what a `file` field's value refers to; platforms without file fields leave it out. */
  files?: FileSource;
}

export interface ActionRequest extends BaseRequest {
  /** The token of the button clicked (`ReplyAction.token`), or for `reopen` a form's state token. */
  token: string;
  /** Discord's "Fix and resubmit": opens the form the state token describes, prefilled. */
  reopen?: boolean;
  /** Adapter data for a form the click opens (New QR like this), given back on its submit. */
  extra?: Extra | undefined;
  /**
   * Clicked from outside any workspace (a Discord DM, where notifications go): the workspace the button was
   * made for stands for the clicker's, and `roles` looks up the clicker's roles there.
   */
  elsewhere?: { roles: (workspaceId: string) => Promise<string[]> } | undefined;
}

export interface SuggestRequest extends BaseRequest {
  /** The argument being typed: `config_id` (the requester's contact ways) or `user` (directory members). */
  field: string;
  typed: string;
  /** The value is a comma list (Discord's `user:` of edit): suggestions complete its last item. */
  multiple?: boolean;
}

export interface Suggestion {
  value: string;
  label: string;
}

export interface HomeRequest extends BaseRequest {
  /** How much the platform's home surface holds. */
  limits: { ways: number; audit: number };
}

/** One contact way in a home view. */
export interface HomeWay {
  configId: string;
  /** Members, then the remark. */
  title: string;
  /** config_id and until when; says "expired" for an expired temp way. */
  text: string;
  expired: boolean;
  actions: ReplyAction[];
}

/**
 * A requester's home, platform-neutral and in their language (Slack renders it as the App Home tab): buttons
 * that open the forms, their contact ways newest first, and for admins the latest audit entries. `notice`
 * replaces the ways when they may not use the bot or the ways could not be read.
 */
export interface HomeView {
  title: string;
  /** Buttons opening a command's form; `command` is what the requester would type (`temp`, `new`). */
  create: { command: string; label: string }[];
  notice?: string;
  waysTitle: string;
  ways: HomeWay[];
  /** Said when there are no ways, or how many more there are than shown. */
  footer?: string;
  audit?: { title: string; lines: string[] };
}
