/** Images for WeCom: our own checks, the kept bytes, and media_ids that never outlive their three days. */
export {
  downloadExpiredError,
  downloadFailedError,
  downloadForbiddenError,
  fileUnreadableError,
  imageGoneError,
  MediaError,
  type MediaErrorCode,
  welcomeImageLateError,
} from './errors.js';
export { type CheckedImage, checkImage, formatBytes } from './image-check.js';
export {
  IMAGE_CONTENT_TYPES,
  type ImageKind,
  imageKindOf,
  MAX_IMAGE_BYTES,
  MIN_IMAGE_BYTES,
} from './image-kind.js';
export {
  createImageMedia,
  DEFAULT_MAX_MEDIA_AGE_MS,
  IMAGE_PREFIX,
  type ImageMedia,
  type ImageMediaOptions,
  type ImageRef,
  imageHash,
  imageRefOf,
  imageRefSchema,
  MEDIA_ID_LIFETIME_MS,
  MEDIA_ID_PREFIX,
  WELCOME_IMAGE_PREFIX,
} from './image-media.js';
export { platformLink } from './platform-link.js';
export { type CappedBody, readCapped } from './read-capped.js';
export { DEFAULT_WELCOME_REFRESH_MS, startWelcomeImageRefresh } from './welcome-refresh.js';
