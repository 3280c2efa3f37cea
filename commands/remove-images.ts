/**
 * Leaving images out: `edit` removes the way's closing or welcome image, and the temp form `again` opens leaves
 * out the earlier way's images it would otherwise reuse. A choice, not a typed `-`: Slack's file_input and
 * Discord's attachment option cannot hold text (`-` in the console's file path is the same removal, on edit).
 */
import type { FieldIssue } from '../src/base/errors.js';
import { type Bilingual, t } from '../src/base/i18n.js';
import type { FieldSpec, FormValues } from './types.js';

export const REMOVE_IMAGES = 'remove_images';

/**
 * The value `again` gives the temp form besides its fields: the earlier way whose images the new one reuses.
 * Never a field (no platform shows it); the service reads that way as the requester, so a forged one finds
 * nothing the requester could not `show`.
 */
export const IMAGES_FROM = 'images_from';

export const removeImagesField = (help: Bilingual): FieldSpec => ({
  id: REMOVE_IMAGES,
  kind: 'choice',
  label: t('Remove images', '删除图片'),
  help,
  default: '',
  optional: true,
  options: [
    { value: 'closing', label: t('Closing image', '结束语图片') },
    { value: 'welcome', label: t('Welcome image', '欢迎语图片') },
    { value: 'both', label: t('Both images', '两张图片') },
  ],
});

/**
 * Which images go: chosen in `remove_images`, or cleared (`-` in a file path). Attaching an image and
 * removing it in the same form is refused: which was meant?
 */
export function readRemoval(
  values: FormValues,
  cleared: ReadonlySet<string> = new Set(),
): { closing: boolean; welcome: boolean; issues: FieldIssue[] } {
  const chosen = values[REMOVE_IMAGES]?.trim() ?? '';
  const closing = cleared.has('image') || chosen === 'closing' || chosen === 'both';
  const welcome = cleared.has('welcome_image') || chosen === 'welcome' || chosen === 'both';
  const attached = (id: string) => (values[id]?.trim() ?? '') !== '';
  const clash = (closing && attached('image')) || (welcome && attached('welcome_image'));
  const issues: FieldIssue[] = clash
    ? [
        {
          field: REMOVE_IMAGES,
          message: t(
            'an image cannot be attached and removed in the same form: attach it, or choose to remove it',
            '同一表单不能既附加又删除同一张图片：请只附加或只删除',
          ),
        },
      ]
    : [];
  return { closing, welcome, issues };
}
