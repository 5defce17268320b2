/**
 * The GNN workloads' data: a Planetoid CSV folder (the format of `loadPlanetoid` of
 * @tensorloom/graph/node) read as plain typed arrays. The tensorloom runner calls `loadPlanetoid`
 * itself; the TF.js runner reads the folder with `readPlanetoid`, so its child loads no tensorloom
 * code; python/bench_torch.py has the same reader. Every implementation gets the same root
 * (`Job.dataRoot`), resolved once by the orchestrator: `$TENSORLOOM_DATA`, `../shared/data`, or else
 * the datasets embedded in @tensorloom/datasets, written out once as such folders (`embeddedDataRoot`).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRAPH_DATASETS, loadGraphDataset, loadPubMed } from '@tensorloom/datasets';
import type { GraphDataset } from '@tensorloom/graph';
import { savePlanetoid } from '@tensorloom/graph/node';
import { missingTemporal, writeEmbeddedTemporal } from './temporal-data.js';

/** The files a Planetoid folder needs for the GNN workloads (features included). */
export const PLANETOID_FILES = ['edges.csv', 'features.csv', 'labels.csv', 'split.json', 'meta.json'] as const;
/** The files a workload with synthetic features reads (`GnnSpec.syntheticFeatures`): the graph, labels and split. */
export const PLANETOID_GRAPH_FILES = ['edges.csv', 'labels.csv', 'split.json', 'meta.json'] as const;

// The bench package folder: children run there, so the search starts where theirs would.
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

function isDirectory(folder: string): boolean {
  return existsSync(folder) && statSync(folder).isDirectory();
}

/**
 * The data root, as `dataRoot()` of @tensorloom/graph finds it: `$TENSORLOOM_DATA` (absolute, or
 * relative to the working directory), else the first `../shared/data` from `from` (default the
 * bench package folder) upwards; null when there is none.
 */
export function findDataRoot(options: { env?: NodeJS.ProcessEnv; from?: string } = {}): string | null {
  const fromEnv = (options.env ?? process.env).TENSORLOOM_DATA;
  if (fromEnv) return path.resolve(fromEnv);
  for (let dir = path.resolve(options.from ?? PACKAGE_DIR); ; dir = path.dirname(dir)) {
    const candidate = path.resolve(dir, '../shared/data');
    if (isDirectory(candidate)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** The embedded graph datasets with features, which `embeddedDataRoot` writes out. */
export const EMBEDDED_DATASETS = (['cora', 'citeseer'] as const).filter((name) => GRAPH_DATASETS[name].numFeatures !== null);

/**
 * A data root holding the datasets embedded in @tensorloom/datasets (Cora, CiteSeer) as Planetoid
 * folders, so a clone with no data beside it still runs the GNN workloads: written under `folder`
 * (default `apps/bench/.data`, ignored by git) on first use and reused while complete.
 */
export async function embeddedDataRoot(options: { folder?: string; log?: (line: string) => void } = {}): Promise<string> {
  const root = path.resolve(options.folder ?? path.join(PACKAGE_DIR, '.data'));
  for (const name of EMBEDDED_DATASETS) {
    if (missingDataset(root, name) === undefined) continue;
    options.log?.(`writing the embedded ${name} (@tensorloom/datasets) to ${path.join(root, name)}`);
    savePlanetoid(await loadGraphDataset(name), path.join(root, name), { overwrite: true });
  }
  if (missingDataset(root, 'pubmed', { features: false }) !== undefined) {
    options.log?.(`writing the embedded pubmed graph (@tensorloom/datasets) to ${path.join(root, 'pubmed')}`);
    writePlanetoidGraph(await loadPubMed({ features: 'random', numRandomFeatures: 1 }), path.join(root, 'pubmed'));
  }
  await writeEmbeddedTemporal(root, options.log);
  return root;
}

/**
 * Writes a Planetoid folder without `features.csv`: `edges.csv` (each undirected edge once,
 * `source < target`, sorted), `labels.csv`, `split.json` and `meta.json` (`featuresIncluded: false`),
 * as /work/shared/data/pubmed holds PubMed (whose features our copy lacks).
 */
export function writePlanetoidGraph(dataset: GraphDataset, folder: string): void {
  const { numNodes, numClasses } = dataset;
  const e = dataset.edgeIndex.shape[1]!;
  const edges = dataset.edgeIndex.data;
  const pairs: string[] = [];
  // edgeIndex is sorted by (source, target) with both directions: the pairs with source < target come out sorted.
  for (let k = 0; k < e; k++) if (edges[k]! < edges[e + k]!) pairs.push(`${edges[k]},${edges[e + k]}\n`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'edges.csv'), `source,target\n${pairs.join('')}`);
  writeFileSync(
    path.join(folder, 'labels.csv'),
    `node,label\n${Array.from(dataset.y.data, (label, node) => `${node},${label}\n`).join('')}`,
  );
  const split = { train: [...dataset.trainIndex.data], val: [...dataset.valIndex.data], test: [...dataset.testIndex.data] };
  writeFileSync(path.join(folder, 'split.json'), `${JSON.stringify(split)}\n`);
  const meta = { name: dataset.name, numNodes, numClasses, featuresIncluded: false };
  writeFileSync(path.join(folder, 'meta.json'), `${JSON.stringify(meta, null, 1)}\n`);
}

/**
 * Why the dataset `name` cannot be read under `root`, or undefined when every file is there: a
 * Planetoid folder (without `features.csv` when `features` is false), or a signal file
 * (`temporal/chickenpox.json`, see temporal-data.ts).
 */
export function missingDataset(root: string | null, name: string, options: { features?: boolean } = {}): string | undefined {
  if (root === null) return `${name} data not found: no data root (set TENSORLOOM_DATA, or keep the data in ../shared/data)`;
  if (name.endsWith('.json')) return missingTemporal(root, name);
  const folder = path.join(root, name);
  const files = options.features === false ? PLANETOID_GRAPH_FILES : PLANETOID_FILES;
  const missing = files.filter((file) => !existsSync(path.join(folder, file)));
  if (missing.length === 0) return undefined;
  return `${name} data not found: ${folder} lacks ${missing.join(', ')} (set TENSORLOOM_DATA to the folder holding ${name}/)`;
}

/** A Planetoid graph as plain arrays. */
export interface PlanetoidArrays {
  numNodes: number;
  numFeatures: number;
  numClasses: number;
  /** `[numNodes, numFeatures]` row-major, every row divided by its sum (zero rows stay zero). */
  x: Float32Array;
  /** Both directions of every listed edge, no self-loops, no repeats, sorted by (source, target). */
  source: Int32Array;
  target: Int32Array;
  /** Label per node, -1 when unlabelled. */
  y: Int32Array;
  /** The public split's training nodes. */
  train: Int32Array;
}

/** `[header, ...rows]` of a small numeric CSV file, each row as integers (a third column may be a float). */
function readRows(file: string): number[][] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const rows: number[][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    rows.push(line.split(',').map(Number));
  }
  return rows;
}

/**
 * Reads the Planetoid folder `<root>/<name>`: the features row-normalised (PyG's
 * `NormalizeFeatures`, `normalizeFeatures` of @tensorloom/graph), the edges in both directions,
 * the labels and the training nodes. Throws when a file is missing.
 */
export function readPlanetoid(root: string, name: string): PlanetoidArrays {
  const folder = path.join(root, name);
  const problem = missingDataset(root, name);
  if (problem !== undefined) throw new Error(problem);
  const meta = JSON.parse(readFileSync(path.join(folder, 'meta.json'), 'utf8')) as {
    numNodes: number;
    numFeatures: number;
    numClasses: number;
  };
  const split = JSON.parse(readFileSync(path.join(folder, 'split.json'), 'utf8')) as { train: number[] };
  const { numNodes, numFeatures, numClasses } = meta;

  const x = new Float32Array(numNodes * numFeatures);
  for (const [node, feature, value] of readRows(path.join(folder, 'features.csv'))) x[node! * numFeatures + feature!] = value ?? 1;
  for (let i = 0; i < numNodes; i++) {
    const row = x.subarray(i * numFeatures, (i + 1) * numFeatures);
    const sum = row.reduce((a, b) => a + b, 0);
    if (sum !== 0) for (let j = 0; j < numFeatures; j++) row[j] = row[j]! / sum;
  }

  const y = new Int32Array(numNodes).fill(-1);
  for (const [node, label] of readRows(path.join(folder, 'labels.csv'))) y[node!] = label!;

  // Both directions of each pair, deduplicated and sorted, as loadPlanetoid's edgeIndex.
  const keys = new Set<number>();
  for (const [u, v] of readRows(path.join(folder, 'edges.csv'))) {
    if (u === v) continue;
    keys.add(u! * numNodes + v!);
    keys.add(v! * numNodes + u!);
  }
  const sorted = Float64Array.from(keys).sort();
  const source = new Int32Array(sorted.length);
  const target = new Int32Array(sorted.length);
  sorted.forEach((key, e) => {
    source[e] = Math.floor(key / numNodes);
    target[e] = key % numNodes;
  });
  return { numNodes, numFeatures, numClasses, x, source, target, y, train: Int32Array.from(split.train) };
}
