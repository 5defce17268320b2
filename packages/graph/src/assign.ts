/**
 * Tensors back into the graph: per-node values (predictions, embeddings, scores) and per-edge
 * values (attention weights) as mappings keyed by graphology keys, each with an `.assign` variant
 * that writes them into node or edge attributes, as graphology's metrics (`pagerank.assign`) do.
 */
import { ShapeError, ValueError, argmax, fmtShape, type Tensor } from '@tensorloom/core-tensor';
import { toEdgeIndex } from './edge-index.js';
import type { AnyGraph } from './graphology.js';
import { NodeIndex } from './node-index.js';
import { readEdgeIndex } from './tensors.js';

/** One node's or edge's value: a number for `[N]` (or `[E]`) tensors, an array for `[N, D]`. */
export type Value = number | number[];

/** Row r of a `[R]` or `[R, D]` tensor as a number or an array. */
function rowReader(op: string, values: Tensor, rows: number, what: string): (r: number) => Value {
  if ((values.ndim !== 1 && values.ndim !== 2) || values.shape[0] !== rows) {
    throw new ShapeError(`${op}: expected values of shape [${rows}] or [${rows}, D] (one row per ${what}), got ${fmtShape(values.shape)}`);
  }
  const data = values.data;
  if (values.ndim === 1) return (r) => data[r]!;
  const width = values.shape[1]!;
  return (r) => Array.from(data.subarray(r * width, (r + 1) * width));
}

function resolveIndex(op: string, graph: AnyGraph, index: NodeIndex | undefined): NodeIndex {
  const resolved = index ?? NodeIndex.fromGraph(graph);
  if (resolved.size !== graph.order) throw new ValueError(`${op}: the index has ${resolved.size} nodes but the graph has ${graph.order}`);
  return resolved;
}

function writeNodes(graph: AnyGraph, mapping: Record<string, unknown>, attribute: string): void {
  for (const [node, value] of Object.entries(mapping)) graph.setNodeAttribute(node, attribute, value);
}

export interface NodeValuesOptions {
  /** Row ↔ key (default `NodeIndex.fromGraph(graph)`). */
  index?: NodeIndex;
}

export interface NodeValuesAssignOptions extends NodeValuesOptions {
  /** The node attribute written (default `'value'`; `nodeEmbeddings`: `'embedding'`). */
  attribute?: string;
}

type NodeMetric<O extends NodeValuesOptions, A extends O & { attribute?: string }, V> = {
  (graph: AnyGraph, values: Tensor, options?: O): Record<string, V>;
  assign(graph: AnyGraph, values: Tensor, options?: A): void;
};

function nodeMetric<O extends NodeValuesOptions, A extends O & { attribute?: string }, V>(
  compute: (graph: AnyGraph, values: Tensor, options: O) => Record<string, V>,
  defaultAttribute: string,
): NodeMetric<O, A, V> {
  return Object.assign((graph: AnyGraph, values: Tensor, options: O = {} as O) => compute(graph, values, options), {
    assign(graph: AnyGraph, values: Tensor, options: A = {} as A): void {
      writeNodes(graph, compute(graph, values, options), options.attribute ?? defaultAttribute);
    },
  });
}

/**
 * Row i of `values` (`[N]` → a number, `[N, D]` → an array) keyed by node `index.key(i)`.
 *
 * @example
 * nodeValues(graph, scores);                                  // { a: 0.3, b: 0.9, … }
 * nodeValues.assign(graph, scores, { attribute: 'score' });   // graph.getNodeAttribute('a', 'score')
 */
export const nodeValues = nodeMetric<NodeValuesOptions, NodeValuesAssignOptions, Value>((graph, values, options) => {
  const op = 'nodeValues';
  const index = resolveIndex(op, graph, options.index);
  const read = rowReader(op, values, index.size, 'node');
  const mapping: Record<string, Value> = {};
  for (let r = 0; r < index.size; r++) mapping[index.key(r)] = read(r);
  return mapping;
}, 'value');

/**
 * Node embeddings `[N, D]` (a GNN's hidden layer) as arrays keyed by node; `.assign` writes them
 * to the `'embedding'` attribute by default.
 *
 * @example
 * nodeEmbeddings.assign(data.graph, hidden, { index: data.index });   // hidden [N, 16]
 * data.graph.getNodeAttribute('0', 'embedding');                       // 16 numbers
 */
export const nodeEmbeddings = nodeMetric<NodeValuesOptions, NodeValuesAssignOptions, number[]>((graph, values, options) => {
  const op = 'nodeEmbeddings';
  if (values.ndim !== 2) throw new ShapeError(`${op}: expected embeddings of shape [N, D], got ${fmtShape(values.shape)}`);
  return nodeValues(graph, values, options) as Record<string, number[]>;
}, 'embedding');

export interface NodePredictionsOptions extends NodeValuesOptions {
  /** Class names by class id: predictions become names (e.g. `['Mr. Hi', 'Officer']`). */
  classes?: readonly (string | number)[];
}

export interface NodePredictionsAssignOptions extends NodePredictionsOptions {
  /** The node attribute written (default `'prediction'`). */
  attribute?: string;
}

/**
 * Predicted classes keyed by node: `argmax` of logits or probabilities `[N, C]`, or int32 class
 * ids `[N]` as they are; mapped through `classes` when given. `.assign` writes the `'prediction'`
 * attribute by default.
 *
 * @example
 * nodePredictions.assign(karate.graph, model.call(karate.x, karate.edgeIndex), { classes: karate.classNames });
 */
export const nodePredictions = nodeMetric<NodePredictionsOptions, NodePredictionsAssignOptions, number | string>(
  (graph, values, options) => {
    const op = 'nodePredictions';
    let ids: Tensor;
    if (values.ndim === 2) ids = argmax(values, 1);
    else if (values.ndim === 1 && values.dtype === 'int32') ids = values;
    else throw new ShapeError(`${op}: expected scores [N, C] or int32 class ids [N], got ${values.dtype} ${fmtShape(values.shape)}`);
    const plain = nodeValues(graph, ids, options.index ? { index: options.index } : {}) as Record<string, number>;
    const { classes } = options;
    if (classes === undefined) return plain;
    const named: Record<string, number | string> = {};
    for (const [node, id] of Object.entries(plain)) {
      const name = classes[id];
      if (name === undefined) throw new ValueError(`${op}: class ${id} (node '${node}') has no name in classes (${classes.length} given)`);
      named[node] = name;
    }
    return named;
  },
  'prediction',
);

export type EdgeReduce = 'mean' | 'sum' | 'max' | 'min';

export interface EdgeValuesOptions {
  /** Row ↔ key (default `NodeIndex.fromGraph(graph)`). */
  index?: NodeIndex;
  /**
   * The edge index the values belong to (e.g. a GAT layer's, with self-loops added). Its columns
   * are matched to graph edges by (source, target): a directed edge matches u → v, an undirected
   * one both directions, parallel edges are matched in order. Columns that are self-loops absent
   * from the graph are skipped; any other unmatched column is a `ValueError`. Default: the values
   * are in `toEdgeIndex(graph, { index })` order.
   */
  edgeIndex?: Tensor;
  /** How an undirected edge's two values (u → v, v → u) combine (default `'mean'`). */
  reduce?: EdgeReduce;
}

export interface EdgeValuesAssignOptions extends EdgeValuesOptions {
  /** The edge attribute written (default `'value'`; `edgeAttention`: `'attention'`). */
  attribute?: string;
}

function combine(reduce: EdgeReduce, a: Value, b: Value): Value {
  const one = (x: number, y: number): number => {
    switch (reduce) {
      case 'sum':
      case 'mean':
        return x + y;
      case 'max':
        return Math.max(x, y);
      case 'min':
        return Math.min(x, y);
    }
  };
  if (typeof a === 'number' && typeof b === 'number') return one(a, b);
  return (a as number[]).map((x, i) => one(x, (b as number[])[i]!));
}

/** For every column of `edgeIndex`, the graph edge key it belongs to, or null (an added self-loop). */
function matchColumns(op: string, graph: AnyGraph, index: NodeIndex, edgeIndex: Tensor): (string | null)[] {
  const own = toEdgeIndex(graph, { index });
  const n = index.size;
  const { row: ownRow, col: ownCol, numEdges: ownEdges } = readEdgeIndex(op, own.edgeIndex);
  const pending = new Map<number, string[]>();
  for (let e = ownEdges - 1; e >= 0; e--) {
    const pair = ownRow[e]! * n + ownCol[e]!;
    const list = pending.get(pair);
    if (list) list.push(own.edgeKeys[e]!);
    else pending.set(pair, [own.edgeKeys[e]!]);
  }
  const { row, col, numEdges } = readEdgeIndex(op, edgeIndex, n);
  const keys: (string | null)[] = new Array<string | null>(numEdges);
  for (let e = 0; e < numEdges; e++) {
    const key = pending.get(row[e]! * n + col[e]!)?.pop();
    if (key !== undefined) keys[e] = key;
    else if (row[e] === col[e]) keys[e] = null;
    else throw new ValueError(`${op}: column ${e} (${index.key(row[e]!)} → ${index.key(col[e]!)}) matches no edge of the graph`);
  }
  return keys;
}

function computeEdgeValues(op: string, graph: AnyGraph, values: Tensor, options: EdgeValuesOptions): Record<string, Value> {
  const index = resolveIndex(op, graph, options.index);
  const reduce = options.reduce ?? 'mean';
  if (!['mean', 'sum', 'max', 'min'].includes(reduce))
    throw new ValueError(`${op}: reduce must be mean, sum, max or min, got ${String(reduce)}`);
  const keys = options.edgeIndex ? matchColumns(op, graph, index, options.edgeIndex) : toEdgeIndex(graph, { index }).edgeKeys;
  const read = rowReader(op, values, keys.length, 'edge-index column');
  const mapping: Record<string, Value> = {};
  const counts = new Map<string, number>();
  for (let e = 0; e < keys.length; e++) {
    const key = keys[e];
    if (key === null || key === undefined) continue;
    const value = read(e);
    const seen = counts.get(key) ?? 0;
    mapping[key] = seen === 0 ? value : combine(reduce, mapping[key]!, value);
    counts.set(key, seen + 1);
  }
  if (reduce === 'mean') {
    for (const [key, count] of counts) {
      if (count === 1) continue;
      const value = mapping[key]!;
      mapping[key] = typeof value === 'number' ? value / count : value.map((x) => x / count);
    }
  }
  return mapping;
}

type EdgeMetric = {
  (graph: AnyGraph, values: Tensor, options?: EdgeValuesOptions): Record<string, Value>;
  assign(graph: AnyGraph, values: Tensor, options?: EdgeValuesAssignOptions): void;
};

function edgeMetric(op: string, defaultAttribute: string): EdgeMetric {
  return Object.assign(
    (graph: AnyGraph, values: Tensor, options: EdgeValuesOptions = {}) => computeEdgeValues(op, graph, values, options),
    {
      assign(graph: AnyGraph, values: Tensor, options: EdgeValuesAssignOptions = {}): void {
        const mapping = computeEdgeValues(op, graph, values, options);
        const attribute = options.attribute ?? defaultAttribute;
        for (const [edge, value] of Object.entries(mapping)) graph.setEdgeAttribute(edge, attribute, value);
      },
    },
  );
}

/**
 * Per-edge values `[E]` or `[E, H]` keyed by graphology edge key (an undirected edge's two
 * directions reduced with `reduce`). `.assign` writes the `'value'` attribute by default.
 *
 * @example edgeValues.assign(graph, scores, { attribute: 'score' })
 */
export const edgeValues: EdgeMetric = edgeMetric('edgeValues', 'value');

/**
 * Attention weights `[E']` or `[E', H]` of a GAT layer over its edge index (self-loops included)
 * keyed by graphology edge key; the added self-loops are skipped. `.assign` writes `'attention'`.
 *
 * @example
 * // alpha [E', heads] over loopedEdgeIndex [2, E'] (the layer's edges plus self-loops):
 * edgeAttention.assign(data.graph, alpha, { edgeIndex: loopedEdgeIndex, index: data.index });
 * data.graph.getEdgeAttribute(edge, 'attention');   // [α head 0, α head 1, …]
 */
export const edgeAttention: EdgeMetric = edgeMetric('edgeAttention', 'attention');
