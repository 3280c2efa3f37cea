import { type Bilingual, t } from './i18n.js';

/**
 * The one error tree. Every error carries a stable `code` (for logs, metrics and tests) and a bilingual
 * `human` text (for the requester). `message` is the English text, so stack traces read well in logs.
 */
export class ContactwayError extends Error {
  readonly code: string;
  readonly human: Bilingual;
  /** The headline over the message, for an error defined outside the core (an adapter's own). */
  readonly title: Bilingual | undefined;

  constructor(code: string, human: Bilingual, options?: { cause?: unknown; title?: Bilingual }) {
    super(human.en, options);
    this.name = new.target.name;
    this.code = code;
    this.human = human;
    this.title = options?.title;
  }

  /** What logs keep: code and texts, never a stack in chat, never a credential (callers redact causes). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.human.en, zh: this.human.zh };
  }
}

/** One invalid field: its id (a form field id or a request path like `conclusions.text.content`) and why. */
export interface FieldIssue {
  field: string;
  message: Bilingual;
}

/** Bad input. Names every field that is wrong and the limit it broke. */
export class ValidationError extends ContactwayError {
  readonly issues: FieldIssue[];

  constructor(issues: FieldIssue[], options?: { cause?: unknown }) {
    const en = issues.map((i) => `${i.field}: ${i.message.en}`).join('; ');
    const zh = issues.map((i) => `${i.field}：${i.message.zh}`).join('；');
    super('validation', t(`Invalid input: ${en}`, `输入有误：${zh}`), options);
    this.issues = issues;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** A startup configuration problem: names the variable, never echoes a secret's value. */
export class ConfigError extends ContactwayError {
  constructor(human: Bilingual, options?: { cause?: unknown }) {
    super('config', human, options);
  }
}

/** WeCom answered with a non-zero errcode. */
export class WecomError extends ContactwayError {
  readonly errcode: number;
  readonly errmsg: string;
  readonly endpoint: string;

  constructor(
    args: { errcode: number; errmsg: string; endpoint: string; human: Bilingual; code?: string },
    options?: { cause?: unknown },
  ) {
    super(args.code ?? `wecom.${args.errcode}`, args.human, options);
    this.errcode = args.errcode;
    this.errmsg = args.errmsg;
    this.endpoint = args.endpoint;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), errcode: this.errcode, errmsg: this.errmsg, endpoint: this.endpoint };
  }
}

/** WeCom throttled us (45009, 45033) or we throttle ourselves: try again after `retryAfterMs`. */
export class RateLimitError extends ContactwayError {
  readonly retryAfterMs: number;
  readonly errcode: number | undefined;

  constructor(
    args: { retryAfterMs: number; human: Bilingual; errcode?: number },
    options?: { cause?: unknown },
  ) {
    super('rate_limited', args.human, options);
    this.retryAfterMs = args.retryAfterMs;
    this.errcode = args.errcode;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs, errcode: this.errcode };
  }
}

/**
 * WeCom could not be reached, timed out, or answered something that is not WeCom's wire format. `human` says
 * what happened and what to do, for the requester; `detail` is for the operator (the URL called, the network
 * cause, the start of the answer) and goes to logs and `message`, never to chat.
 */
export class UpstreamError extends ContactwayError {
  readonly detail: string | undefined;

  constructor(
    code: 'wecom.timeout' | 'wecom.unreachable' | 'wecom.bad_response',
    human: Bilingual,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(code, human, options);
    this.detail = options?.detail;
    if (this.detail) this.message = this.detail;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ...(this.detail ? { detail: this.detail } : {}) };
  }
}

/** The record does not exist, or the requester may not see it (we do not tell them apart to strangers). */
export class NotFoundError extends ContactwayError {
  constructor(what: string, options?: { cause?: unknown }) {
    super(
      'not_found',
      t(`${what} was not found among your contact ways.`, `在你的「联系我」中找不到 ${what}。`),
      options,
    );
  }
}

/** The requester is known but may not do this. */
export class ForbiddenError extends ContactwayError {
  constructor(
    human: Bilingual = t('You are not allowed to do that.', '你没有权限执行此操作。'),
    options?: { cause?: unknown },
  ) {
    super('forbidden', human, options);
  }
}

/**
 * A provider mode (third-party / 代开发) cannot get a token yet or any more:
 * - `provider.waiting_for_ticket`: no usable suite_ticket (none pushed since the start, or WeCom refused the
 *   newest with 40085). Nothing is retried until WeCom pushes the next one (about every 10 minutes).
 * - `provider.not_installed`: no corp has installed the app (or not the corp asked for).
 * - `provider.tenant_lost`: the corp cancelled the authorization or WeCom refuses its permanent code (40084…).
 * - `provider.not_provider_mode`: install or status asked of a self-built bot.
 * - `provider.not_bound`: this workspace is bound to no corp while others are (`/contactway install`).
 * - `provider.several_corps`: several corps installed, and the request does not say which one it is for.
 */
export type ProviderErrorCode =
  | 'provider.waiting_for_ticket'
  | 'provider.not_installed'
  | 'provider.tenant_lost'
  | 'provider.several_corps'
  | 'provider.not_provider_mode'
  | 'provider.not_bound'
  | 'provider.no_provider_secret';

export class ProviderError extends ContactwayError {
  declare readonly code: ProviderErrorCode;

  constructor(code: ProviderErrorCode, human: Bilingual, options?: { cause?: unknown }) {
    super(code, human, options);
  }
}

/** The store failed (sqlite, Redis or PostgreSQL). */
export class StoreError extends ContactwayError {
  constructor(human: Bilingual, options?: { cause?: unknown }) {
    super('store', human, options);
  }
}

/**
 * Why a WeCom callback request was refused. Each has its own code so the log line says which: WeCom's own
 * samples fold these into -40001…-40008, and the wrong-ReceiveId / wrong-key confusions are the most common
 * setup error people report.
 */
export type CallbackRefusal =
  | 'callback.bad_signature'
  | 'callback.wrong_receive_id'
  | 'callback.malformed'
  | 'callback.bad_padding'
  | 'callback.stale'
  | 'callback.replayed_nonce';

/** A WeCom callback we refuse (4xx, nothing acted on). `human` says what to check in WeCom's admin console. */
export class CallbackError extends ContactwayError {
  declare readonly code: CallbackRefusal;

  constructor(code: CallbackRefusal, human: Bilingual, options?: { cause?: unknown }) {
    super(code, human, options);
  }
}

/** A callback body we cannot read; `detail` names what is wrong, never a value (it may be personal data). */
export function malformedCallback(detail: string): CallbackError {
  return new CallbackError(
    'callback.malformed',
    t(`The callback body is malformed (${detail}).`, `回调内容格式不正确（${detail}）。`),
  );
}

/** What a requester sees for a failure we did not foresee. */
export const INTERNAL_ERROR = t(
  'Something went wrong on our side. It has been logged; please try again.',
  '系统内部出错，已记录日志，请稍后重试。',
);

/** Turns anything thrown into our tree, so adapters only ever show `human` and never a stack. */
export function asContactwayError(error: unknown): ContactwayError {
  if (error instanceof ContactwayError) return error;
  return new ContactwayError('internal', INTERNAL_ERROR, { cause: error });
}
