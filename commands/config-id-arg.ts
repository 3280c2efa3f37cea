import { t } from '../src/base/i18n.js';
import { validate } from '../src/base/validate.js';
import { configIdSchema } from '../src/wecom/schemas.js';
import type { ArgSpec } from './types.js';

/** The `config_id` argument of show, edit and delete. */
export const configIdArg: ArgSpec<'config_id'> = {
  name: 'config_id',
  label: t('config_id', 'config_id'),
  required: true,
};

export function readConfigId(args: Readonly<Record<string, string>>): string {
  return validate(configIdSchema, args.config_id, () => 'config_id');
}
