/**
 * Sub-graphs the graph layers share, written once per edge index (memoised in the builder): the
 * edge endpoints, the node count and range, the self-looped edge set, and the sparse reductions
 * over each node's incoming edges (`ScatterND` with reduction 'add' or 'max': never a dense N×N
 * matrix). Every shape is static in the edge count, so the exported model takes any graph.
 */
import type { OnnxGraphBuilder } from './graph-builder.js';
import type { OnnxTensor } from './proto.js';
import { rawData } from './proto.js';

const SCOPE = 'edges';

/** The edges of one edge index: sources and targets, int64 `[E]`. */
export interface EdgeList {
  readonly source: string;
  readonly target: string;
}

/** The node count of a graph: `[1]` int64 (`count`), and the ids `0 … N−1` `[N]` int64 (`range`). */
export interface NodeCount {
  readonly count: string;
  readonly range: string;
}

/** The edges, then one self-loop per node; `original` is bool `[E + N]`: true except at the edges that were loops. */
export interface LoopedEdges extends EdgeList {
  readonly keep: string;
  /** bool `[E]`: which of the original edges are self-loops. */
  readonly isLoop: string;
}

/** Row 0 (sources) and row 1 (targets) of the int64 `[2, E]` edge index. */
export function edgeList(graph: OnnxGraphBuilder, edgeIndex: string): EdgeList {
  return graph.memo(`edges:${edgeIndex}`, () => {
    const row = (index: number, hint: string): string =>
      graph.node('Gather', [edgeIndex, graph.constant(`row_${index}`, [index], 'int64', [])], {
        scope: SCOPE,
        hint,
        attributes: { axis: 0 },
      })[0]!;
    return { source: row(0, 'source'), target: row(1, 'target') };
  });
}

/**
 * The node count N read from x `[N, …]` (the first call's x: every layer's input has the same N rows),
 * memoised per edge index.
 */
export function nodeCount(graph: OnnxGraphBuilder, edgeIndex: string, x: string): NodeCount {
  return graph.memo(`nodes:${edgeIndex}`, () => {
    const count = graph.node('Shape', [x], { scope: SCOPE, hint: 'num_nodes', attributes: { start: 0, end: 1 } })[0]!;
    const scalar = graph.node('Squeeze', [count, graph.ints('axes_0', [0])], { scope: SCOPE, hint: 'num_nodes_scalar' })[0]!;
    const zero = graph.constant('zero_i64', [0], 'int64', []);
    const step = graph.constant('one_i64', [1], 'int64', []);
    const range = graph.node('Range', [zero, scalar, step], { scope: SCOPE, hint: 'node_ids' })[0]!;
    return { count, range };
  });
}

/**
 * The edge set with every existing self-loop flagged and one loop per node appended (sources and
 * targets `[E + N]`). Flagged loops are kept in place, so shapes stay static; the layers give them
 * zero weight (GCN) or mask their scores (GAT).
 */
export function loopedEdges(graph: OnnxGraphBuilder, edgeIndex: string, x: string): LoopedEdges {
  return graph.memo(`looped:${edgeIndex}`, () => {
    const { source, target } = edgeList(graph, edgeIndex);
    const { count, range } = nodeCount(graph, edgeIndex, x);
    const node = (op: string, inputs: string[], hint: string, attributes = {}): string =>
      graph.node(op, inputs, { scope: SCOPE, hint, attributes })[0]!;
    const isLoop = node('Equal', [source, target], 'is_self_loop');
    const trueNodes = node('ConstantOfShape', [count], 'loop_keep', { value: scalarTensor(true, 'bool') });
    return {
      source: node('Concat', [source, range], 'looped_source', { axis: 0 }),
      target: node('Concat', [target, range], 'looped_target', { axis: 0 }),
      keep: node('Concat', [node('Not', [isLoop], 'not_self_loop'), trueNodes], 'looped_keep', { axis: 0 }),
      isLoop,
    };
  });
}

/** A one-element tensor for `ConstantOfShape`'s `value`. */
export function scalarTensor(value: number | boolean, dataType: OnnxTensor['dataType']): { type: 'tensor'; value: OnnxTensor } {
  return { type: 'tensor', value: { name: '', dataType, dims: [1], raw: rawData([Number(value)], dataType) } };
}

/**
 * `out[i, …] = ⊕ over the e with index[e] = i of updates[e, …]` for i < N, with ⊕ 'add' or 'max'
 * (`ScatterND` onto a tensor filled with `fill`: 0 for a sum, −∞ for a max). `updates` `[E, …]`
 * of the model's float type → `[N, …]`.
 */
export function scatterRows(
  graph: OnnxGraphBuilder,
  scope: string,
  index: string,
  updates: string,
  count: string,
  reduction: 'add' | 'max',
  hint: string,
): string {
  const node = (op: string, inputs: string[], nodeHint: string, attributes = {}): string =>
    graph.node(op, inputs, { scope, hint: nodeHint, attributes })[0]!;
  const rest = node('Shape', [updates], `${hint}_row_shape`, { start: 1 });
  const shape = node('Concat', [count, rest], `${hint}_shape`, { axis: 0 });
  const fill = reduction === 'add' ? 0 : -Infinity;
  const data = node('ConstantOfShape', [shape], `${hint}_init`, { value: scalarTensor(fill, graph.floatType) });
  const indices = graph.memo(
    `index_column:${index}`,
    () => graph.node('Unsqueeze', [index, graph.ints('axes_1', [1])], { scope: SCOPE, hint: 'index_column' })[0]!,
  );
  return node('ScatterND', [data, indices, updates], hint, { reduction });
}

/**
 * `softmax` of `scores` `[E, H]` over the edges into each node (the target `index`), stabilised by
 * each node's maximum (a `ScatterND` 'max'); scores of −∞ (masked edges) get weight 0.
 */
export function segmentSoftmax(graph: OnnxGraphBuilder, scope: string, scores: string, index: string, count: string): string {
  const node = (op: string, inputs: string[], hint: string, attributes = {}): string =>
    graph.node(op, inputs, { scope, hint, attributes })[0]!;
  const maxima = scatterRows(graph, scope, index, scores, count, 'max', 'score_max');
  const shifted = node('Sub', [scores, node('Gather', [maxima, index], 'score_max_per_edge', { axis: 0 })], 'score_shifted');
  const exp = node('Exp', [shifted], 'score_exp');
  const sums = scatterRows(graph, scope, index, exp, count, 'add', 'score_sum');
  return node('Div', [exp, node('Gather', [sums, index], 'score_sum_per_edge', { axis: 0 })], 'alpha');
}
