import type { Interface } from 'node:readline';

/** Ctrl-C, in the order it was typed among the lines. */
export const INTERRUPT = Symbol('interrupt');

/** What the person did next: a line, Ctrl-C, or undefined when input ended. */
export type Typed = string | typeof INTERRUPT | undefined;

/**
 * The lines a readline gives, and Ctrl-C among them, one at a time in the order they came. Queued, not
 * raced: a pipe (or a fast typist) delivers lines before the console asks for them, and a Ctrl-C typed
 * after a command belongs to whatever that command asks next (its form), not to the prompt before it.
 * A pipe has no Ctrl-C; a line that is only ETX (\x03, what Ctrl-C sends) stands for it, so scripts can.
 */
export function lineQueue(rl: Interface): () => Promise<Typed> {
  const queued: Typed[] = [];
  let waiting: ((typed: Typed) => void) | undefined;
  let ended = false;
  const push = (typed: Typed) => {
    if (ended) return;
    if (typed === undefined) ended = true;
    const take = waiting;
    waiting = undefined;
    if (take) take(typed);
    else queued.push(typed);
  };
  rl.on('line', (line: string) => push(line === '\x03' ? INTERRUPT : line));
  rl.on('SIGINT', () => {
    // What was typed before Ctrl-C is dropped, as a shell does (readline keeps it otherwise).
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    push(INTERRUPT);
  });
  rl.on('close', () => push(undefined));
  return () => {
    if (queued.length > 0) return Promise.resolve(queued.shift());
    if (ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      waiting = resolve;
    });
  };
}
