import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { build as buildBot } from '../scripts/build.mjs';

/** Node arguments up to and including the entry file, for the bot and for each floor. */
export interface AppEntries {
  bot: string[];
  /** The bare floor (bench/floor.ts). */
  floor: string[];
  /** The same-experience floor (bench/floor-same.ts). */
  'same-floor': string[];
}

/** Compiled entries, and the removal of their files once the bench is done. */
export interface CompiledApps {
  entries: AppEntries;
  dispose(): void;
}

/**
 * The apps as `npm start` runs the bot: compiled JavaScript on plain node. The bot is built by the same
 * function as `npm start`'s prestart, into a copy of its own (a `npm start` or test rebuilding dist/ meanwhile
 * cannot pull it away mid-run); the floors are bundled the same way (npm packages external), so both sides of
 * each ratio run without a loader. Both go under node_modules/.cache so bare imports resolve to the
 * project's node_modules.
 */
export async function compiledEntries(root: string): Promise<CompiledApps> {
  // One folder per bench process: node_modules may be shared with other checkouts running benches too.
  const dir = join(root, 'node_modules', '.cache', 'contactway-bench', `run-${process.pid}`);
  await buildBot(join(dir, 'bot'));
  const bundle = async (name: string) => {
    const outfile = join(dir, `${name}.mjs`);
    await build({
      entryPoints: [join(root, 'bench', `${name}.ts`)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
    });
    return outfile;
  };
  const [floor, sameFloor] = await Promise.all([bundle('floor'), bundle('floor-same')]);
  return {
    entries: { bot: [join(dir, 'bot', 'main.js')], floor: [floor], 'same-floor': [sameFloor] },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
