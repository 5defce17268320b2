/**
 * Planetoid citation graphs (Cora, CiteSeer, PubMed and anything in their shape) from plain arrays:
 * what both loaders share, the folder reader of `@tensorloom/graph/node` and `@tensorloom/datasets`.
 * Browser-safe.
 */
import { Generator, ValueError, eye, randn, type Tensor } from '@tensorloom/core-tensor';
import { cooToCsr } from '../csr.js';
import { createGraphDataset, type GraphDataset } from '../dataset.js';
import { DatasetNotFoundError } from '../errors.js';
import { checkPlannedSize } from '../size.js';
import { checkSplit } from '../split.js';
import { UndirectedGraph, type AnyGraph } from '../graphology.js';
import { NodeIndex } from '../node-index.js';
import { wrapEdgeIndex, wrapFloat, wrapInt32 } from '../tensors.js';

/**
 * Where node features come from: `'file'` the features the dataset ships (a folder's
 * `features.csv`, the bag-of-words of Cora and CiteSeer); `'identity'` one-hot node ids `[N, N]`;
 * `'random'` standard-normal `[N, numRandomFeatures]` drawn from `seed`.
 */
export type PlanetoidFeatures = 'file' | 'identity' | 'random';

export interface PlanetoidFeatureOptions {
  /** See `PlanetoidFeatures`. Default: `'file'` where the dataset has features. */
  features?: PlanetoidFeatures;
  /**
   * Width of random features (default 64: random features carry nothing but a near-unique node
   * signature, and PubMed's real width, 500, would take ~10M normal draws for no gain).
   */
  numRandomFeatures?: number;
  /** Seed of the random features (default 0). */
  seed?: number;
  /**
   * Bytes the dataset may plan to allocate (default: 90 % of the machine's memory). A node or
   * feature count that needs more is a `GraphSizeError`, raised before allocating.
   */
  maxBytes?: number;
}

/** The feature width `features` gives: the dataset's own, `numNodes` (identity) or `numRandomFeatures`. */
export function featureWidth(numNodes: number, numFeatures: number | null, options: PlanetoidFeatureOptions): number {
  const mode = options.features ?? 'file';
  return mode === 'identity' ? numNodes : mode === 'random' ? (options.numRandomFeatures ?? 64) : (numFeatures ?? 0);
}

/**
 * Throws a `GraphSizeError` naming `field` when a dataset of `numNodes` nodes and `width` features
 * needs more than `maxBytes`: x float32 `[N, F]`, and per node the labels, the CSR row pointers and
 * the index (about 16 bytes).
 */
export function checkPlanetoidSize(op: string, field: string, numNodes: number, width: number, maxBytes?: number): void {
  checkPlannedSize(
    op,
    field,
    [
      { what: `x float32 [${numNodes}, ${width}]`, elements: numNodes * width, bytesPerElement: 4 },
      { what: 'labels, row pointers and index', elements: 4 * numNodes, bytesPerElement: 4 },
    ],
    maxBytes,
  );
}

/** Sparse node features as the coordinates of their non-zeros (value 1 where `values` is absent). */
export interface SparseFeatureList {
  readonly numFeatures: number;
  readonly nodes: Int32Array;
  readonly columns: Int32Array;
  readonly values?: ArrayLike<number>;
}

/** A Planetoid-style dataset as arrays: what `planetoidDataset` turns into a `GraphDataset`. */
export interface PlanetoidArrays {
  readonly name: string;
  readonly numNodes: number;
  /** Default: the largest label + 1. */
  readonly numClasses?: number;
  /** Undirected edges, each pair once or more, in either direction; self-loops are dropped. */
  readonly source: Int32Array;
  readonly target: Int32Array;
  /** One label per node, -1 for an unlabelled node. */
  readonly labels: Int32Array;
  readonly split: { readonly train: Int32Array; readonly val: Int32Array; readonly test: Int32Array };
  /** The dataset's own features, or null when it ships none (PubMed here). */
  readonly features: SparseFeatureList | null;
}

const IDENTITY_LIMIT = 2 ** 27;

function checkIds(op: string, what: string, values: Int32Array, limit: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v < limit)) throw new ValueError(`${op}: ${what} holds ${v} at position ${i}, expected an id in [0, ${limit})`);
  }
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

function featureMatrix(op: string, arrays: PlanetoidArrays, options: PlanetoidFeatureOptions): Tensor {
  const { name, numNodes, features } = arrays;
  const mode = options.features ?? 'file';
  if (mode === 'file') {
    if (features === null) {
      throw new DatasetNotFoundError(`${op}: ${name} ships no node features; pass features: 'identity' or 'random'`);
    }
    const { numFeatures, nodes, columns, values } = features;
    if (nodes.length !== columns.length || (values !== undefined && values.length !== nodes.length)) {
      throw new ValueError(
        `${op}: the feature coordinates disagree in length: ${nodes.length} ` +
          `nodes, ${columns.length} columns, ${values?.length ?? 'no'} values`,
      );
    }
    checkIds(op, 'the feature nodes', nodes, numNodes);
    checkIds(op, 'the feature columns', columns, numFeatures);
    const data = new Float32Array(numNodes * numFeatures);
    for (let i = 0; i < nodes.length; i++) data[nodes[i]! * numFeatures + columns[i]!] = values ? values[i]! : 1;
    return wrapFloat(data, 'float32', [numNodes, numFeatures]);
  }
  if (mode === 'identity') {
    if (numNodes * numNodes > IDENTITY_LIMIT) {
      throw new ValueError(
        `${op}: identity features for ${name} would be [${numNodes}, ${numNodes}] ` +
          `(${((numNodes * numNodes * 4) / 2 ** 30).toFixed(1)} GiB); use features: 'random'`,
      );
    }
    return eye(numNodes);
  }
  if (mode === 'random') {
    const width = options.numRandomFeatures ?? 64;
    if (!Number.isInteger(width) || width < 1) throw new ValueError(`${op}: numRandomFeatures must be a positive integer, got ${width}`);
    return randn([numNodes, width], { generator: new Generator(options.seed ?? 0) });
  }
  throw new ValueError(`${op}: features must be 'file', 'identity' or 'random', got ${String(mode)}`);
}

/**
 * A Planetoid dataset from its arrays, as PyG's `Planetoid(…, split='public')` gives it:
 * `edgeIndex` int32 `[2, E]` holds both directions of every edge, sorted, without self-loops or
 * repeats (Cora 10556, CiteSeer 9104, PubMed 88648 columns); `x` float32 `[N, F]`, *not*
 * row-normalised (use `normalizeFeatures`); `y` int32 with -1 for unlabelled nodes; the split as
 * int32 node rows; the graphology `graph` (an `UndirectedGraph`, nodes `'0' … 'N-1'` with a `label`
 * attribute) built on first access.
 *
 * Throws `ValueError` for ids outside `[0, numNodes)`, `SplitError` (a `ValueError`) for split
 * parts that overlap, repeat a node or name one out of range, `GraphSizeError` for sizes over
 * `maxBytes`, and `DatasetNotFoundError` for `features: 'file'` on a dataset without features.
 *
 * @example
 * const data = planetoidDataset({ name: 'tiny', numNodes: 3, source: Int32Array.of(0, 1), target: Int32Array.of(1, 2),
 *   labels: Int32Array.of(0, 1, 0), split: { train: Int32Array.of(0), val: Int32Array.of(1), test: Int32Array.of(2) }, features: null },
 *   { features: 'identity' });
 * data.edgeIndex.shape; // [2, 4]
 */
export function planetoidDataset(arrays: PlanetoidArrays, options: PlanetoidFeatureOptions = {}): GraphDataset {
  const op = 'planetoidDataset';
  const { name, numNodes, source, target, labels, split } = arrays;
  if (!Number.isInteger(numNodes) || numNodes < 0) throw new ValueError(`${op}: numNodes must be a non-negative integer, got ${numNodes}`);
  if (source.length !== target.length) throw new ValueError(`${op}: ${source.length} edge sources but ${target.length} targets`);
  if (labels.length !== numNodes) throw new ValueError(`${op}: ${labels.length} labels for ${numNodes} nodes`);
  const declaredFeatures = arrays.features?.numFeatures ?? null;
  if (declaredFeatures !== null && !(Number.isInteger(declaredFeatures) && declaredFeatures >= 0)) {
    throw new ValueError(`${op}: numFeatures must be a non-negative integer, got ${declaredFeatures}`);
  }
  checkPlanetoidSize(op, `${name}: ${numNodes} nodes`, numNodes, featureWidth(numNodes, declaredFeatures, options), options.maxBytes);
  checkIds(op, 'the edge sources', source, numNodes);
  checkIds(op, 'the edge targets', target, numNodes);
  checkSplit(split, numNodes, `${op}: ${name}`);
  let maxLabel = -1;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < -1) throw new ValueError(`${op}: node ${i} has label ${label}, expected a class id or -1`);
    if (label > maxLabel) maxLabel = label;
  }
  const numClasses = arrays.numClasses ?? maxLabel + 1;
  if (maxLabel >= numClasses) throw new ValueError(`${op}: a node has label ${maxLabel}, but numClasses is ${numClasses}`);

  const x = featureMatrix(op, arrays, options);
  const edgeIndex = symmetricEdgeIndex(source, target, numNodes);
  const y = Int32Array.from(labels);
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
    name,
    graph,
    index: NodeIndex.range(numNodes),
    x,
    y: wrapInt32(y),
    edgeIndex,
    numNodes,
    numFeatures: x.shape[1]!,
    numClasses,
    trainIndex: wrapInt32(Int32Array.from(split.train)),
    valIndex: wrapInt32(Int32Array.from(split.val)),
    testIndex: wrapInt32(Int32Array.from(split.test)),
  });
}
