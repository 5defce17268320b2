/**
 * Every TypeScript block of the guides (guide/*.md) and of the package pages (packages/*.md) runs:
 * each is written to a module inside the docs app and run with `node --import tsx` against the
 * packages' built entry points, as a reader would paste it, and must exit with code 0. The blocks
 * check their own results with `node:assert`, so a page whose prose and code disagree fails here.
 * The guides' blocks must also type-check (strict) against the packages' published types.
 *
 * Two blocks run at a time (SNIPPET_CONCURRENCY to change it); TENSORLOOM_BACKEND passes through.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { extractSnippets, type Snippet } from './snippets/extract.js';
import { limitConcurrency, runSnippet, typecheckSnippets } from './snippets/run.js';

const docsRoot = fileURLToPath(new URL('..', import.meta.url));
/** The folders whose pages' blocks run: the guides (which must have code) and the package pages. */
const GUIDES = 'guide';
const FOLDERS = [GUIDES, 'packages'];
/** A block is killed after this long (each should take well under 10 s). */
const SNIPPET_TIMEOUT_MS = 60_000;

function pagesOf(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(docsRoot, folder));
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `${folder}/${name}`);
}

const pages = FOLDERS.flatMap(pagesOf);
const snippets: Snippet[] = pages.flatMap((page) => extractSnippets(readFileSync(join(docsRoot, page), 'utf8'), page));
const guideSnippets = snippets.filter((s) => s.page.startsWith(`${GUIDES}/`));
const concurrency = Number(process.env.SNIPPET_CONCURRENCY) || Math.min(2, availableParallelism());
const limited = limitConcurrency(concurrency);

let dir = '';
beforeAll(() => {
  // Inside the docs app, so that the snippets' imports resolve through its node_modules.
  dir = mkdtempSync(join(docsRoot, '.snippets-'));
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('every guide has code that runs', () => {
  const guides = pagesOf(GUIDES);
  expect(guides.length).toBeGreaterThan(0);
  for (const page of guides) {
    const blocks = guideSnippets.filter((s) => s.page === page);
    expect(blocks.length, `${page} has no TypeScript block`).toBeGreaterThan(0);
  }
});

describe.concurrent('each block exits with code 0', () => {
  for (const snippet of snippets) {
    const name = `${snippet.page}:${snippet.line} (block ${snippet.index})`;
    test(
      name,
      async () => {
        const run = await limited(() => runSnippet(snippet, { dir, cwd: docsRoot, timeoutMs: SNIPPET_TIMEOUT_MS }));
        const report = [
          `${name} ${run.exitCode === null ? `was killed after ${SNIPPET_TIMEOUT_MS / 1000} s` : `exited with ${run.exitCode}`}`,
          `--- stdout\n${run.stdout}`,
          `--- stderr\n${run.stderr}`,
        ].join('\n');
        expect(run.exitCode, report).toBe(0);
      },
      SNIPPET_TIMEOUT_MS * 3,
    );
  }
});

test(
  'the guides’ blocks type-check against the published types',
  async () => {
    const report = await limited(() => typecheckSnippets(guideSnippets, { dir, cwd: docsRoot, timeoutMs: SNIPPET_TIMEOUT_MS * 2 }));
    expect(report).toBe('');
  },
  SNIPPET_TIMEOUT_MS * 4,
);
