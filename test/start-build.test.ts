import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnGroup } from './fixtures/child-process.js';

/**
 * `npm start` runs compiled JavaScript: its prestart (scripts/build.mjs) compiles src/main.ts to dist/ when
 * dist/ is missing or older than a source, then `node dist/main.js` runs. Driven as a person runs it, from
 * the project folder, on the console adapter and the embedded sandbox.
 */
const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const home = mkdtempSync(join(tmpdir(), 'contactway-start-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function npmStart(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnGroup('npm', ['start', '--silent'], {
      cwd: ROOT,
      // No credentials: the console adapter on the sandbox; the store in a temp folder.
      env: { PATH: process.env.PATH ?? '', HOME: home, STORE_URL: `sqlite://${join(home, 'cw.sqlite')}` },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.stdin.end('help\n');
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The files main.js imports statically (`import … from "./chunk-….js"`), itself included. */
function loadedAtStart(): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(DIST, file), 'utf8');
    for (const m of code.matchAll(/^(?:import|export)[^;]*?from\s*"\.\/([^"]+)"/gms)) visit(m[1] as string);
  };
  visit('main.js');
  return [...seen];
}

describe('npm start runs compiled JavaScript', () => {
  it('GIVEN no dist/ (a fresh clone) THEN npm start compiles once, runs node on the output, and the next start does not compile again', async () => {
    rmSync(DIST, { recursive: true, force: true });
    const first = await npmStart();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('compiled');
    expect(first.stdout).toContain('/contactway temp <user>');
    expect(existsSync(join(DIST, 'main.js'))).toBe(true);

    const second = await npmStart();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('compiled');
    expect(second.stdout).toContain('/contactway temp <user>');
  }, 60_000);

  it('GIVEN the compiled output THEN the adapters, the sandbox and the Redis/PostgreSQL clients are still loaded only when used', () => {
    const code = loadedAtStart()
      .map((f) => readFileSync(join(DIST, f), 'utf8'))
      .join('\n');
    for (const lazy of ['discord.js', '@slack/bolt', '@keyv/redis', '@keyv/postgres', 'qrcode', 'jsqr']) {
      expect(code, lazy).not.toMatch(new RegExp(`^import[^;]*?from\\s*"${lazy}"`, 'ms'));
    }
    expect(code).toMatch(/await import\("\.\/slack-[A-Z0-9]+\.js"\)/);
    expect(code).toMatch(/await import\("\.\/discord-[A-Z0-9]+\.js"\)/);
  });
});
