import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../adapters/index.js';

const ROOT = join(import.meta.dirname, '..');
/** The entry point: the one file in src/ that imports from adapters/, and only the list. */
const ENTRY = 'src/main.ts';

/**
 * What is checked comes from the adapter list (adapters/index.ts), so a new platform is checked as soon as
 * it is listed. The console's name is an everyday word ("WeCom's admin console"), so only the others are
 * looked for by name; its folder is checked like every other.
 */
const NAMED_PLATFORMS = ADAPTERS.filter((m) => !m.terminal).map((m) => m.platform);
const NAMES_A_PLATFORM = new RegExp(NAMED_PLATFORMS.join('|'), 'i');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
/** Every module specifier a file imports or re-exports (static or `import()`). */
const imports = (path: string) =>
  [...read(path).matchAll(/(?:from\s*|import\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
const isPackage = (specifier: string) => !specifier.startsWith('.') && !specifier.startsWith('node:');

/** The packages only a platform's folder imports (its SDK: `@slack/bolt`, `discord.js`), and their scopes. */
const SDKS = [
  ...new Set(
    NAMED_PLATFORMS.flatMap((platform) => sources(`adapters/${platform}`).flatMap(imports))
      .filter(isPackage)
      .filter((p) => p !== 'zod')
      .flatMap((p) => (p.startsWith('@') ? [p, `${p.split('/')[0]}/`] : [p])),
  ),
];

describe('boundary: the core and the commands never know a chat platform', () => {
  it('GIVEN adapters/ THEN each folder is one module of the list (adapters/index.ts), named as its platform', () => {
    const folders = readdirSync(join(ROOT, 'adapters')).filter((n) =>
      statSync(join(ROOT, 'adapters', n)).isDirectory(),
    );
    expect(folders.sort()).toEqual(ADAPTERS.map((m) => m.platform).sort());
    for (const folder of folders) expect(read(`adapters/${folder}/module.ts`)).toContain('ChatAdapterModule');
    // The derivation found the SDKs: a platform folder that imports none would make the next test vacuous.
    expect(SDKS).toEqual(expect.arrayContaining(['@slack/bolt', 'discord.js']));
  });

  for (const dir of ['src', 'commands']) {
    it(`GIVEN every file under ${dir}/ THEN none imports a platform's SDK or adapters/ (${ENTRY}: the list only)`, () => {
      const offenders = sources(dir).flatMap((path) =>
        imports(path)
          .filter(
            (s) =>
              SDKS.some((sdk) => s === sdk || (sdk.endsWith('/') && s.startsWith(sdk))) ||
              /(^|\/)adapters\//.test(s),
          )
          .filter((s) => !(path === ENTRY && s === '../adapters/index.js'))
          .map((s) => `${path}: ${s}`),
      );
      expect(offenders).toEqual([]);
    });
  }

  it(`GIVEN ${ENTRY} THEN it imports the adapter list`, () => {
    expect(imports(ENTRY)).toContain('../adapters/index.js');
  });

  it('GIVEN every file under adapters/ THEN none reaches into the core (only the port, texts, errors, ops) or another adapter', () => {
    const CORE_INSIDES = /^(\.\.\/)+src\/(service|store|wecom|lock|config|app|compose)[./]/;
    const offenders = ADAPTERS.flatMap(({ platform }) =>
      sources(`adapters/${platform}`).flatMap((path) =>
        imports(path)
          .filter((s) => CORE_INSIDES.test(s) || new RegExp(`^\\.\\./(?!${platform}/)[^.][^/]*/`).test(s))
          .map((s) => `${path}: ${s}`),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it(`GIVEN src/ and commands/ THEN no chat platform (${NAMED_PLATFORMS.join(', ')}) is named in code`, () => {
    const named = ['src', 'commands'].flatMap(sources).flatMap((path) =>
      read(path)
        .split('\n')
        .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
        .filter((line) => NAMES_A_PLATFORM.test(line))
        .map((line) => `${path}: ${line.trim()}`),
    );
    expect(named).toEqual([]);
  });
});

/**
 * Folder-level import graph over src/, commands/ and adapters/: a folder is a directory (files directly in
 * src/ form the folder `src`), an edge is any relative import or re-export, type-only ones included, from a
 * file in one folder to a file in another. Each edge lists the file pairs behind it, for the failure message.
 */
function folderGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const path of ['src', 'commands', 'adapters'].flatMap(sources)) {
    const from = dirname(path);
    for (const specifier of imports(path).filter((s) => s.startsWith('.'))) {
      const target = normalize(join(from, specifier));
      const to = dirname(target);
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      edges.set(to, [...(edges.get(to) ?? []), `${path} > ${target}`]);
    }
  }
  return graph;
}

/** The strongly connected components of more than one node (Tarjan): each is an import cycle. */
function cycles(graph: Map<string, Map<string, string[]>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node) as number);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('boundary: the folders are layers (issue 18)', () => {
  it('GIVEN a graph with a cycle through three folders THEN the cycle finder reports exactly it', () => {
    const edge = (to: string) => new Map([[to, ['x']]]);
    const graph = new Map([
      ['a', edge('b')],
      ['b', edge('c')],
      ['c', edge('a')],
      ['d', edge('a')],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
  });

  it('GIVEN src/, commands/ and adapters/ THEN no two folders import each other, even through others or by types', () => {
    const graph = folderGraph();
    // The graph is real: commands use the service, adapters the chat port, the service the store.
    expect(graph.get('commands')?.has('src/service')).toBe(true);
    expect(graph.get('adapters/slack')?.has('src/chat')).toBe(true);
    const found = cycles(graph).map((folders) => ({
      folders,
      edges: folders.flatMap((a) =>
        folders.flatMap((b) =>
          (graph.get(a)?.get(b) ?? []).slice(0, 3).map((pair) => `${a} -> ${b}: ${pair}`),
        ),
      ),
    }));
    expect(found).toEqual([]);
  });
});
