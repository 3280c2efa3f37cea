import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
/** The composition root is the one place in src/ that knows the adapters exist. */
const COMPOSITION_ROOT = 'src/main.ts';
const FORBIDDEN = [
  /from ['"]@slack\//,
  /from ['"]discord\.js['"]/,
  /from ['"]@discordjs\//,
  /from ['"](\.\.\/)+adapters\//,
];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('boundary: the core and the commands never know a chat platform', () => {
  for (const dir of ['src', 'commands']) {
    it(`GIVEN every file under ${dir}/ THEN none imports @slack/*, discord.js or adapters/`, () => {
      const offenders = sources(dir)
        .filter((path) => relative('.', path) !== COMPOSITION_ROOT)
        .filter((path) => FORBIDDEN.some((re) => re.test(readFileSync(join(ROOT, path), 'utf8'))));
      expect(offenders).toEqual([]);
    });
  }

  it('GIVEN every file under adapters/ THEN none reaches into the core: only the port (src/chat), texts, errors, ops', () => {
    const CORE_INSIDES = /from ['"](\.\.\/)+src\/(service|store|wecom|policy|config|app)[./'"]/;
    const offenders = sources('adapters').filter((path) =>
      CORE_INSIDES.test(readFileSync(join(ROOT, path), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('GIVEN src/ and commands/ THEN no chat platform is named in code (src/main.ts, the composition root, aside)', () => {
    const named = ['src', 'commands']
      .flatMap(sources)
      .filter((path) => relative('.', path) !== COMPOSITION_ROOT)
      .flatMap((path) =>
        readFileSync(join(ROOT, path), 'utf8')
          .split('\n')
          .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
          .filter((line) => /slack|discord/i.test(line))
          .map((line) => `${path}: ${line.trim()}`),
      );
    expect(named).toEqual([]);
  });
});
