// Writing results/latest.json and results/latest.md (and results/gcn-scale.svg).
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderMarkdownReport } from './report.js';
import type { BenchEntry, BenchFile, BenchHeader } from './results.js';
import { scaleSvg } from './scale-report.js';

/** apps/bench/results. */
export const DEFAULT_RESULTS_DIR = fileURLToPath(new URL('../results', import.meta.url));

/** The results file's JSON text. */
export function benchFileJson(header: BenchHeader, entries: readonly BenchEntry[]): string {
  const file: BenchFile = [header, ...entries];
  return `${JSON.stringify(file, null, 2)}\n`;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/**
 * Writes latest.json and latest.md into `dir`, and gcn-scale.svg when the run has `gcn-scale`
 * entries; returns their paths.
 */
export async function writeResults(
  dir: string,
  header: BenchHeader,
  entries: readonly BenchEntry[],
): Promise<{ json: string; markdown: string; svg?: string }> {
  await mkdir(dir, { recursive: true });
  const json = path.join(dir, 'latest.json');
  const markdown = path.join(dir, 'latest.md');
  await writeAtomic(json, benchFileJson(header, entries));
  await writeAtomic(markdown, renderMarkdownReport(header, entries));
  const plot = scaleSvg(entries);
  const svg = plot === undefined ? undefined : path.join(dir, 'gcn-scale.svg');
  if (svg !== undefined) await writeAtomic(svg, plot!);
  await rm(path.join(dir, 'partial.json.tmp'), { force: true });
  return { json, markdown, ...(svg === undefined ? {} : { svg }) };
}

/** Entries so far, so a long run that dies leaves its figures behind (results/partial.json.tmp). */
export async function writePartial(dir: string, entries: readonly BenchEntry[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'partial.json.tmp'), `${JSON.stringify(entries, null, 2)}\n`);
}
