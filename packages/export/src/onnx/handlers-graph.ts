/**
 * ONNX handlers of `@tensorloom/gnn`: the `GNN` stack (and its `GCN`, `GAT` subclasses) and its
 * convolutions `GCNConv`, `GATConv`, `GATv2Conv`, `SAGEConv`, `GINConv`, with inference semantics
 * (no dropout). Each layer takes `[x, edgeIndex]` (x `[N, F]`, edgeIndex int64 `[2, E]`) and
 * computes its graph normalisation inside the ONNX graph, so the exported model runs on any graph,
 * whatever a `cached` layer held in tensorloom.
 */
import { GATConv, GATv2Conv, GCNConv, GINConv, GNN, SAGEConv } from '@tensorloom/gnn';
import { edgeList, loopedEdges, nodeCount, scalarTensor, scatterRows, segmentSoftmax, type EdgeList } from './graph-ops.js';
import { emitActivation, emitLeakyRelu, handlerFor } from './handlers-basic.js';
import type { OnnxEmitContext, OnnxHandler } from './handler.js';

/** `GNN` on `[x, edgeIndex]` → `[logits]`: each layer, the activation between layers; no dropout (inference). */
function emitGnn(module: GNN, inputs: readonly string[], context: OnnxEmitContext): string[] {
  const [x, edgeIndex] = inputs;
  let h = x!;
  const layers = module.convs.namedChildren();
  layers.forEach(([name], layer) => {
    h = context.child(`convs.${name}`, [h, edgeIndex!])[0]!;
    if (layer < layers.length - 1) h = emitActivation(context, module.act, h);
  });
  return [h];
}

/** `x_j` per edge: `Gather(x, source)`. */
function gatherRows(context: OnnxEmitContext, x: string, index: string, hint: string): string {
  return context.op('Gather', [x, index], { hint, attributes: { axis: 0 } });
}

/**
 * `GCNConv`: `out_i = Σ_e norm_e · (xΘᵀ)_source(e) + b` over the edges into i, with PyG's `gcn_norm`:
 * existing self-loops keep weight 1 (their edges get weight 0 and the appended loop carries it),
 * a node without one gets `fill` (1, or 2 when `improved`), `deg_i = Σ w_e` over the edges into i,
 * `norm_e = deg_s^-1/2 · w_e · deg_t^-1/2` (0 for a node of degree 0).
 */
function emitGcn(module: GCNConv, inputs: readonly string[], context: OnnxEmitContext): string[] {
  const [x, edgeIndex] = inputs as [string, string];
  const { graph } = context;
  const h = context.child('lin', [x])[0]!;
  const { count } = nodeCount(graph, edgeIndex, x);
  let edges: EdgeList = edgeList(graph, edgeIndex);
  let norm: string | null = null;
  if (module.normalize) {
    const key = `gcn_norm:${edgeIndex}:${module.addSelfLoops}:${module.improved}`;
    ({ edges, norm } = graph.memo(key, () => gcnNorm(context, edgeIndex, x, module.addSelfLoops, module.improved ? 2 : 1)));
  }
  let messages = gatherRows(context, h, edges.source, 'messages');
  if (norm !== null) {
    const column = context.op('Unsqueeze', [norm, graph.ints('axes_1', [1])], { hint: 'norm_column' });
    messages = context.op('Mul', [messages, column], { hint: 'messages' });
  }
  const out = scatterRows(graph, context.path, edges.target, messages, count, 'add', 'aggregated');
  return [context.has('bias') ? context.op('Add', [out, context.tensor('bias')]) : out];
}

/** The GCN edge set and coefficients (see `emitGcn`), written once per edge index and settings. */
function gcnNorm(
  context: OnnxEmitContext,
  edgeIndex: string,
  x: string,
  selfLoops: boolean,
  fill: number,
): { edges: EdgeList; norm: string } {
  const { graph } = context;
  const scope = 'gcn_norm';
  const node = (op: string, nodeInputs: string[], hint: string, attributes = {}): string =>
    graph.node(op, nodeInputs, { scope, hint, attributes })[0]!;
  const { count } = nodeCount(graph, edgeIndex, x);
  let edges: EdgeList;
  let weight: string;
  if (selfLoops) {
    const looped = loopedEdges(graph, edgeIndex, x);
    edges = looped;
    // Every edge weighs 1 except existing loops (0); the appended loop of a node that had one weighs 1, else fill.
    const loopFlag = node('Cast', [looped.isLoop], 'loop_flag', { to: graph.floatType === 'float32' ? 1 : 11 });
    const one = graph.scalar('one', 1);
    const edgeWeight = node('Sub', [one, loopFlag], 'edge_weight');
    let loopWeight = node('ConstantOfShape', [count], 'loop_weight', { value: scalarTensor(1, graph.floatType) });
    if (fill !== 1) {
      const hadLoop = scatterRows(graph, scope, edgeList(graph, edgeIndex).target, loopFlag, count, 'max', 'had_loop');
      loopWeight = node(
        'Where',
        [node('Greater', [hadLoop, graph.scalar('zero', 0)], 'had_loop_bool'), one, graph.scalar('fill', fill)],
        'loop_weight',
      );
    }
    weight = node('Concat', [edgeWeight, loopWeight], 'weight', { axis: 0 });
  } else {
    edges = edgeList(graph, edgeIndex);
    const edgeCount = node('Shape', [edges.source], 'num_edges');
    weight = node('ConstantOfShape', [edgeCount], 'weight', { value: scalarTensor(1, graph.floatType) });
  }
  const degree = scatterRows(graph, scope, edges.target, weight, count, 'add', 'degree');
  const positive = node('Greater', [degree, graph.scalar('zero', 0)], 'degree_positive');
  const safe = node('Where', [positive, degree, graph.scalar('one', 1)], 'degree_safe');
  const invSqrt = node(
    'Where',
    [positive, node('Reciprocal', [node('Sqrt', [safe], 'degree_sqrt')], 'degree_inv_sqrt'), graph.scalar('zero', 0)],
    'degree_inv_sqrt',
  );
  const sourceScale = node('Gather', [invSqrt, edges.source], 'source_scale', { axis: 0 });
  const targetScale = node('Gather', [invSqrt, edges.target], 'target_scale', { axis: 0 });
  const norm = node('Mul', [node('Mul', [sourceScale, weight], 'norm'), targetScale], 'norm');
  return { edges, norm };
}

/**
 * The attention layers' common part: softmax of `scores` `[E', H]` per target, the weighted sum
 * of `values` `[N, H, C]`, the heads combined, the bias.
 */
function attentionOutput(
  module: GATConv | GATv2Conv,
  context: OnnxEmitContext,
  edges: EdgeList,
  count: string,
  scores: string,
  values: string,
): string {
  const { graph } = context;
  const alpha = segmentSoftmax(graph, context.path, scores, edges.target, count);
  const weighted = context.op(
    'Mul',
    [gatherRows(context, values, edges.source, 'messages'), context.op('Unsqueeze', [alpha, graph.ints('axes_2', [2])])],
    {
      hint: 'messages',
    },
  );
  const out = scatterRows(graph, context.path, edges.target, weighted, count, 'add', 'aggregated');
  const combined = module.concat
    ? context.op('Reshape', [out, graph.ints('shape_0_m1', [0, -1])], { hint: 'heads_concat' })
    : context.op('ReduceMean', [out, graph.ints('axes_1', [1])], { hint: 'heads_mean', attributes: { keepdims: 0 } });
  return context.has('bias') ? context.op('Add', [combined, context.tensor('bias')]) : combined;
}

/** The attention edge set: with `addSelfLoops`, existing loops masked out and one loop per node appended. */
function attentionEdges(
  module: GATConv | GATv2Conv,
  context: OnnxEmitContext,
  edgeIndex: string,
  x: string,
): { edges: EdgeList; keep: string | null } {
  if (!module.addSelfLoops) return { edges: edgeList(context.graph, edgeIndex), keep: null };
  const looped = loopedEdges(context.graph, edgeIndex, x);
  return { edges: looped, keep: looped.keep };
}

/** The scores `[E', H]` with the masked edges (the original self-loops, when loops are added) at −∞. */
function maskScores(context: OnnxEmitContext, scores: string, keep: string | null): string {
  if (keep === null) return scores;
  const column = context.op('Unsqueeze', [keep, context.graph.ints('axes_1', [1])], { hint: 'keep_column' });
  return context.op('Where', [column, scores, context.graph.scalar('minus_inf', -Infinity)], { hint: 'scores_masked' });
}

/**
 * `GATConv`: `e_ij = LeakyReLU(a_srcᵀΘx_j + b_src + a_dstᵀΘx_i + b_dst)`, α = softmax over the
 * edges into i, `x_i' = ‖_h or mean_h Σ_j α_ij Θx_j + b`.
 */
function emitGat(module: GATConv, inputs: readonly string[], context: OnnxEmitContext): string[] {
  const [x, edgeIndex] = inputs as [string, string];
  const { graph } = context;
  const { heads, outChannels } = module;
  const { edges, keep } = attentionEdges(module, context, edgeIndex, x);
  const { count } = nodeCount(graph, edgeIndex, x);
  const projected = context.child('lin', [x])[0]!;
  const h = context.op('Reshape', [projected, graph.ints(`shape_0_${heads}_${outChannels}`, [0, heads, outChannels])], { hint: 'heads' });
  const lastAxis = graph.ints('axes_m1', [-1]);
  const nodeScore = (side: 'src' | 'dst'): string => {
    const product = context.op('Mul', [h, context.tensor(`att_${side}`)], { hint: `score_${side}` });
    const score = context.op('ReduceSum', [product, lastAxis], { hint: `score_${side}`, attributes: { keepdims: 0 } });
    return context.has(`att_${side}_bias`)
      ? context.op('Add', [score, context.tensor(`att_${side}_bias`)], { hint: `score_${side}` })
      : score;
  };
  const raw = context.op(
    'Add',
    [gatherRows(context, nodeScore('src'), edges.source, 'score_src'), gatherRows(context, nodeScore('dst'), edges.target, 'score_dst')],
    {
      hint: 'scores_raw',
    },
  );
  const scores = maskScores(context, emitLeakyRelu(context, module.negativeSlope, raw, 'scores'), keep);
  return [attentionOutput(module, context, edges, count, scores, h)];
}

/** `GATv2Conv`: `e_ij = aᵀ LeakyReLU(Θ_l x_j + Θ_r x_i)`, then as `GATConv` over the values Θ_l x. */
function emitGatV2(module: GATv2Conv, inputs: readonly string[], context: OnnxEmitContext): string[] {
  const [x, edgeIndex] = inputs as [string, string];
  const { graph } = context;
  const { heads, outChannels } = module;
  const { edges, keep } = attentionEdges(module, context, edgeIndex, x);
  const { count } = nodeCount(graph, edgeIndex, x);
  const shape = graph.ints(`shape_0_${heads}_${outChannels}`, [0, heads, outChannels]);
  const xl = context.op('Reshape', [context.child('lin_l', [x])[0]!, shape], { hint: 'x_l' });
  const xr = module.shareWeights ? xl : context.op('Reshape', [context.child('lin_r', [x])[0]!, shape], { hint: 'x_r' });
  const summed = context.op('Add', [
    gatherRows(context, xl, edges.source, 'x_l_source'),
    gatherRows(context, xr, edges.target, 'x_r_target'),
  ]);
  const hidden = emitLeakyRelu(context, module.negativeSlope, summed, 'hidden');
  const raw = context.op('ReduceSum', [context.op('Mul', [hidden, context.tensor('att')]), graph.ints('axes_m1', [-1])], {
    hint: 'scores_raw',
    attributes: { keepdims: 0 },
  });
  return [attentionOutput(module, context, edges, count, maskScores(context, raw, keep), xl)];
}

/** The neighbours of each node aggregated over its incoming edges (no self-loops): sum, mean or max (empty → 0). */
function aggregateNeighbours(context: OnnxEmitContext, aggr: 'sum' | 'mean' | 'max', x: string, edgeIndex: string): string {
  const { graph } = context;
  const edges = edgeList(graph, edgeIndex);
  const { count } = nodeCount(graph, edgeIndex, x);
  const messages = gatherRows(context, x, edges.source, 'messages');
  const incoming = (): string => {
    const ones = context.op('ConstantOfShape', [context.op('Shape', [edges.source], { hint: 'num_edges' })], {
      hint: 'edge_ones',
      attributes: { value: scalarTensor(1, graph.floatType) },
    });
    const counts = scatterRows(graph, context.path, edges.target, ones, count, 'add', 'in_degree');
    return context.op('Unsqueeze', [counts, graph.ints('axes_1', [1])], { hint: 'in_degree' });
  };
  if (aggr === 'sum') return scatterRows(graph, context.path, edges.target, messages, count, 'add', 'aggregated');
  if (aggr === 'mean') {
    const sums = scatterRows(graph, context.path, edges.target, messages, count, 'add', 'aggregated_sum');
    return context.op('Div', [sums, context.op('Max', [incoming(), graph.scalar('one', 1)])], { hint: 'aggregated' });
  }
  const maxima = scatterRows(graph, context.path, edges.target, messages, count, 'max', 'aggregated_max');
  const has = context.op('Greater', [incoming(), graph.scalar('zero', 0)], { hint: 'has_neighbours' });
  return context.op('Where', [has, maxima, graph.scalar('zero', 0)], { hint: 'aggregated' });
}

/** `SAGEConv`: `x_i' = Θ_l · aggr_j x_j + b (+ Θ_r x_i)`, optionally L2-normalised per row. */
function emitSage(module: SAGEConv, inputs: readonly string[], context: OnnxEmitContext): string[] {
  const [x, edgeIndex] = inputs as [string, string];
  let out = context.child('lin_l', [aggregateNeighbours(context, module.aggr, x, edgeIndex)])[0]!;
  if (module.rootWeight) out = context.op('Add', [out, context.child('lin_r', [x])[0]!], { hint: 'with_root' });
  if (!module.normalize) return [out];
  const { graph } = context;
  const squares = context.op('ReduceSum', [context.op('Mul', [out, out]), graph.ints('axes_m1', [-1])], {
    hint: 'norm_sq',
    attributes: { keepdims: 1 },
  });
  const norm = context.op('Sqrt', [context.op('Max', [squares, graph.scalar('norm_floor', 1e-24)])], { hint: 'norm' });
  return [context.op('Div', [out, norm], { hint: 'normalized' })];
}

/** `GINConv`: `x_i' = h_Θ((1 + ε)·x_i + Σ_j x_j)`, h_Θ through its own handlers. */
function emitGin(_module: GINConv, inputs: readonly string[], context: OnnxEmitContext): string[] {
  const [x, edgeIndex] = inputs as [string, string];
  const neighbours = aggregateNeighbours(context, 'sum', x, edgeIndex);
  const scale = context.op('Add', [context.tensor('eps'), context.graph.scalar('one', 1)], { hint: 'one_plus_eps' });
  const combined = context.op('Add', [neighbours, context.op('Mul', [x, scale], { hint: 'self' })], { hint: 'combined' });
  return context.child('nn', [combined]);
}

/** The handlers of the graph modules (the convolutions before `GNN`, which matches the `GCN`/`GAT` subclasses too). */
export const GRAPH_HANDLERS: readonly OnnxHandler[] = [
  handlerFor(GCNConv, emitGcn),
  handlerFor(GATConv, emitGat),
  handlerFor(GATv2Conv, emitGatV2),
  handlerFor(SAGEConv, emitSage),
  handlerFor(GINConv, emitGin),
  handlerFor(GNN, emitGnn),
];
