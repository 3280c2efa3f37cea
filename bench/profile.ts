import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that a summary needs. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Length of the analysed window (the burst), ms. */
  windowMs: number;
  /** Sampled time not idle (JS, GC, native), ms. */
  busyMs: number;
  /** Self time by where the code lives: our file, an npm package, node internals, GC… */
  byPlace: { place: string; selfMs: number }[];
  /** Samples with any frame in src/, adapters/ or commands/ on the stack: our code and all it called. */
  oursInclusiveMs: number;
  /** Samples whose innermost frame is ours: our own JS, without what it called. */
  oursSelfMs: number;
  /** Our functions by inclusive time (each sample counted once per function). */
  ourFunctions: { fn: string; inclusiveMs: number }[];
}

/** Our sources through tsx, or the bench's compiled copy of the bot (see bundle.ts), which is all ours. */
const OURS = /^(src|adapters|commands)\/|^bot bundle/;
/** Where bundle.ts writes the compiled bot: under node_modules, but none of it is a package. */
const BUNDLE = /\/node_modules\/\.cache\/contactway-bench\/[^/]+\/bot\/(.+)$/;

/**
 * Summarises the samples of a profile that fall in `[fromEndMs[0], fromEndMs[1]]` before its end (the
 * burst), so start-up work (module loading, tsx's transforms) does not drown the per-request work.
 */
export function summariseProfile(path: string, root: string, fromEndMs: [number, number]): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const place = (url: string, fn: string): string => {
    if (!url) return fn.startsWith('(') ? fn : '(native)';
    if (url.startsWith('node:')) return 'node internals';
    const bundled = BUNDLE.exec(url)?.[1];
    if (bundled) return `bot bundle ${bundled}`;
    // The innermost package: @discordjs/rest's own undici (which Node's fetch then uses too) is `undici`.
    const pkg = [...url.matchAll(/\/node_modules\/((?:@[^/]+\/)?[^/]+)(?=\/)/g)].at(-1)?.[1];
    if (pkg) return pkg;
    const file = url.startsWith('file://') ? relative(root, new URL(url).pathname) : url;
    return file;
  };

  const from = profile.endTime - fromEndMs[0] * 1000;
  const to = profile.endTime - fromEndMs[1] * 1000;
  const self = new Map<string, number>();
  const ourFns = new Map<string, number>();
  let busy = 0;
  let oursInclusive = 0;
  let oursSelf = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t > to) continue;
    // The time until the next sample is what this sample stands for.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const leaf = byId.get(profile.samples[i] as number);
    if (!leaf) continue;
    const leafPlace = place(leaf.callFrame.url, leaf.callFrame.functionName);
    self.set(leafPlace, (self.get(leafPlace) ?? 0) + ms);
    if (leafPlace === '(idle)') continue;
    busy += ms;
    if (OURS.test(leafPlace)) oursSelf += ms;
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)?.callFrame;
      if (!frame) break;
      const p = place(frame.url, frame.functionName);
      if (!OURS.test(p)) continue;
      seen.add(`${frame.functionName || '(anonymous)'} ${p}`);
    }
    if (seen.size > 0) oursInclusive += ms;
    for (const fn of seen) ourFns.set(fn, (ourFns.get(fn) ?? 0) + ms);
  }
  const top = <K extends string>(m: Map<string, number>, key: K, value: string, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => ({ [key]: k, [value]: Math.round(v * 10) / 10 }));
  return {
    windowMs: Math.round((to - from) / 100) / 10,
    busyMs: Math.round(busy * 10) / 10,
    byPlace: top(self, 'place', 'selfMs', 14) as ProfileSummary['byPlace'],
    oursInclusiveMs: Math.round(oursInclusive * 10) / 10,
    oursSelfMs: Math.round(oursSelf * 10) / 10,
    ourFunctions: top(ourFns, 'fn', 'inclusiveMs', 14) as ProfileSummary['ourFunctions'],
  };
}
