/** The WeCom 「联系我」 client: what the rest of contactway imports from `src/wecom`. */
export {
  createWecomClient,
  DEFAULT_TIMEOUT_MS,
  type WecomClient,
  type WecomClientOptions,
} from './client.js';
export { explainErrcode, knownErrcodes, TOKEN_ERRCODES, TRANSIENT_ERRCODES } from './errcodes.js';
export { cleanErrmsg } from './failures.js';
export {
  type CallLimiter,
  type CallLimiterOptions,
  createCallLimiter,
  DEFAULT_MAX_CALLS_PER_MINUTE,
  DEFAULT_MAX_QUEUE_MS,
} from './limiter.js';
export {
  createMediaClient,
  type MediaClient,
  type MediaFile,
  multipartBody,
  type UploadedMedia,
} from './media.js';
export type {
  AddContactWayRequest,
  AddContactWayResponse,
  CloseTempChatRequest,
  ContactWay,
  ListContactWayRequest,
  UpdateContactWayRequest,
} from './schemas.js';
export { REFRESH_MARGIN_MS } from './token-cache.js';
export {
  corpSecretTokenSource,
  type IssuedToken,
  secretFingerprint,
  type TokenHttp,
  type TokenSource,
} from './token-source.js';
export type { CallOutcome, WecomBody, WireRequest } from './transport.js';
