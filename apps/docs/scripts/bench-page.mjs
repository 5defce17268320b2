#!/usr/bin/env node
/**
 * The benchmarks page: `benchmarks.md` from the results `pnpm bench` writes in apps/bench, the full
 * run (`results/latest.json`, required) and the GCN/GAT run (`results/gnn/latest.json`, when there
 * is one). The tables, the ratios, the workload catalogue and the schema check are apps/bench's own
 * (`src/report.ts`, `src/workloads.ts`, `src/results.ts`, loaded from source with tsx), so the page
 * shows what `results/latest.md` shows, grouped by workload and with the machine of each run.
 *
 * A missing or malformed results file is a BenchResultsError naming the file and what was expected.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const OUT = new URL('../benchmarks.md', import.meta.url);
const BENCH_README = 'https://github.com/tensorloom/tensorloom/tree/main/apps/bench#readme';

/** The results files, in page order: the full run first. */
const RUNS = [
  { file: new URL('../../bench/results/latest.json', import.meta.url), required: true },
  { file: new URL('../../bench/results/gnn/latest.json', import.meta.url), required: false },
];

/** How each workload kind of apps/bench's catalogue (`WorkloadSpec['kind']`) is introduced. */
const FAMILIES = {
  gemm: {
    title: 'Matrix products (GEMM)',
    about:
      'float32 `C = op(A)·op(B)`, op(A) `[m, k]` and op(B) `[k, n]`, named `gemm-{m}x{k}x{n}-{variant}`: the first letter of the ' +
      'variant says whether A is read transposed (T) or not (N), the second the same for B. GFLOP/s = 2·m·k·n / time.',
  },
  'char-lstm': {
    title: 'Character LSTM training',
    about:
      'One training step: embedding → LSTM → linear → cross-entropy over batch × sequence → backward → Adam (lr 1e-3). ' +
      'chars/s = batch × sequence / step time.',
  },
  gnn: {
    title: 'GCN and GAT training on Cora',
    about:
      'One full-batch training epoch on Cora (2708 nodes, 1433 row-normalised bag-of-words features, 7 classes): forward on ' +
      'every node, cross-entropy on the 140 training nodes, backward, Adam with weight decay. epochs/s = 1 / epoch time.',
  },
  forecast: {
    title: 'Recurrent graph networks: forecasting',
    about:
      'One training epoch of a recurrent graph cell (GConvGRU) on the chickenpox signal: every training week with the state ' +
      'carried, ReLU, a linear head, the MSE, backward through all steps, Adam. epochs/s = 1 / epoch time.',
  },
  sample: {
    title: 'Character generation',
    about:
      'Generating characters from the textgen default model (embedding → 2 × LSTM → linear) for a batch of sequences at once, ' +
      'each step feeding the drawn characters back with the carried state, temperature-1 multinomial draws, no gradients. ' +
      'chars/s = batch × length / time.',
  },
  'gnn-scale': {
    title: 'GCN on growing power-law graphs',
    about:
      'GCN training epochs (the Cora recipe) on seeded synthetic power-law graphs of 10⁴ to 10⁶ nodes (average degree 10, 128 ' +
      'features), the same graph file for every implementation: how time and peak memory grow with the number of edges.',
  },
};

/** A results file that is missing or is not what `pnpm bench` writes. */
export class BenchResultsError extends Error {
  /**
   * @param {URL} file the results file
   * @param {string} problem what is wrong with it
   */
  constructor(file, problem) {
    const path = relative(REPO, fileURLToPath(file));
    super(
      `${path}: ${problem}. Expected the JSON array that \`pnpm bench\` writes (apps/bench/src/results.ts): first the header ` +
        "{ kind: 'header', date, command, machine: { cpu, cores, node, loadAverage, … }, versions, notices, seconds }, then one " +
        "{ kind: 'result', workload, impl, implId, threads, value, unit, status, … } per workload × implementation. " +
        'Run `pnpm bench` (apps/bench/README.md) to write it.',
    );
    this.name = 'BenchResultsError';
    this.file = path;
  }
}

const results = await tsImport('../../bench/src/results.ts', import.meta.url);
const report = await tsImport('../../bench/src/report.ts', import.meta.url);
const workloads = await tsImport('../../bench/src/workloads.ts', import.meta.url);
const catalogue = new Map(workloads.allWorkloads().map((spec) => [spec.name, spec]));

/**
 * The header and entries of one results file, checked with apps/bench's schema plus what this page
 * prints of the header.
 * @param {URL} file
 */
function readRun(file) {
  if (!existsSync(file)) throw new BenchResultsError(file, 'the file does not exist');
  let data;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BenchResultsError(file, `it is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const problems = results.validateBenchFile(data);
  const header = Array.isArray(data) ? data[0] : undefined;
  const machine = header?.machine;
  const isLoad = (load) => Array.isArray(load) && load.every((x) => typeof x === 'number');
  if (machine && (typeof machine.cpu !== 'string' || typeof machine.cores !== 'number' || typeof machine.node !== 'string')) {
    problems.push('header.machine lacks cpu, cores or node');
  }
  if (machine && (!isLoad(machine.loadAverage) || (machine.loadAverageEnd !== undefined && !isLoad(machine.loadAverageEnd)))) {
    problems.push('header.machine.loadAverage is not a list of numbers');
  }
  if (machine && machine.simd !== undefined && !(Array.isArray(machine.simd) && machine.simd.every((f) => typeof f === 'string'))) {
    problems.push('header.machine.simd is not a list of strings');
  }
  if (header?.kind === 'header' && (typeof header.command !== 'string' || typeof header.seconds !== 'number')) {
    problems.push('header.command or header.seconds is missing');
  }
  if (problems.length === 0 && data.length === 1) problems.push('it holds no results');
  if (problems.length > 0) {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new BenchResultsError(file, `${problems.slice(0, 5).join('; ')}${more}`);
  }
  const [, ...entries] = data;
  return { header, entries };
}

/** Text for Markdown that Vue compiles: no tag and no `{{` can come out of it. */
function escapeText(text) {
  return String(text).replace(/[<>{}]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Inline code, unless the text holds what only entities keep from Vue (and entities show as such in code). */
function codeSpan(text) {
  return /[<>{}`]/.test(text) ? escapeText(text) : `\`${text}\``;
}

/** `2026-11-26 01:56 UTC`. */
function formatDate(iso) {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function formatLoad(load) {
  return load.map((x) => x.toFixed(2)).join(', ');
}

/** A two-column table of what the run recorded about itself, its machine and the versions measured. */
function machineTable(header) {
  const m = header.machine;
  const load = `${formatLoad(m.loadAverage)} at the start${m.loadAverageEnd ? `; ${formatLoad(m.loadAverageEnd)} at the end` : ''}`;
  const rows = [
    ['date', formatDate(header.date)],
    ['command', codeSpan(header.command)],
    ['duration', `${Math.round(header.seconds)} s`],
    ['CPU', escapeText(m.cpu)],
    ...(Array.isArray(m.simd) ? [['SIMD flags', m.simd.length > 0 ? m.simd.map((f) => `\`${f}\``).join(' ') : 'none listed']] : []),
    ['cores', String(m.cores)],
    ...(typeof m.memoryGiB === 'number' ? [['memory', `${m.memoryGiB} GiB`]] : []),
    ...(typeof m.platform === 'string' ? [['platform', escapeText(m.platform)]] : []),
    ['Node', escapeText(m.node)],
    ['load average (1, 5, 15 min)', load],
    ...Object.entries(header.versions).map(([name, version]) => [escapeText(name), escapeText(version)]),
  ];
  return ['| | |', '| --- | --- |', ...rows.map((row) => `| ${row.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`)].join('\n');
}

/** One line on a workload, from its spec in apps/bench's catalogue (none for the GEMMs: the name says it). */
function workloadDetails(spec) {
  if (spec.kind === 'char-lstm') {
    const layers = `${spec.layers} layer${spec.layers > 1 ? 's' : ''}`;
    const sizes = `vocabulary ${spec.vocab}, embedding ${spec.embedding}, hidden ${spec.hidden}`;
    return `${sizes}, ${layers}, batch ${spec.batch}, sequence ${spec.seq}`;
  }
  if (spec.kind === 'gnn') {
    const model =
      spec.model === 'gat' ? `GAT, ${spec.heads} heads × ${spec.hidden}, ${spec.outHeads} output head` : `GCN, hidden ${spec.hidden}`;
    const attention = spec.attentionDropout > 0 ? `, attention dropout ${spec.attentionDropout}` : '';
    return `${model}, dropout ${spec.dropout}${attention}, lr ${spec.lr}, weight decay ${spec.weightDecay}, ${spec.features} features`;
  }
  if (spec.kind === 'sample') {
    const model = `embedding ${spec.embedding}, ${spec.layers} × LSTM ${spec.hidden}, vocabulary ${spec.vocab}`;
    return `${model}, batch ${spec.batch}, ${spec.length} characters`;
  }
  if (spec.kind === 'gnn-scale') {
    const graph = `${spec.nodes.toLocaleString('en')} nodes, average degree ${spec.avgDegree}`;
    return `GCN, hidden ${spec.hidden}, ${graph}, ${spec.features} features`;
  }
  return undefined;
}

/** A run's sections: one per workload family, each with the throughput, ratio and memory tables. */
function runSections(entries) {
  const families = new Map();
  for (const entry of entries) {
    const kind = catalogue.get(entry.workload)?.kind ?? 'other';
    families.set(kind, [...(families.get(kind) ?? []), entry]);
  }
  const lines = [];
  for (const [kind, familyEntries] of families) {
    const family = FAMILIES[kind] ?? { title: 'Other workloads' };
    lines.push(`### ${family.title}`, '');
    if (family.about) lines.push(family.about, '');
    const details = [...new Set(familyEntries.map((entry) => entry.workload))]
      .map((name) => [name, catalogue.has(name) ? workloadDetails(catalogue.get(name)) : undefined])
      .filter(([, text]) => text !== undefined);
    if (details.length > 0) lines.push(...details.map(([name, text]) => `- ${codeSpan(name)}: ${text}`), '');
    for (const table of report.tablesOf(familyEntries)) lines.push(escapeText(report.renderMarkdown(table)), '');
  }
  return lines;
}

/** The run's heading: what it measured, and when. */
function runTitle(header, entries) {
  const kinds = [...new Set(entries.map((entry) => catalogue.get(entry.workload)?.kind ?? 'other'))];
  // Sentence case after the first: 'Character LSTM training' → 'character LSTM training', 'GCN …' stays.
  const titles = kinds.map((kind, i) => {
    const title = FAMILIES[kind]?.title ?? 'Other workloads';
    return i > 0 && /^[A-Z][a-z]/.test(title) ? title[0].toLowerCase() + title.slice(1) : title;
  });
  const what = titles.length > 1 ? `${titles.slice(0, -1).join(', ')} and ${titles.at(-1)}` : titles[0];
  return `${what}${header.quick ? ' (quick run)' : ''}, ${header.date.slice(0, 10)}`;
}

function page(runs) {
  const lines = [
    '# Benchmarks',
    '',
    'tensorloom measured side by side with PyTorch, TensorFlow.js and brain.js: in the same run, on the same machine and',
    'the same data, each workload × implementation in a process of its own. Each column is an implementation:',
    '`tensorloom-js` is tensorloom on its pure-TypeScript backend, `tensorloom-wasm-1t` and `-2t` on its WebAssembly SIMD',
    'backend with one and two threads, `pytorch-1t` and `-2t` PyTorch with one and two threads. A figure is the best of',
    'several timed runs after warm-up, higher is better; `<x` marks a run that did not finish (its figure is below x).',
    "A ratio is the fastest tensorloom column with at most the peer's threads over the peer: above 1, tensorloom is",
    'faster. Where the load average is high the machine was busy with other jobs, and single figures move by up to',
    '±20 % between runs, so read rows rather than cells. The method, the code behind each column and the substitutions',
    `some columns need are in [apps/bench](${BENCH_README}).`,
    '',
  ];
  for (const { header, entries } of runs) {
    lines.push(`## ${runTitle(header, entries)}`, '', machineTable(header), '', ...runSections(entries));
    const notes = report.entryNotes(entries);
    if (notes.length > 0) lines.push('Notes:', '', ...notes.map((note) => `- ${escapeText(note)}`), '');
    if (header.notices.length > 0) lines.push('Notices:', '', ...header.notices.map((notice) => `- ${escapeText(notice)}`), '');
  }
  lines.push(
    '## Run them yourself',
    '',
    'From a clone of the repository, after `pnpm install`:',
    '',
    '```sh',
    'pnpm bench              # every workload and implementation (about 30 minutes on 2 cores)',
    'cd apps/bench',
    'pnpm bench --quick      # the 128×1280×4096 GEMMs and char-LSTM config A, shorter timing (under 5 minutes)',
    'pnpm bench --only gcn-cora,gat-cora --out results/gnn   # the GCN and GAT workloads alone',
    'pnpm bench --list       # what would run',
    '```',
    '',
    'The PyTorch columns need Python with torch 1.13 (Debian: `apt-get install python3-torch libopenblas0-pthread`); a',
    'column whose library does not load is skipped with a notice. A run rewrites `apps/bench/results/latest.json` and',
    '`latest.md` (or those under `--out`), and this page is generated from them when the site is built.',
    '',
  );
  return lines.join('\n');
}

try {
  const runs = RUNS.filter((run) => run.required || existsSync(run.file)).map((run) => readRun(run.file));
  writeFileSync(OUT, page(runs));
} catch (error) {
  if (!(error instanceof BenchResultsError)) throw error;
  process.stderr.write(`bench-page: ${error.name}: ${error.message}\n`);
  process.exitCode = 1;
}
