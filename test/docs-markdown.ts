import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Reading the guides the way a newcomer's browser does: code spans, links, headings, tables. */

export const ROOT = join(import.meta.dirname, '..');

/** Every guide: the README, docs/, each adapter's, the bench's and the sandbox's. */
export function guideFiles(): string[] {
  const inDocs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  const adapters = readdirSync(join(ROOT, 'adapters'))
    .map((name) => `adapters/${name}/README.md`)
    .filter((path) => existsSync(join(ROOT, path)));
  return ['README.md', ...inDocs, ...adapters, 'bench/README.md', 'src/sandbox/README.md'];
}

export function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** The text outside fenced code blocks (``` … ```), where links and code spans mean what they say. */
export function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
}

/** The contents of every inline code span (`…`) outside fenced blocks. */
export function codeSpans(markdown: string): string[] {
  return [...prose(markdown).matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? '');
}

/** `[text](target)` links outside code, with the target split into the file part and the #anchor. */
export function links(markdown: string): { target: string; file: string; anchor?: string }[] {
  const text = prose(markdown).replace(/`[^`\n]+`/g, '');
  return [...text.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => {
    const target = m[1] ?? '';
    const [file = '', anchor] = target.split('#');
    return { target, file, ...(anchor === undefined ? {} : { anchor }) };
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped (letters of any script kept), spaces → `-`. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export function anchorsOf(markdown: string): Set<string> {
  return new Set([...prose(markdown).matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1] ?? '')));
}

/**
 * What is wrong with each relative link of a guide: a file that does not exist, or an anchor that is not one
 * of the target's headings. Web links are not fetched.
 */
export function brokenLinks(path: string): string[] {
  const problems: string[] = [];
  for (const link of links(read(path))) {
    if (/^[a-z]+:/i.test(link.target)) continue;
    const file = link.file === '' ? path : relative(ROOT, join(ROOT, dirname(path), link.file));
    if (!existsSync(join(ROOT, file))) {
      problems.push(`${path}: ${link.target} (no file ${file})`);
      continue;
    }
    if (link.anchor !== undefined && file.endsWith('.md') && !anchorsOf(read(file)).has(link.anchor))
      problems.push(`${path}: ${link.target} (no heading #${link.anchor} in ${file})`);
  }
  return problems;
}

/** The rows of the first table after a heading, as cells (header and separator left out). */
export function tableAfter(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) return [];
  const lines = markdown.slice(start).split('\n').slice(2);
  const first = lines.findIndex((line) => line.startsWith('|'));
  if (first < 0) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}
