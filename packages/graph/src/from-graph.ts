/** Any graphology graph (parsed from GEXF, GraphML, an edge list, or built by hand) → model tensors. */
import { ShapeError, Tensor, ValueError, eye, type FloatDType } from '@tensorloom/core-tensor';
import { createGraphDataset, type GraphDataset } from './dataset.js';
import { toEdgeIndex } from './edge-index.js';
import type { AnyGraph } from './graphology.js';
import { NodeIndex } from './node-index.js';
import { checkPlannedSize } from './size.js';
import { checkSplit } from './split.js';
import { checkFloatDType, newFloatArray, wrapFloat, wrapInt32 } from './tensors.js';

export interface FromGraphOptions {
  /** Row order (default `NodeIndex.fromGraph(graph)`). */
  index?: NodeIndex;
  /**
   * Node attribute holding each node's features: a number (one feature) or an array / typed array
   * of numbers, the same length for every node. Default: none, `x` is the identity `[N, N]`
   * (one-hot node ids, as PyG's KarateClub).
   */
  featureAttribute?: string;
  /**
   * Node attribute holding the class. Integers are class ids as they are; any other value (a
   * string such as `'Mr. Hi'`) is mapped through `classes`. Missing (`undefined`/`null`): -1.
   * Default: none, `y` is null.
   */
  labelAttribute?: string;
  /** Class values in id order (default: the distinct non-integer labels, sorted). */
  classes?: readonly (string | number)[];
  /** Edge attribute holding weights (missing: 1); default unweighted. */
  weightAttribute?: string;
  /** dtype of `x` and `edgeWeight` (default `'float32'`). */
  dtype?: FloatDType;
  /**
   * Bytes the identity features may take (default: 90 % of the machine's memory): they grow as N²,
   * so a graph of 10⁵ nodes without `featureAttribute` is a `GraphSizeError`, not a 40 GB allocation.
   */
  maxBytes?: number;
}

/** The tensors of one graph. */
export interface GraphTensors {
  index: NodeIndex;
  /** `[N, F]`. */
  x: Tensor;
  /** int32 `[N]` (-1 = unlabelled), or null without `labelAttribute`. */
  y: Tensor | null;
  /** int32 `[2, E]`. */
  edgeIndex: Tensor;
  edgeWeight: Tensor | null;
  /** The graph edge of each edge-index column. */
  edgeKeys: readonly string[];
  /** Class values by id when labels were mapped, else null. */
  classes: readonly (string | number)[] | null;
  numNodes: number;
  numFeatures: number;
  /** Number of classes (0 without labels). */
  numClasses: number;
}

function readFeatures(op: string, graph: AnyGraph, index: NodeIndex, attribute: string, dtype: FloatDType): Tensor {
  let width = -1;
  let data = newFloatArray(dtype, 0);
  for (let r = 0; r < index.size; r++) {
    const node = index.key(r);
    const raw: unknown = graph.getNodeAttribute(node, attribute);
    let values: ArrayLike<unknown>;
    if (typeof raw === 'number') values = [raw];
    else if (Array.isArray(raw) || (ArrayBuffer.isView(raw) && !(raw instanceof DataView))) values = raw as ArrayLike<unknown>;
    else throw new ValueError(`${op}: node '${node}' has ${attribute} = ${String(raw)}; expected a number or an array of numbers`);
    if (width === -1) {
      width = values.length;
      data = newFloatArray(dtype, index.size * width);
    } else if (values.length !== width) {
      throw new ShapeError(`${op}: node '${node}' has ${values.length} features in ${attribute}, the first node had ${width}`);
    }
    for (let j = 0; j < width; j++) {
      const v = values[j];
      if (typeof v !== 'number' || Number.isNaN(v))
        throw new ValueError(`${op}: node '${node}' has a non-number feature ${String(v)} in ${attribute}`);
      data[r * width + j] = v;
    }
  }
  return wrapFloat(data, dtype, [index.size, Math.max(width, 0)]);
}

function readLabels(
  op: string,
  graph: AnyGraph,
  index: NodeIndex,
  attribute: string,
  given: readonly (string | number)[] | undefined,
): { y: Tensor; classes: readonly (string | number)[] | null; numClasses: number } {
  const raw = index.keys().map((node) => graph.getNodeAttribute(node, attribute) as unknown);
  const present = raw.filter((v) => v !== undefined && v !== null);
  const y = new Int32Array(index.size).fill(-1);
  const byId = given === undefined && present.every((v) => typeof v === 'number' && Number.isInteger(v));
  if (byId) {
    let numClasses = 0;
    raw.forEach((v, r) => {
      if (v === undefined || v === null) return;
      const id = v as number;
      if (id < -1) throw new ValueError(`${op}: node '${index.key(r)}' has class ${id}; class ids are ≥ 0 (-1 = unlabelled)`);
      y[r] = id;
      numClasses = Math.max(numClasses, id + 1);
    });
    return { y: wrapInt32(y), classes: null, numClasses };
  }
  for (const v of present) {
    if (typeof v !== 'string' && typeof v !== 'number')
      throw new ValueError(`${op}: a ${attribute} value ${String(v)} is neither a string nor a number`);
  }
  const classes =
    given ??
    [...new Set(present as (string | number)[])].sort((a, b) =>
      typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
    );
  const ids = new Map<string | number, number>(classes.map((c, i) => [c, i]));
  raw.forEach((v, r) => {
    if (v === undefined || v === null) return;
    const id = ids.get(v as string | number);
    if (id === undefined)
      throw new ValueError(`${op}: node '${index.key(r)}' has ${attribute} = ${String(v)}, which is not among the classes`);
    y[r] = id;
  });
  return { y: wrapInt32(y), classes, numClasses: classes.length };
}

/**
 * The tensors a GNN needs from any graphology graph: node features `x`, labels `y`, the edge index
 * and weights, all in one row order.
 *
 * Shapes: → x `[N, F]` (`[N, N]` identity without `featureAttribute`), y int32 `[N]`,
 * edgeIndex int32 `[2, E]`, edgeWeight `[E]`.
 * @example
 * const graph = readGexf('social.gexf');
 * const { x, y, edgeIndex } = fromGraph(graph, { featureAttribute: 'features', labelAttribute: 'group' });
 */
export function fromGraph(graph: AnyGraph, options: FromGraphOptions = {}): GraphTensors {
  const op = 'fromGraph';
  const dtype = checkFloatDType(op, options.dtype ?? 'float32');
  const index = options.index ?? NodeIndex.fromGraph(graph);
  const edges = toEdgeIndex(graph, {
    index,
    dtype,
    ...(options.weightAttribute === undefined ? {} : { weightAttribute: options.weightAttribute }),
  });
  if (options.featureAttribute === undefined) {
    // One-hot ids grow as N²: a graph file of 10⁵ nodes would ask for 40 GB.
    const bytesPerElement = dtype === 'float64' ? 8 : 4;
    checkPlannedSize(
      op,
      `identity features for ${index.size} nodes`,
      [{ what: `x ${dtype} [${index.size}, ${index.size}]`, elements: index.size * index.size, bytesPerElement }],
      options.maxBytes,
    );
  }
  const x =
    options.featureAttribute === undefined
      ? eye(index.size, index.size, { dtype })
      : readFeatures(op, graph, index, options.featureAttribute, dtype);
  const labels = options.labelAttribute === undefined ? null : readLabels(op, graph, index, options.labelAttribute, options.classes);
  return {
    index,
    x,
    y: labels?.y ?? null,
    edgeIndex: edges.edgeIndex,
    edgeWeight: edges.edgeWeight,
    edgeKeys: edges.edgeKeys,
    classes: labels?.classes ?? null,
    numNodes: index.size,
    numFeatures: x.shape[1]!,
    numClasses: labels?.numClasses ?? 0,
  };
}

export interface GraphDatasetOptions extends FromGraphOptions {
  /** The dataset's name (default `'graph'`). */
  name?: string;
  /** The label attribute is required here. */
  labelAttribute: string;
  /**
   * Node keys of each split. Default: every labelled node in `train`, `val` and `test` empty.
   * An unknown key is a `ValueError`; a node in two splits, or twice in one, a `SplitError`.
   */
  split?: { train?: readonly string[]; val?: readonly string[]; test?: readonly string[] };
}

/**
 * A `GraphDataset` (what the gnn package trains on) from any labelled graphology graph.
 *
 * @example
 * const data = graphDataset(readGraphml('net.graphml'), { labelAttribute: 'club', split: { train: ['0', '33'] } });
 */
export function graphDataset(graph: AnyGraph, options: GraphDatasetOptions): GraphDataset {
  const op = 'graphDataset';
  const tensors = fromGraph(graph, options);
  const y = tensors.y!.data as Int32Array;
  const { index } = tensors;
  const split = options.split ?? { train: index.keys().filter((_, r) => y[r]! >= 0) };
  const rows = (name: string, keys: readonly string[] = []): Int32Array =>
    Int32Array.from(keys, (key) => {
      if (!index.has(key)) throw new ValueError(`${op}: split ${name} names node '${key}', which is not in the graph`);
      return index.row(key);
    });
  const parts = { train: rows('train', split.train), val: rows('val', split.val), test: rows('test', split.test) };
  checkSplit(parts, index.size, `${op}: ${options.name ?? 'graph'} (node rows)`);
  const wrap = (data: Int32Array): Tensor => new Tensor(data, [data.length], 'int32');
  const classNames = tensors.classes === null ? null : tensors.classes.map(String);
  return createGraphDataset({
    name: options.name ?? 'graph',
    graph,
    index,
    x: tensors.x,
    y: tensors.y!,
    edgeIndex: tensors.edgeIndex,
    edgeWeight: tensors.edgeWeight,
    numNodes: tensors.numNodes,
    numFeatures: tensors.numFeatures,
    numClasses: tensors.numClasses,
    trainIndex: wrap(parts.train),
    valIndex: wrap(parts.val),
    testIndex: wrap(parts.test),
    classNames,
  });
}
