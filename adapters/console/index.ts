import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FormValues, Reply } from '../../commands/index.js';
import { ContactwayError } from '../../src/base/errors.js';
import { type Locale, say, t } from '../../src/base/i18n.js';
import type { FlowOptions } from '../../src/chat/flow.js';
import type { ChatActor, ChatPort, OpenForm, Surface } from '../../src/chat/port.js';
import { type Asking, createCompleter } from './completer.js';
import { type Asked, askFields, askOpened, type FormTerminal, fieldErrorLines } from './form.js';
import { INTERRUPT, lineQueue, type Typed } from './lines.js';
import { qrFileName } from './qr-file.js';
import { consoleFileSource } from './read-file.js';
import { actionHint, renderReply } from './render.js';
import { terminalQr } from './terminal-qr.js';
import { visible } from './visible.js';

const SANDBOX_BANNER = t(
  'Running on the WeCom SANDBOX (no WECOM_CORP_ID set): try `temp zhangsan`, then `scan <config_id>` to play the customer; members are zhangsan, lisi, wangwu (sunqi is not enabled for customer contact).',
  '正在使用企业微信沙箱（未设置 WECOM_CORP_ID）：试试 `temp zhangsan`，再用 `scan <config_id>` 扮演客户扫码；成员有 zhangsan、lisi、wangwu（sunqi 未开通客户联系）。',
);

/** A console form is one line long at most; nothing to carry but the state itself. */
const STATE_CHARS = 4096;

export interface ConsoleAdapterOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The core's port (see src/chat/port.ts). */
  port: ChatPort;
  /** The person at the terminal. */
  requester: ChatActor;
  locale: Locale;
  /** The bot runs on the WeCom sandbox: say so once. */
  sandbox: boolean;
  /** Folder where QR images are saved, so they can be opened or sent. */
  qrDir: string;
}

/**
 * What the composition root needs to build the console's port: its limits, and that the flow asks before
 * Delete and End session (a terminal has no confirm dialog).
 */
export const CONSOLE_FLOW: FlowOptions = {
  stateChars: STATE_CHARS,
  actionChars: STATE_CHARS,
  confirm: 'ask',
};

/**
 * The terminal adapter: one command per line (`/contactway temp zhangsan` or `temp zhangsan`); a form shows
 * its values and takes them with one Enter, or `f` asks the fields one by one, each checked as it is typed
 * (form.ts). Works the same when stdin is a pipe, so it is scriptable and testable; `exit` or
 * end of input stops it. Notifications are printed as they come. On a terminal, Tab completes commands,
 * member ids and the requester's config_ids. Ctrl-C cancels the form being asked, and at the prompt stops
 * like `exit`. Resolves when it has stopped.
 */
export async function runConsoleAdapter(options: ConsoleAdapterOptions): Promise<void> {
  const { output, port, locale } = options;
  const tty = Boolean((options.input as { isTTY?: boolean }).isTTY);
  let asking: Asking = { kind: 'command' };
  // readline edits the line itself on a terminal (that is what Tab needs); on a pipe it only splits lines.
  const rl = tty
    ? createInterface({
        input: options.input,
        output,
        terminal: true,
        completer: callbackify(createCompleter(port, options.requester, locale, () => asking)),
      })
    : createInterface({ input: options.input, terminal: false });
  const read = lineQueue(rl);
  const write = (text: string) => output.write(text);
  // A terminal echoes what the person types; a pipe does not, so echo it to keep the transcript readable.
  const echo = !tty;
  let ended = false;
  /** Shows the prompt (its last line is readline's own prompt on a terminal, so redraws keep it). */
  const prompt = (text: string, now: Asking) => {
    asking = now;
    if (!tty) return write(text);
    const cut = text.lastIndexOf('\n') + 1;
    write(text.slice(0, cut));
    rl.setPrompt(text.slice(cut));
    rl.prompt();
  };
  const next = async (): Promise<Typed> => {
    const typed = await read();
    if (typed === undefined) {
      ended = true;
      return undefined;
    }
    if (typed === INTERRUPT) {
      write('^C\n');
      return typed;
    }
    // Echoed as typed, but with control characters made visible: a pipe can carry any byte.
    if (echo) write(`${visible(typed)}\n`);
    return typed;
  };
  const term: FormTerminal = { prompt, next, write, locale };
  // The console's buttons are the lines their hints show (`delete <config_id>`): typing one clicks the
  // newest button it names, with that button's token; any other line is a command.
  const buttons = new Map<string, string>();
  const remember = (reply: Reply) => {
    for (const action of reply.actions) if (action.token) buttons.set(actionHint(action), action.token);
  };
  const show = (reply: Reply) => {
    remember(reply);
    return showReply(reply, options, write);
  };

  port.registerNotifier(options.requester.platform, {
    async notify(requester, build, remembered) {
      if (requester.userId !== options.requester.userId) return false;
      // In the language and zone the way was made in (this console's, unless DEFAULT_* changed since).
      const reply = await build(remembered);
      remember(reply);
      if (!tty) {
        write(`\n🔔 ${renderReply(reply)}contactway> `);
        return true;
      }
      write(`\n🔔 ${renderReply(reply)}`);
      rl.prompt(true);
      return true;
    },
  });

  write(
    say(
      t(
        'contactway console. Type a command (help, temp <userid>, list, …) or exit.\n',
        'contactway 终端。输入命令（help、temp <userid>、list……）或 exit 退出。\n',
      ),
      locale,
    ),
  );
  if (options.sandbox) write(`${say(SANDBOX_BANNER, locale)}\n`);
  const base = { actor: options.requester, locale };
  // An image field's answer is a path on this machine, read when the form is sent.
  const readFiles = consoleFileSource();
  try {
    for (;;) {
      prompt('contactway> ', { kind: 'command' });
      const line = await next();
      // Ctrl-C at the prompt stops, like exit; in a form it only cancels the form (form.ts).
      if (line === undefined || line === INTERRUPT) break;
      const text = line.trim();
      if (text === '') continue;
      if (text === 'exit' || text === 'quit') break;
      const scan = /^scan\s+(\S+)$/.exec(text);
      if (scan?.[1] && port.simulateScan) {
        await simulateScan(scan[1]);
        continue;
      }
      const token = buttons.get(text.replace(/^\/contactway\s+/, '').replace(/\s+/g, ' '));
      if (token) await port.flow.action({ ...base, token }, surface());
      else await port.flow.command({ ...base, input: { text } }, surface());
      if (ended) break;
    }
  } finally {
    write('\n');
    rl.close();
  }

  /** `scan <config_id>` on the sandbox: a customer scans; the notification follows as WeCom's event is handled. */
  async function simulateScan(configId: string): Promise<void> {
    try {
      const done = await port.simulateScan?.(configId);
      if (done)
        write(
          say(
            t(
              `• ${done.name} (${done.externalUserId}) scanned ${configId}${done.delivered ? '' : ' (no callback reached the bot)'}\n`,
              `• ${done.name}（${done.externalUserId}）扫描了 ${configId}${done.delivered ? '' : '（回调未送达）'}\n`,
            ),
            locale,
          ),
        );
    } catch (error) {
      port.logger.warn({ err: error }, 'sandbox scan failed');
      // The sandbox says why (no such way, a used or expired temp QR); it may quote what was typed.
      const why =
        error instanceof ContactwayError
          ? error.human
          : t('The sandbox could not play this scan (see the log).', '沙箱未能模拟此次扫码（见日志）。');
      write(`✗ ${visible(say(why, locale))}\n`);
    }
  }

  /** How a console request answers: forms are asked in place and submitted back through the flow. */
  function surface(): Surface {
    let values: FormValues = {};
    const self: Surface = {
      defer: async () => undefined,
      acknowledge: async () => undefined,
      reply: show,
      update: async (content) => ('reply' in content ? show(content.reply) : self.openForm(content.form)),
      decline: async (text) => {
        write(`• ${visible(text)}\n`);
      },
      async openForm(open) {
        write(`${visible(open.form.title)}\n`);
        if (open.form.notice) write(`• ${visible(open.form.notice)}\n`);
        values = { ...open.prefill };
        await finish(open, await askOpened(term, open, values));
      },
      async showFieldErrors(errors, open) {
        // Each field passed alone as it was typed; what is left is about several at once, or an argument.
        write(fieldErrorLines(errors, open.form.fields));
        const bad = new Set(errors.map((e) => e.field));
        const again = open.form.fields.filter((f) => bad.has(f.id));
        // An error on something that is not a form field (an argument) cannot be fixed by asking again.
        if (again.length === 0) return;
        await finish(open, await askFields(term, open, values, again));
      },
    };
    async function finish(open: OpenForm, asked: Asked): Promise<void> {
      if (asked === 'done') return submit(open);
      if (asked === 'cancelled')
        write(`• ${say(t('Cancelled: nothing was sent.', '已取消：未提交任何内容。'), locale)}\n`);
    }
    function submit(open: OpenForm): Promise<void> {
      const typed = { ...values };
      return port.flow.submit(
        { ...base, state: open.state, values: () => typed, submissionId: randomUUID(), files: readFiles },
        () => self,
      );
    }
    return self;
  }
}

async function showReply(reply: Reply, options: ConsoleAdapterOptions, write: (text: string) => void) {
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
    options.port.logger.warn({ err: error }, 'could not save the QR image');
  }
}

/** readline wants a callback completer; ours is async. */
function callbackify(complete: (line: string) => Promise<[string[], string]>) {
  return (line: string, done: (error: null, result: [string[], string]) => void) => {
    void complete(line).then(
      (result) => done(null, result),
      () => done(null, [[], line]),
    );
  };
}
