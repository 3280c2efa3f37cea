import { t } from '../src/i18n.js';
import type { UpdateChanges } from '../src/service/contact-way-service.js';
import { updateContactWayRequestSchema } from '../src/wecom/schemas.js';
import { configIdArg, readConfigId } from './config-id-arg.js';
import { fields } from './fields.js';
import { checkForm } from './form-values.js';
import { infoReply, recordActions, recordFacts } from './replies.js';
import type { Command, FieldSpec } from './types.js';

const KEEP = t('Leave empty to keep the current value.', '留空则保持不变。');

/**
 * Every field starts empty and empty means "keep": the form opens at once (Slack's trigger_id lasts ~3 s)
 * instead of waiting on WeCom for the current values.
 */
const form = (): FieldSpec[] =>
  [
    fields.remark(),
    fields.state(),
    {
      ...fields.skipVerify(''),
      kind: 'choice' as const,
      options: [
        { value: 'true', label: t('Yes', '是') },
        { value: 'false', label: t('No', '否') },
      ],
    },
    fields.members(true),
    fields.expiresIn(''),
    fields.chatExpiresIn(''),
    fields.conclusions(),
    fields.welcome(),
  ].map((f) => ({
    ...f,
    optional: true,
    default: '',
    help: t(`${f.help.en} ${KEEP.en}`, `${f.help.zh}${KEEP.zh}`),
  }));

/** `edit <config_id>`: change what WeCom lets us change; type, scene and temp mode are fixed. */
export const edit: Command<{ config_id: string }, UpdateChanges> = {
  name: 'edit',
  summary: t('Edit a contact way', '修改「联系我」'),
  word: t('edit', '修改'),
  changes: true,
  args: [configIdArg],
  formTitle: t('Edit contact way', '修改「联系我」'),
  form,

  parseForm(args, values) {
    const { typed, request } = checkForm(form(), values, updateContactWayRequestSchema, (typed) => {
      const { conclusions, skip_verify, welcome: _, ...rest } = typed;
      return {
        config_id: args.config_id,
        ...rest,
        ...(skip_verify === undefined ? {} : { skip_verify: skip_verify === 'true' }),
        ...(conclusions ? { conclusions: { text: { content: conclusions } } } : {}),
      };
    });
    const { config_id: _, ...changes } = request;
    // Stored with the way, not sent to WeCom (empty keeps it, as every field here).
    return { ...changes, ...(typed.welcome ? { welcome: String(typed.welcome) } : {}) };
  },

  async run(ctx, args, changes) {
    const configId = readConfigId(args);
    if (Object.keys(changes).length === 0) {
      return infoReply(
        t('Nothing to change: every field was left empty.', '没有需要修改的内容：所有字段均为空。'),
        ctx.locale,
        [],
        'info',
      );
    }
    const record = await ctx.service.update(ctx.requester, configId, changes);
    return {
      status: 'ok',
      title: t(`Updated ${configId}`, `已更新 ${configId}`)[ctx.locale],
      facts: recordFacts(record, ctx),
      actions: recordActions(configId, ctx.locale),
    };
  },
};
