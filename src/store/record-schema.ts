import { z } from 'zod';
import { isTimeZone } from '../base/time.js';
import { imageRefSchema } from '../media/image-media.js';
import { type AddContactWayRequest, configIdSchema } from '../wecom/schemas.js';
import { attachmentSchema, storedAttachmentsSchema } from './message-content.js';

/** The chat platform a requester came from, as its adapter names itself (lowercase, e.g. `console`). */
export const platformSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);

/** Who asked for a contact way. `platform` + `workspaceId` + `userId` identify them; the name is for display. */
export const requesterSchema = z.object({
  platform: platformSchema,
  workspaceId: z.string().min(1).max(128),
  userId: z.string().min(1).max(128),
  displayName: z.string().max(256).optional(),
});
export type Requester = z.infer<typeof requesterSchema>;

const isoDateTime = z.iso.datetime({ offset: true });

/**
 * The request as it was sent to WeCom. Checked loosely on purpose: the write-side rules live in
 * `addContactWayRequestSchema` and were enforced before WeCom was called. Re-applying them when reading would
 * hide a stored record (and with it the only copy of its config_id) the day a rule tightens, and synced records
 * come from `get_contact_way`, not from our form.
 */
const storedRequestSchema = z.custom<AddContactWayRequest>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    [1, 2].includes((v as { type?: unknown }).type as number) &&
    [1, 2].includes((v as { scene?: unknown }).scene as number),
  { message: 'must be an add_contact_way request with type and scene' },
);

/** One contact way we created (or found by syncing) and must never lose track of. */
export const contactWayRecordSchema = z.object({
  configId: configIdSchema,
  requester: requesterSchema,
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  request: storedRequestSchema,
  qrCode: z.string().optional(),
  isTemp: z.boolean(),
  /** Temporary ways only: `createdAt + expires_in`. */
  expiresAt: isoDateTime.optional(),
  status: z.enum(['active', 'deleted', 'closed']),
  /**
   * Provider modes: the corp the way was made (or imported) in. Its config_id means something only there, and
   * only that corp's workspaces see it. Absent in self-built mode and on records made before it existed.
   */
  authCorpId: z.string().min(1).max(128).optional(),
  /** `created` by this bot, or `synced` from WeCom's list (made elsewhere, adopted later). */
  source: z.enum(['created', 'synced']),
  /**
   * The state the requester typed. WeCom gets it with a unique suffix (`request.state`, e.g. `spring-fair~k3f9a1`),
   * so the state in a customer's add event names this way and no other.
   */
  stateTag: z.string().optional(),
  /**
   * The closing message's image: its bytes are kept under this hash (src/media) so an edit after the media_id's
   * three days can upload it again. `request.conclusions.image.media_id` is only the last one sent.
   */
  closingImage: imageRefSchema.optional().catch(undefined),
  /** Sent to each customer who adds the member through this way (send_welcome_msg); not a WeCom field. */
  welcome: z.string().optional(),
  /**
   * The closing message's card (temp ways), as the requester chose it; WeCom has it in `request.conclusions`.
   * A card this runtime cannot read is dropped (show falls back to the request) rather than hiding the record.
   */
  closing: attachmentSchema.optional().catch(undefined),
  /** Cards sent after the welcome text (send_welcome_msg attachments), in order. */
  welcomeAttachments: storedAttachmentsSchema.optional().catch(undefined),
  /**
   * The creator's language and (where their platform told it) IANA time zone when they made the way: its
   * notifications use them. Older records have neither (DEFAULT_LOCALE and DEFAULT_TIMEZONE then); a value
   * this runtime cannot use is dropped rather than hiding the record.
   */
  locale: z.enum(['en', 'zh']).optional().catch(undefined),
  timeZone: z
    .string()
    .refine((v) => isTimeZone(v))
    .optional()
    .catch(undefined),
});
export type ContactWayRecord = z.infer<typeof contactWayRecordSchema>;
