/** graphology graph ↔ PyG edge index. */
import { ValueError, indexSelect, type FloatDType, type Tensor } from '@tensorloom/core-tensor';
import { cooToCsr } from './csr.js';
import { DirectedGraph, MultiDirectedGraph, MultiUndirectedGraph, UndirectedGraph, type AnyGraph } from './graphology.js';
import { NodeIndex } from './node-index.js';
import { checkFloatDType, makeEdgeIndex, readEdgeIndex, readEdgeWeight, wrapEdgeIndex, wrapFloat, wrapInt32 } from './tensors.js';

export interface ToEdgeIndexOptions {
  /** The node order (default `NodeIndex.fromGraph(graph)`, the graph's node order). */
  index?: NodeIndex;
  /** Read each edge's weight from this attribute (missing: 1, graphology's convention). Default: no weights. */
  weightAttribute?: string;
  /** dtype of `edgeWeight` (default `'float32'`). */
  dtype?: FloatDType;
}

export interface EdgeIndexResult {
  index: NodeIndex;
  /** int32 `[2, E]`: row 0 = source, row 1 = target. */
  edgeIndex: Tensor;
  /** `[E]` weights, or null without `weightAttribute`. */
  edgeWeight: Tensor | null;
  /** `edgeKeys[e]` = the graphology key of column e (an undirected edge's key appears for both directions). */
  edgeKeys: readonly string[];
}

/**
 * PyG's `edge_index` of any graphology graph: int32 `[2, E]`, row 0 the source and row 1 the
 * target (messages flow source → target). Edges come in the graph's edge order; a directed edge
 * gives one column, an undirected edge two (`u → v` then `v → u`), an undirected self-loop one.
 * Mixed graphs are handled edge by edge and parallel edges of multigraphs are all kept.
 *
 * Shapes: → edgeIndex `[2, E]`, edgeWeight `[E]`.
 * @example
 * const g = new UndirectedGraph(); g.mergeEdge('a', 'b', { weight: 2 });
 * const { edgeIndex, edgeWeight } = toEdgeIndex(g, { weightAttribute: 'weight' });
 * // edgeIndex [[0, 1], [1, 0]], edgeWeight [2, 2]
 */
export function toEdgeIndex(graph: AnyGraph, options: ToEdgeIndexOptions = {}): EdgeIndexResult {
  const op = 'toEdgeIndex';
  const index = options.index ?? NodeIndex.fromGraph(graph);
  if (index.size !== graph.order) throw new ValueError(`${op}: the index has ${index.size} nodes but the graph has ${graph.order}`);
  const { weightAttribute } = options;
  const dtype = checkFloatDType(op, options.dtype ?? 'float32');
  const sources: number[] = [];
  const targets: number[] = [];
  const weights: number[] = [];
  const keys: string[] = [];
  graph.forEachEdge((key, attributes, source, target, _sourceAttributes, _targetAttributes, undirected) => {
    const s = index.row(source);
    const t = index.row(target);
    let w = 1;
    if (weightAttribute !== undefined) {
      const value: unknown = attributes[weightAttribute];
      if (value !== undefined) {
        // A finite weight past float32's range (±3.4e38) would become ±Infinity in the tensor.
        if (typeof value !== 'number' || !Number.isFinite(dtype === 'float32' ? Math.fround(value) : value)) {
          throw new ValueError(`${op}: edge '${key}' has ${weightAttribute} = ${String(value)}; expected a finite ${dtype} number`);
        }
        w = value;
      }
    }
    sources.push(s);
    targets.push(t);
    weights.push(w);
    keys.push(key);
    if (undirected && s !== t) {
      sources.push(t);
      targets.push(s);
      weights.push(w);
      keys.push(key);
    }
  });
  const edgeWeight =
    weightAttribute === undefined ? null : wrapFloat(dtype === 'float64' ? Float64Array.from(weights) : Float32Array.from(weights), dtype);
  return {
    index,
    edgeIndex: makeEdgeIndex(sources, targets),
    edgeWeight,
    edgeKeys: keys,
  };
}

/**
 * Sorts an edge index by source, then target (PyG's `sort_edge_index`, the order of a coalesced
 * edge index), or by target first with `sortBy: 'col'`. Stable and O(E + N); duplicates stay.
 * Also returns `permutation` (`out column k` = input column `permutation[k]`).
 *
 * Shapes: edgeIndex `[2, E]`, edgeWeight `[E]` → the same shapes.
 * @example sortEdgeIndex(tensor([[1, 0], [0, 1]], { dtype: 'int32' }), { numNodes: 2 }).edgeIndex   // [[0, 1], [1, 0]]
 */
export function sortEdgeIndex(
  edgeIndex: Tensor,
  options: { numNodes: number; edgeWeight?: Tensor | null; sortBy?: 'row' | 'col' },
): { edgeIndex: Tensor; edgeWeight: Tensor | null; permutation: Tensor } {
  const op = 'sortEdgeIndex';
  const { numNodes, sortBy = 'row' } = options;
  const { row, col, numEdges } = readEdgeIndex(op, edgeIndex, numNodes);
  const weight = readEdgeWeight(op, options.edgeWeight, numEdges);
  const [major, minor] = sortBy === 'col' ? [col, row] : [row, col];
  const { permutation } = cooToCsr(major, minor, { shape: [numNodes, numNodes] });
  const data = new Int32Array(2 * numEdges);
  for (let k = 0; k < numEdges; k++) {
    const e = permutation[k]!;
    data[k] = row[e]!;
    data[numEdges + k] = col[e]!;
  }
  const perm = wrapInt32(permutation);
  return { edgeIndex: wrapEdgeIndex(data), edgeWeight: weight === null ? null : indexSelect(weight, 0, perm), permutation: perm };
}

export interface ToGraphOptions {
  /** N: nodes `0 … N-1` are created even when isolated. */
  numNodes: number;
  /** Node keys by row (default `NodeIndex.range(N)`, keys `'0' … 'N-1'`). */
  index?: NodeIndex;
  /** `[E]` weights written to `weightAttribute`. */
  edgeWeight?: Tensor | null;
  /** Edge attribute for the weights (default `'weight'`). */
  weightAttribute?: string;
  /**
   * `'directed'` (default): one directed edge per column. `'undirected'`: the columns u → v and
   * v → u become one undirected edge (a later column overwrites the weight of an earlier one).
   */
  type?: 'directed' | 'undirected';
  /**
   * Keep repeated columns as parallel edges (a multigraph; default false merges them). An
   * undirected multigraph takes only the columns with source ≤ target, since an edge index lists
   * each undirected edge in both directions.
   */
  multi?: boolean;
}

/**
 * A graphology graph from an edge index (the way back from `toEdgeIndex`).
 *
 * Shapes: edgeIndex int32 `[2, E]`, edgeWeight `[E]`.
 * @example toGraph(data.edgeIndex, { numNodes: data.numNodes, type: 'undirected' }).size   // E / 2
 */
export function toGraph(edgeIndex: Tensor, options: ToGraphOptions): AnyGraph {
  const op = 'toGraph';
  const { numNodes, type = 'directed', multi = false, weightAttribute = 'weight' } = options;
  const { row, col, numEdges } = readEdgeIndex(op, edgeIndex, numNodes);
  const weight = readEdgeWeight(op, options.edgeWeight, numEdges);
  const index = options.index ?? NodeIndex.range(numNodes);
  if (index.size !== numNodes) throw new ValueError(`${op}: the index has ${index.size} nodes but numNodes is ${numNodes}`);
  if (type !== 'directed' && type !== 'undirected')
    throw new ValueError(`${op}: type must be 'directed' or 'undirected', got ${String(type)}`);
  const Constructor = type === 'directed' ? (multi ? MultiDirectedGraph : DirectedGraph) : multi ? MultiUndirectedGraph : UndirectedGraph;
  const graph: AnyGraph = new Constructor();
  for (const key of index.keys()) graph.addNode(key);
  const w = weight?.data;
  for (let e = 0; e < numEdges; e++) {
    const attributes = w === undefined ? {} : { [weightAttribute]: w[e]! };
    const source = index.key(row[e]!);
    const target = index.key(col[e]!);
    if (multi) {
      if (type === 'undirected' && row[e]! > col[e]!) continue;
      graph.addEdge(source, target, attributes);
    } else {
      graph.mergeEdge(source, target, attributes);
    }
  }
  return graph;
}
