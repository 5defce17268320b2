/**
 * Running the pages' snippets as a reader would: each block is a `.ts` module inside the docs app
 * (so `@tensorloom/*` resolve to the workspace packages' built entry points), run by Node with tsx.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snippet } from './extract.js';

/** What one run of a snippet did. */
export interface SnippetRun {
  /** The exit code, or null when a signal (the timeout) ended it. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** The file name a snippet is written to: `guide-gcn-2.ts` for the second block of guide/gcn.md. */
export function snippetFileName(snippet: Snippet): string {
  return `${snippet.page.replace(/\.md$/, '').replace(/[^a-zA-Z0-9]+/g, '-')}-${snippet.index}.ts`;
}

/**
 * Writes the snippet to `dir` (a folder inside the docs app) and runs it with
 * `node --import tsx` from the docs app's root, killing it after `timeoutMs`.
 */
export function runSnippet(snippet: Snippet, options: { dir: string; cwd: string; timeoutMs: number }): Promise<SnippetRun> {
  const file = join(options.dir, snippetFileName(snippet));
  writeFileSync(file, snippet.code);
  const start = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', file],
      { cwd: options.cwd, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ exitCode, stdout, stderr, seconds: (performance.now() - start) / 1000 });
      },
    );
  });
}

/**
 * Type-checks the snippets of `snippets` together with the TypeScript compiler the docs app
 * depends on (strict, NodeNext resolution against the packages' published `.d.ts`), each as the
 * module `runSnippet` writes. Resolves to the compiler's report ('' when there is no error).
 */
export function typecheckSnippets(snippets: readonly Snippet[], options: { dir: string; cwd: string; timeoutMs: number }): Promise<string> {
  const files = snippets.map((snippet) => {
    const file = join(options.dir, snippetFileName(snippet));
    writeFileSync(file, snippet.code);
    return file;
  });
  const tsconfig = join(options.dir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2022'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      files,
    }),
  );
  const tsc = createRequire(join(options.cwd, 'package.json')).resolve('typescript/bin/tsc');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsc, '-p', tsconfig, '--pretty', 'false'],
      { cwd: options.cwd, timeout: options.timeoutMs, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve(error === null ? '' : `${stdout}${stderr}` || String(error)),
    );
  });
}

/** At most `limit` of the returned function's tasks run at once; the others wait their turn. */
export function limitConcurrency(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    // A finishing task hands its slot straight to the next waiting one, so `running` never exceeds `limit`.
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
