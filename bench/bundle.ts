import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles src/main.ts into one ESM file with every npm package left external (plain `import` at run time),
 * so starting it measures what ready would be without tsx's on-the-fly transforms — the bench's answer to
 * "how much of start-up is tsx". esbuild is tsx's own; nothing here becomes part of `npm start`.
 * The file goes under node_modules/.cache so its bare imports resolve to the project's node_modules.
 */
export async function bundleMain(root: string): Promise<string> {
  const outfile = join(root, 'node_modules', '.cache', 'contactway-bench', 'main.mjs');
  await build({
    entryPoints: [join(root, 'src', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  return outfile;
}
