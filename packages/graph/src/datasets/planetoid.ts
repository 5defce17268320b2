/** Planetoid-style CSV folders (Cora, CiteSeer, PubMed and any folder in the same layout). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, ValueError, eye, randn, type Tensor } from '@tensorloom/core-tensor';
import { cooToCsr } from '../csr.js';
import { createGraphDataset, type GraphDataset } from '../dataset.js';
import { DatasetNotFoundError, GraphParseError } from '../errors.js';
import { UndirectedGraph, type AnyGraph } from '../graphology.js';
import { NodeIndex } from '../node-index.js';
import { wrapEdgeIndex, wrapFloat, wrapInt32 } from '../tensors.js';
import { readNumericCsv } from './csv.js';
import { resolveDatasetFolder } from './data-root.js';

export type PlanetoidFeatures = 'file' | 'identity' | 'random';

/** A dataset under the data root (the three shipped ones autocomplete) or a folder path. */
export type PlanetoidName = 'cora' | 'citeseer' | 'pubmed' | (string & NonNullable<unknown>);

export interface LoadPlanetoidOptions {
  /** Folder holding `<name>/` (default `$TENSORLOOM_DATA`, else `../shared/data` from the working directory up). */
  root?: string;
  /**
   * `'file'`: `features.csv` (an error if the folder has none). `'identity'`: one-hot node ids
   * `[N, N]` (refused when that would pass 2^27 values, e.g. PubMed). `'random'`: standard normal
   * `[N, numRandomFeatures]` from `seed`. Default: `'file'` when the folder has `features.csv`,
   * else `'random'`, announced through `onNotice`.
   */
  features?: PlanetoidFeatures;
  /**
   * Width of random features (default 64: random features carry nothing but a near-unique node
   * signature, and PubMed's real width, 500, would take ~10M normal draws for no gain).
   */
  numRandomFeatures?: number;
  /** Seed of the random features (default 0). */
  seed?: number;
  /** Receives notices such as the PubMed feature fallback. Default: print each distinct one to stderr once. */
  onNotice?: (message: string) => void;
}

const IDENTITY_LIMIT = 2 ** 27;
const printed = new Set<string>();

function printOnce(message: string): void {
  if (printed.has(message)) return;
  printed.add(message);
  process.stderr.write(`${message}\n`);
}

interface Meta {
  name?: string;
  numNodes?: number;
  numFeatures?: number;
  numClasses?: number;
}

function readJson(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new GraphParseError(`invalid JSON: ${(error as Error).message}`, file, null);
  }
}

function readMeta(file: string): Meta {
  if (!existsSync(file)) return {};
  const raw = readJson(file);
  if (typeof raw !== 'object' || raw === null) throw new GraphParseError('meta.json must hold an object', file, null);
  const meta = raw as Record<string, unknown>;
  for (const key of ['numNodes', 'numFeatures', 'numClasses']) {
    const v = meta[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
      throw new GraphParseError(`${key} must be a non-negative integer, got ${JSON.stringify(v)}`, file, null);
    }
  }
  return meta as Meta;
}

function requireFile(op: string, folder: string, name: string): string {
  const file = join(folder, name);
  if (!existsSync(file)) throw new DatasetNotFoundError(`${op}: ${file} is missing`);
  return file;
}

function maxOf(values: Int32Array, start = -1): number {
  let max = start;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}

/** Both directions of every listed pair, without self-loops or repeats, sorted by (source, target). */
function symmetricEdgeIndex(source: Int32Array, target: Int32Array, numNodes: number): Tensor {
  const m = source.length;
  const row = new Int32Array(2 * m);
  const col = new Int32Array(2 * m);
  row.set(source, 0);
  row.set(target, m);
  col.set(target, 0);
  col.set(source, m);
  const { rowPtr, colIndex } = cooToCsr(row, col, { shape: [numNodes, numNodes] });
  const data = new Int32Array(4 * m);
  let k = 0;
  for (let i = 0; i < numNodes; i++) {
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) {
      const j = colIndex[p]!;
      if (j === i || (p > rowPtr[i]! && colIndex[p - 1] === j)) continue;
      data[k] = i;
      data[2 * m + k] = j;
      k++;
    }
  }
  const out = new Int32Array(2 * k);
  out.set(data.subarray(0, k), 0);
  out.set(data.subarray(2 * m, 2 * m + k), k);
  return wrapEdgeIndex(out);
}

function readSplit(file: string, numNodes: number): { train: Int32Array; val: Int32Array; test: Int32Array } {
  const raw = readJson(file);
  const part = (name: 'train' | 'val' | 'test'): Int32Array => {
    const list = (raw as Record<string, unknown> | null)?.[name];
    if (!Array.isArray(list)) throw new GraphParseError(`split.json needs a "${name}" array of node ids`, file, null);
    return Int32Array.from(list, (v: unknown) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= numNodes) {
        throw new GraphParseError(`"${name}" holds ${JSON.stringify(v)}, not a node id in [0, ${numNodes})`, file, null);
      }
      return v;
    });
  };
  return { train: part('train'), val: part('val'), test: part('test') };
}

/**
 * Loads a Planetoid citation graph from a CSV folder (as in `../shared/data`, see its README):
 * `edges.csv` (`source,target`, each undirected edge once), `labels.csv` (`node,label`, -1 =
 * unlabelled), `split.json` (`{train, val, test}` node ids), optional `features.csv`
 * (`node,feature[,value]`, sparse, value 1 when absent) and `meta.json` (`numNodes`,
 * `numFeatures`, `numClasses`; inferred from the files when absent).
 *
 * The result is PyG's `Planetoid(…, split='public')`: `edgeIndex` holds both directions of every
 * edge, sorted, without self-loops or repeats (Cora 10556, CiteSeer 9104, PubMed 88648 columns);
 * `x` is float32 `[N, F]` and *not* row-normalised (use `normalizeFeatures`); `y` is int32 with
 * -1 for unlabelled nodes (CiteSeer's 15 nodes without features; the data README calls them
 * isolated, but each has one or two edges); the graphology `graph` (nodes `'0' … 'N-1'` with a
 * `label` attribute) is built on first access.
 *
 * `name` is a folder under the data root (`'cora'`, `'citeseer'`, `'pubmed'`) or a folder path.
 * PubMed ships without features: by default it gets random ones with a notice; ask for
 * `features: 'random'` to silence it. Malformed files throw `GraphParseError` (file and line), a
 * missing folder or file `DatasetNotFoundError`.
 *
 * @example
 * const cora = loadPlanetoid('cora');
 * cora.x.shape;                  // [2708, 1433]
 * cora.trainIndex.shape;         // [140]
 * const x = normalizeFeatures(cora.x);
 */
export function loadPlanetoid(name: PlanetoidName, options: LoadPlanetoidOptions = {}): GraphDataset {
  const op = 'loadPlanetoid';
  const folder = resolveDatasetFolder(op, name, options.root);
  const notice = options.onNotice ?? printOnce;
  const meta = readMeta(join(folder, 'meta.json'));
  const datasetName = meta.name ?? folder.split(/[\\/]/).filter(Boolean).pop() ?? name;
  const nodeLimit = (meta.numNodes ?? 2 ** 31 - 1) - 1;

  const labelsFile = requireFile(op, folder, 'labels.csv');
  const labels = readNumericCsv(readFileSync(labelsFile, 'utf8'), labelsFile, [
    { name: 'node', kind: 'int', range: [0, nodeLimit] },
    { name: 'label', kind: 'int', range: [-1, meta.numClasses === undefined ? 2 ** 31 - 1 : meta.numClasses - 1] },
  ]);
  const edgesFile = requireFile(op, folder, 'edges.csv');
  const edges = readNumericCsv(readFileSync(edgesFile, 'utf8'), edgesFile, [
    { name: 'source', kind: 'int', range: [0, nodeLimit] },
    { name: 'target', kind: 'int', range: [0, nodeLimit] },
  ]);
  const labelNodes = labels.get('node') as Int32Array;
  const labelValues = labels.get('label') as Int32Array;
  const source = edges.get('source') as Int32Array;
  const target = edges.get('target') as Int32Array;

  const featuresFile = join(folder, 'features.csv');
  const hasFeatureFile = existsSync(featuresFile);
  let featureMode = options.features;
  if (featureMode === undefined) {
    featureMode = hasFeatureFile ? 'file' : 'random';
    if (!hasFeatureFile) {
      notice(
        `${op}: ${datasetName} has no features.csv (${folder}); using random standard-normal features. ` +
          `Pass features: 'random' (or 'identity') to choose explicitly and silence this notice.`,
      );
    }
  }
  let features: Map<string, Int32Array | Float64Array> | null = null;
  if (featureMode === 'file') {
    if (!hasFeatureFile) {
      throw new DatasetNotFoundError(`${op}: features: 'file' needs ${featuresFile}, which is missing; use features: 'identity' or 'random'`);
    }
    features = readNumericCsv(readFileSync(featuresFile, 'utf8'), featuresFile, [
      { name: 'node', kind: 'int', range: [0, nodeLimit] },
      { name: 'feature', kind: 'int', range: [0, meta.numFeatures === undefined ? 2 ** 31 - 1 : meta.numFeatures - 1] },
      { name: 'value', kind: 'float', optional: true },
    ]);
  } else if (featureMode !== 'identity' && featureMode !== 'random') {
    throw new ValueError(`${op}: features must be 'file', 'identity' or 'random', got ${String(featureMode)}`);
  }

  const numNodes =
    meta.numNodes ??
    1 + Math.max(maxOf(labelNodes), maxOf(source), maxOf(target), features ? maxOf(features.get('node') as Int32Array) : -1);
  const y = new Int32Array(numNodes).fill(-1);
  for (let i = 0; i < labelNodes.length; i++) y[labelNodes[i]!] = labelValues[i]!;
  const numClasses = meta.numClasses ?? maxOf(labelValues, -1) + 1;

  let x: Tensor;
  if (featureMode === 'file') {
    const nodes = features!.get('node') as Int32Array;
    const columns = features!.get('feature') as Int32Array;
    const values = features!.get('value') as Float64Array | undefined;
    const numFeatures = meta.numFeatures ?? maxOf(columns) + 1;
    const data = new Float32Array(numNodes * numFeatures);
    for (let i = 0; i < nodes.length; i++) data[nodes[i]! * numFeatures + columns[i]!] = values ? values[i]! : 1;
    x = wrapFloat(data, 'float32', [numNodes, numFeatures]);
  } else if (featureMode === 'identity') {
    if (numNodes * numNodes > IDENTITY_LIMIT) {
      throw new ValueError(
        `${op}: identity features for ${datasetName} would be [${numNodes}, ${numNodes}] (${((numNodes * numNodes * 4) / 2 ** 30).toFixed(1)} GiB); use features: 'random'`,
      );
    }
    x = eye(numNodes);
  } else {
    const width = options.numRandomFeatures ?? 64;
    if (!Number.isInteger(width) || width < 1) throw new ValueError(`${op}: numRandomFeatures must be a positive integer, got ${width}`);
    x = randn([numNodes, width], { generator: new Generator(options.seed ?? 0) });
  }

  const split = readSplit(requireFile(op, folder, 'split.json'), numNodes);
  const edgeIndex = symmetricEdgeIndex(source, target, numNodes);
  const graph = (): AnyGraph => {
    const g = new UndirectedGraph();
    for (let i = 0; i < numNodes; i++) g.addNode(String(i), { label: y[i] });
    const pairs = edgeIndex.data;
    const numEdges = edgeIndex.shape[1]!;
    for (let e = 0; e < numEdges; e++) {
      const [u, v] = [pairs[e]!, pairs[numEdges + e]!];
      if (u < v) g.addEdge(String(u), String(v));
    }
    return g;
  };
  return createGraphDataset({
    name: datasetName,
    graph,
    index: NodeIndex.range(numNodes),
    x,
    y: wrapInt32(y),
    edgeIndex,
    numNodes,
    numFeatures: x.shape[1]!,
    numClasses,
    trainIndex: wrapInt32(split.train),
    valIndex: wrapInt32(split.val),
    testIndex: wrapInt32(split.test),
  });
}
