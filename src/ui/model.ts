import type { Bilingual } from '../base/i18n.js';

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
  | 'departments'
  /**
   * One attached file (an upload widget where the platform has one, a path on the console). The value is the
   * adapter's reference to it (opaque to the core), fetched at submit through the request's `files`.
   */
  | 'file';

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
  /** `file` fields: the extensions offered and the largest file, in bytes (the core checks both again). */
  accept?: { extensions: string[]; maxBytes: number };
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
  /** Said above the fields, where the platform has room (a form that could not open with its current values). */
  notice?: string;
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
  /** `again`: opens the temp form prefilled from this way (the `again` command). */
  /** `approve-link`/`decline-link`: an admin's answer to a link request, whose id `configId` carries. */
  kind: 'show' | 'delete' | 'close' | 'keep' | 'again' | 'approve-link' | 'decline-link';
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

/** A QR image as fetched: its bytes and what they are. */
export interface QrImage {
  bytes: Buffer;
  contentType: 'image/png' | 'image/jpeg';
  fileName: 'qr.png' | 'qr.jpg';
}

/** A file as fetched: its bytes and the name it had where it came from. */
export interface FetchedFile {
  bytes: Buffer;
  name: string;
  /** The host offered more than WeCom's limit: only the first bytes were read (its size, if the host said). */
  tooLarge?: { size?: number };
}

/**
 * Fetches a `file` field's value (the adapter's own reference: a platform URL, a path). Throws a MediaError
 * (src/media) that says what to do when the platform refuses (missing permission) or the link expired.
 */
export type FileSource = (ref: string) => Promise<FetchedFile>;
