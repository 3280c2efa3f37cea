import type { CallbackRefusal } from '../base/errors.js';

/** Why a callback was refused, as counted in `contactway_callback_refused_total{reason}`. */
export const REFUSAL_REASONS = [
  'signature',
  'stale',
  'replayed_nonce',
  'too_large',
  'slow_body',
  'malformed',
  'decrypt',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** Which reason each refusal error counts as. */
export const REASON_OF: Record<CallbackRefusal, RefusalReason> = {
  'callback.bad_signature': 'signature',
  'callback.stale': 'stale',
  'callback.replayed_nonce': 'replayed_nonce',
  'callback.malformed': 'malformed',
  'callback.bad_padding': 'decrypt',
  'callback.wrong_receive_id': 'decrypt',
};
/** The HTTP status each reason is answered with (WeCom only tells 200 from the rest, people read these). */
export const STATUS_OF: Record<RefusalReason, number> = {
  signature: 401,
  stale: 403,
  replayed_nonce: 403,
  too_large: 413,
  slow_body: 408,
  malformed: 400,
  decrypt: 400,
};
