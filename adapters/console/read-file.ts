import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { fileUnreadableError } from '../../src/media/index.js';
import type { FetchedFile } from '../../src/ui/model.js';

/**
 * A `file` field on the console is a path on this machine, relative to where the console was started (`~/`
 * is the home directory). The person at the terminal already has the machine's files, so any readable file
 * may be given; the core checks that it is an image WeCom accepts.
 */
export function consoleFileSource(cwd: string = process.cwd()) {
  return async (ref: string): Promise<FetchedFile> => {
    const path = resolve(cwd, ref.replace(/^~(?=\/)/, process.env.HOME ?? '~'));
    try {
      if (!(await stat(path)).isFile()) throw new Error('not a regular file');
      return { bytes: await readFile(path), name: basename(path) };
    } catch (error) {
      throw fileUnreadableError(ref, error);
    }
  };
}
