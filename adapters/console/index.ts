import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  type CommandContext,
  checkSubmission,
  errorReply,
  type Form,
  type FormValues,
  formFor,
  type Invocation,
  parseText,
  type Reply,
  runCommand,
} from '../../commands/index.js';
import { ValidationError } from '../../src/errors.js';
import { say, t } from '../../src/i18n.js';
import type { Logger } from '../../src/logger.js';
import { qrFileName } from './qr-file.js';
import { renderFieldPrompt, renderReply } from './render.js';
import { terminalQr } from './terminal-qr.js';
import { visible } from './visible.js';

const SANDBOX_BANNER = t(
  'Running on the WeCom SANDBOX (no WECOM_CORP_ID set): try `temp zhangsan`; members are zhangsan, lisi, wangwu.',
  '正在使用企业微信沙箱（未设置 WECOM_CORP_ID）：试试 `temp zhangsan`；成员有 zhangsan、lisi、wangwu。',
);

export interface ConsoleAdapterOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The requester is the local user; the context says who, in which language, on which service. */
  context: CommandContext;
  /** Folder where QR images are saved, so they can be opened or sent. */
  qrDir: string;
  logger: Logger;
}

/**
 * The terminal adapter: one command per line (`/contactway temp zhangsan` or `temp zhangsan`), the form
 * asked field by field (Enter accepts the default). Works the same when stdin is a pipe, so it is
 * scriptable and testable; `exit` or end of input stops it. Resolves when it has stopped.
 */
export async function runConsoleAdapter(options: ConsoleAdapterOptions): Promise<void> {
  const { output, context } = options;
  const rl = createInterface({ input: options.input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const write = (text: string) => output.write(text);
  // A terminal echoes what the person types; a pipe does not, so echo it to keep the transcript readable.
  const echo = !(options.input as { isTTY?: boolean }).isTTY;
  const next = async (): Promise<string | undefined> => {
    const result = await lines.next();
    if (result.done) return undefined;
    // Echoed as typed, but with control characters made visible: a pipe can carry any byte.
    if (echo) write(`${visible(result.value)}\n`);
    return result.value;
  };

  write(
    t(
      'contactway console. Type a command (help, temp <userid>, list, …) or exit.\n',
      'contactway 终端。输入命令（help、temp <userid>、list……）或 exit 退出。\n',
    )[context.locale],
  );
  if (context.sandbox) write(`${say(SANDBOX_BANNER, context.locale)}\n`);
  try {
    for (;;) {
      write('contactway> ');
      const line = await next();
      if (line === undefined) break;
      const text = line.trim();
      if (text === '') continue;
      if (text === 'exit' || text === 'quit') break;
      const reply = await handleLine(text, context, next, write);
      if (reply === undefined) break;
      await show(reply, options, write);
    }
  } finally {
    write('\n');
    rl.close();
  }
}

/** One command line to its reply; undefined when input ended in the middle of a form. */
async function handleLine(
  text: string,
  context: CommandContext,
  next: () => Promise<string | undefined>,
  write: (text: string) => void,
): Promise<Reply | undefined> {
  let invocation: Invocation;
  try {
    invocation = parseText(text, { user: context.service.mappedUser(context.requester) });
  } catch (error) {
    return errorReply(error, context.locale);
  }
  const form = formFor(invocation, context.locale);
  if (!form) return runCommand(context, invocation);
  const answered = await askForm(form, invocation, context, next, write);
  if (answered === undefined) return undefined;
  if ('reply' in answered) return answered.reply;
  return runCommand(context, invocation, answered.value);
}

/** Asks every field, then re-asks only the ones that fail validation, until the form is valid. */
async function askForm(
  form: Form,
  invocation: Invocation,
  context: CommandContext,
  next: () => Promise<string | undefined>,
  write: (text: string) => void,
): Promise<{ value: unknown } | { reply: Reply } | undefined> {
  write(`${form.title}\n`);
  const values: FormValues = {};
  let toAsk = form.fields;
  for (;;) {
    for (const field of toAsk) {
      write(renderFieldPrompt(field));
      const answer = await next();
      if (answer === undefined) return undefined;
      values[field.id] = answer.trim() === '' ? field.default : answer.trim();
    }
    const result = checkSubmission(invocation, values, context.locale);
    if (result.ok) return { value: result.input };
    for (const e of result.errors) write(`  ✗ ${visible(e.field)}: ${visible(e.message)}\n`);
    const bad = new Set(result.errors.map((e) => e.field));
    toAsk = form.fields.filter((f) => bad.has(f.id));
    // An error on something that is not a form field (an argument) cannot be fixed by asking again.
    if (toAsk.length === 0) {
      const issues = result.errors.map((e) => ({ field: e.field, message: t(e.message, e.message) }));
      return { reply: errorReply(new ValidationError(issues), context.locale) };
    }
  }
}

async function show(
  reply: Reply,
  options: ConsoleAdapterOptions,
  write: (text: string) => void,
): Promise<void> {
  write(renderReply(reply));
  const image = reply.qr?.image;
  if (!image) return;
  const drawn = image.contentType === 'image/png' ? await terminalQr(image.bytes) : undefined;
  if (drawn) write(drawn);
  try {
    await mkdir(options.qrDir, { recursive: true });
    const path = join(options.qrDir, qrFileName(reply.configId, image.contentType));
    await writeFile(path, image.bytes);
    write(`  QR: ${visible(path)}\n`);
  } catch (error) {
    options.logger.warn({ err: error }, 'could not save the QR image');
  }
}
