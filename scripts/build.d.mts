/** Types of scripts/build.mjs, for the bench (which builds the bot as `npm start` does). */
export declare const DIST: string;
export declare function isStale(): boolean;
/** Compiles src/main.ts (and its lazy chunks) into `outdir`, default dist/. */
export declare function build(outdir?: string): Promise<{ ms: number; files: number }>;
