/**
 * `GATConv`: graph attention (Veličković et al., 2018), PyTorch Geometric's `GATConv`.
 */
import {
  Tensor,
  ValueError,
  add,
  concat,
  dropout,
  linear,
  leakyRelu,
  mean,
  mul,
  narrow,
  ones,
  reshape,
  segmentSoftmax,
  SparseCsr,
  spmm,
  sum,
  transpose,
  type FloatDType,
  type Generator,
} from '@tensorloom/core-tensor';
import { addSelfLoops, removeSelfLoops } from '@tensorloom/graph';
import { checkChannels, glorot_, GraphLinear } from './linear.js';
import { Edges, MessagePassing, checkNodeFeatures, sparseAggregate, type NodeFeatures, type PropagateInputs } from './message-passing.js';

/** Options shared by {@link GATConv} and `GATv2Conv`. */
export interface AttentionConvOptions {
  /** Number of attention heads H. Default 1. */
  heads?: number;
  /** Concatenate the heads (`[N, H·C]`, true) or average them (`[N, C]`, false). Default true. */
  concat?: boolean;
  /** Negative slope of the LeakyReLU on the scores. Default 0.2. */
  negativeSlope?: number;
  /** Dropout probability on the normalised attention coefficients (training only). Default 0. */
  dropout?: number;
  /** Remove existing self-loops, then give every node exactly one. Default true. */
  addSelfLoops?: boolean;
  /** Learn an additive bias. Default true. */
  bias?: boolean;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial weights and the attention dropout. Default: the global one. */
  generator?: Generator;
}

/** Options of {@link GATConv}: the shared ones plus the dropouts of the GAT authors' code. */
export interface GATConvOptions extends AttentionConvOptions {
  /**
   * Dropout on the layer's input with a separate mask for every head (the GAT reference code's
   * `in_drop` on `seq`; training only). Default 0. PyG leaves this to the model, one mask for all
   * heads.
   */
  inputDropout?: number;
  /**
   * Dropout on the transformed features Θx_j that the attention weighs (not on those the scores
   * are computed from; the reference code's `in_drop` on `seq_fts`; training only). Default 0.
   */
  featureDropout?: number;
  /**
   * Learn a bias per head on each half of the score, inside the LeakyReLU:
   * `LeakyReLU(a_dstᵀΘx_i + b_dst + a_srcᵀΘx_j + b_src)` (the reference code's `f_1` and `f_2`
   * are 1×1 convolutions with biases, zero at the start). It moves where the LeakyReLU bends.
   * Default false (PyG's `GATConv` has none).
   */
  attentionBias?: boolean;
}

/** Options of an attention layer's forward. */
export interface AttentionForwardOptions {
  /** Also return the attention coefficients. Default false. */
  returnAttentionWeights?: boolean;
}

/** The attention coefficients of a forward: `alpha[e, h]` weighs edge e (of `edgeIndex`) in head h. */
export interface AttentionWeights {
  /** int32 `[2, E']`: the edges attended over (after the self-loop handling). */
  edgeIndex: Tensor;
  /** `[E', heads]`: softmax over each target's incoming edges (after dropout when training). */
  alpha: Tensor;
}

/** The result of a forward with `returnAttentionWeights: true`. */
export interface AttentionOutput {
  out: Tensor;
  attention: AttentionWeights;
}

/** Checks the options the attention layers share. */
export function resolveAttentionOptions(
  op: string,
  options: AttentionConvOptions,
): Required<Omit<AttentionConvOptions, 'generator'>> & { generator: Generator | undefined } {
  const {
    heads = 1,
    concat: concatHeads = true,
    negativeSlope = 0.2,
    dropout: p = 0,
    addSelfLoops: loops = true,
    bias = true,
    dtype = 'float32',
    generator,
  } = options;
  checkChannels(op, 'heads', heads);
  if (!(p >= 0 && p <= 1)) throw new ValueError(`${op}: dropout must be a probability in [0, 1], got ${p}`);
  if (!Number.isFinite(negativeSlope)) throw new ValueError(`${op}: negativeSlope must be a finite number, got ${negativeSlope}`);
  return { heads, concat: concatHeads, negativeSlope, dropout: p, addSelfLoops: loops, bias, dtype, generator };
}

/**
 * The edge sets built so far, per edge-index tensor, with a copy of its entries: a layer called
 * again with the same tensor (every epoch, and both layers of a model) gets the same `Edges`, so
 * the self-loops, the CSR, its transpose and the heads' structure are built once, not per call.
 * The copy is compared entry by entry first (O(E)), so a tensor changed in place is rebuilt.
 */
const edgeSets = new WeakMap<Tensor, { numNodes: number; loops: boolean; entries: Int32Array; edges: Edges }>();

/** The edge set an attention layer attends over: with `loops`, existing self-loops replaced by one per node. */
export function attentionEdges(op: string, edgeIndex: Tensor, numNodes: number, loops: boolean): Edges {
  const known = edgeIndex instanceof Tensor ? edgeSets.get(edgeIndex) : undefined;
  if (known !== undefined && known.numNodes === numNodes && known.loops === loops && sameEntries(known.entries, edgeIndex.data))
    return known.edges;
  const checked = Edges.fromEdgeIndex(op, edgeIndex, { numNodes });
  const edges = loops
    ? Edges.fromEdgeIndex(op, addSelfLoops(removeSelfLoops(edgeIndex).edgeIndex, { numNodes }).edgeIndex, { numNodes })
    : checked;
  edgeSets.set(edgeIndex, { numNodes, loops, entries: (edgeIndex.data as Int32Array).slice(), edges });
  return edges;
}

function sameEntries(entries: Int32Array, data: Tensor['data']): boolean {
  if (!(data instanceof Int32Array) || data.length !== entries.length) return false;
  for (let k = 0; k < entries.length; k++) if (entries[k] !== data[k]) return false;
  return true;
}

/**
 * `Σ_j alpha[e, h] · x_j[h]` per head as one sparse product over the heads' block-diagonal
 * adjacency (`Edges.headAdjacency`): x `[N, H, C]`, alpha `[E, H]` (edge order) → `[N, H, C]`.
 */
export function attentionAggregate(edges: Edges, x: Tensor, alpha: Tensor): Tensor {
  const [n, heads, channels] = x.shape as [number, number, number];
  if (heads === 1) return reshape(sparseAggregate(edges, reshape(x, [n, channels]), reshape(alpha, [edges.numEdges])), [n, 1, channels]);
  return reshape(spmm(edges.headAdjacency(alpha), reshape(x, [n * heads, channels])), [n, heads, channels]);
}

/** `[N, H, C]` → `[N, H·C]` (concat) or `[N, C]` (mean over heads), plus the bias. */
export function combineHeads(out: Tensor, concatHeads: boolean, bias: Tensor | null): Tensor {
  const [n, heads, channels] = out.shape as [number, number, number];
  const combined = concatHeads ? reshape(out, [n, heads * channels]) : mean(out, 1);
  return bias === null ? combined : add(combined, bias);
}

interface GATInputs extends PropagateInputs {
  /** `[E, H]` attention coefficients in edge order. */
  alpha: Tensor;
}

/**
 * Graph attention, per head h (Θ shared by the edge's two ends):
 * ```
 * e_ij   = LeakyReLU(a_srcᵀ Θx_j + a_dstᵀ Θx_i)          (= aᵀ[Θx_i ‖ Θx_j], split in two)
 * α_ij   = softmax over j ∈ N(i) ∪ {i} of e_ij             then dropout(α, p) when training
 * x_i'   = ‖_h Σ_j α_ij^h Θ^h x_j  (concat)   or   mean_h Σ_j α_ij^h Θ^h x_j   (+ b)
 * ```
 * The scores `a·Θx` are computed once per node and gathered per edge; the weighted sum of all
 * heads is one sparse product over the heads' block-diagonal adjacency with α as its values, so no
 * `[E, H, C]` messages are built. The edge set (self-loops, CSR) is built on the first call with
 * an edge-index tensor and kept for later calls with the same, unchanged tensor.
 *
 * - Options: `heads` (1), `concat` (true), `negativeSlope` (0.2), `dropout` (0, on α),
 *   `addSelfLoops` (true: existing loops are removed, then one per node added), `bias` (true),
 *   `dtype` ('float32'), `generator`.
 * - `forward(x, edgeIndex, { returnAttentionWeights })`: x `[N, inChannels]` (a tensor, or a
 *   `SparseCsr` of sparse features), edgeIndex int32
 *   `[2, E]` → `[N, H·C]` (concat) or `[N, C]`; with `returnAttentionWeights: true`
 *   `{ out, attention: { edgeIndex [2, E'], alpha [E', H] } }`.
 * - Parameters (PyG's names): `lin.weight` `[H·C, in]` (no bias), `att_src` and `att_dst`
 *   `[1, H, C]`, all Glorot-uniform; `bias` `[H·C]` (concat) or `[C]`, zeros; with
 *   `attentionBias`, `att_src_bias` and `att_dst_bias` `[H]`, zeros.
 *
 * @example
 * const conv = new GATConv(16, 8, { heads: 4 });
 * conv.call(x, edgeIndex)  // [N, 32]
 * const { attention } = conv.call(x, edgeIndex, { returnAttentionWeights: true });  // attention.alpha [E', 4]
 */
export class GATConv extends MessagePassing<[NodeFeatures, Tensor, AttentionForwardOptions?], Tensor | AttentionOutput, GATInputs> {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly heads: number;
  readonly concat: boolean;
  readonly negativeSlope: number;
  readonly dropout: number;
  /** Dropout on the input, one mask per head (0: none). */
  readonly inputDropout: number;
  /** Dropout on the transformed features before the weighted sum (0: none). */
  readonly featureDropout: number;
  /** Whether the scores have their own biases (`att_src_bias`, `att_dst_bias`). */
  readonly attentionBias: boolean;
  readonly addSelfLoops: boolean;
  readonly generator: Generator | undefined;

  constructor(inChannels: number, outChannels: number, options: GATConvOptions = {}) {
    super({ aggr: 'sum' });
    checkChannels('GATConv', 'inChannels', inChannels);
    checkChannels('GATConv', 'outChannels', outChannels);
    const o = resolveAttentionOptions('GATConv', options);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.heads = o.heads;
    this.concat = o.concat;
    this.negativeSlope = o.negativeSlope;
    this.dropout = o.dropout;
    const { inputDropout = 0, featureDropout = 0, attentionBias = false } = options;
    for (const [name, value] of [
      ['inputDropout', inputDropout],
      ['featureDropout', featureDropout],
    ] as const) {
      if (!(value >= 0 && value <= 1)) throw new ValueError(`GATConv: ${name} must be a probability in [0, 1], got ${String(value)}`);
    }
    this.inputDropout = inputDropout;
    this.featureDropout = featureDropout;
    if (typeof attentionBias !== 'boolean') throw new ValueError(`GATConv: attentionBias must be a boolean, got ${String(attentionBias)}`);
    this.attentionBias = attentionBias;
    this.addSelfLoops = o.addSelfLoops;
    this.generator = o.generator;
    const width = o.heads * outChannels;
    this.registerModule(
      'lin',
      new GraphLinear({
        inFeatures: inChannels,
        outFeatures: width,
        bias: false,
        weightInitializer: 'glorot',
        dtype: o.dtype,
        generator: o.generator,
      }),
    );
    this.registerParameter('att_src', Tensor.empty([1, o.heads, outChannels], o.dtype));
    this.registerParameter('att_dst', Tensor.empty([1, o.heads, outChannels], o.dtype));
    this.registerParameter('att_src_bias', attentionBias ? Tensor.empty([o.heads], o.dtype) : null);
    this.registerParameter('att_dst_bias', attentionBias ? Tensor.empty([o.heads], o.dtype) : null);
    this.registerParameter('bias', o.bias ? Tensor.empty([o.concat ? width : outChannels], o.dtype) : null);
    this.resetParameters();
  }

  /** Θ: `lin.weight` `[H·C, in]`. */
  get lin(): GraphLinear {
    return this.getSubmodule('lin') as GraphLinear;
  }

  /** a_src `[1, H, C]`: the source half of each head's attention vector. */
  get att_src(): Tensor {
    return this.getParameter('att_src')!;
  }

  /** a_dst `[1, H, C]`: the target half of each head's attention vector. */
  get att_dst(): Tensor {
    return this.getParameter('att_dst')!;
  }

  /** `[H]`: the source half's score bias, or null without `attentionBias`. */
  get att_src_bias(): Tensor | null {
    return this.getParameter('att_src_bias');
  }

  /** `[H]`: the target half's score bias, or null without `attentionBias`. */
  get att_dst_bias(): Tensor | null {
    return this.getParameter('att_dst_bias');
  }

  /** `[H·C]` (concat) or `[C]`, or null without bias. */
  get bias(): Tensor | null {
    return this.getParameter('bias');
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    glorot_(this.att_src, generator);
    glorot_(this.att_dst, generator);
    this.att_src_bias?.data.fill(0);
    this.att_dst_bias?.data.fill(0);
    this.bias?.data.fill(0);
  }

  override call(x: NodeFeatures, edgeIndex: Tensor, options?: AttentionForwardOptions & { returnAttentionWeights?: false }): Tensor;
  override call(x: NodeFeatures, edgeIndex: Tensor, options: AttentionForwardOptions & { returnAttentionWeights: true }): AttentionOutput;
  override call(x: NodeFeatures, edgeIndex: Tensor, options?: AttentionForwardOptions): Tensor | AttentionOutput;
  override call(x: NodeFeatures, edgeIndex: Tensor, options: AttentionForwardOptions = {}): Tensor | AttentionOutput {
    return this.forward(x, edgeIndex, options);
  }

  forward(x: NodeFeatures, edgeIndex: Tensor, options?: AttentionForwardOptions & { returnAttentionWeights?: false }): Tensor;
  forward(x: NodeFeatures, edgeIndex: Tensor, options: AttentionForwardOptions & { returnAttentionWeights: true }): AttentionOutput;
  forward(x: NodeFeatures, edgeIndex: Tensor, options?: AttentionForwardOptions): Tensor | AttentionOutput;
  forward(x: NodeFeatures, edgeIndex: Tensor, options: AttentionForwardOptions = {}): Tensor | AttentionOutput {
    checkNodeFeatures('GATConv', x, this.inChannels);
    const n = x.shape[0]!;
    const edges = attentionEdges('GATConv', edgeIndex, n, this.addSelfLoops);
    const h = reshape(this.project(x), [n, this.heads, this.outChannels]);
    // aᵀ[Θx_i ‖ Θx_j] = a_dstᵀΘx_i + a_srcᵀΘx_j: one score per node and head, gathered per edge.
    let scoreSrc = sum(mul(h, this.att_src), -1);
    let scoreDst = sum(mul(h, this.att_dst), -1);
    if (this.att_src_bias !== null) scoreSrc = add(scoreSrc, this.att_src_bias);
    if (this.att_dst_bias !== null) scoreDst = add(scoreDst, this.att_dst_bias);
    const scores = leakyRelu(add(edges.gatherSource(scoreSrc), edges.gatherTarget(scoreDst)), this.negativeSlope);
    let alpha = segmentSoftmax(scores, edges.target, { dimSize: n });
    alpha = dropout(alpha, this.dropout, { training: this.training, generator: this.generator });
    const messages = dropout(h, this.featureDropout, { training: this.training, generator: this.generator });
    const out = combineHeads(this.propagate(edges, { x: messages, alpha }), this.concat, this.bias);
    if (options.returnAttentionWeights) return { out, attention: { edgeIndex: edges.edgeIndex.clone(), alpha } };
    return out;
  }

  protected override messageAndAggregate(edges: Edges, inputs: GATInputs): Tensor {
    return attentionAggregate(edges, inputs.x, inputs.alpha);
  }

  /**
   * Θx `[N, H·C]`; with `inputDropout` while training, head h sees its own dropped copy of x. A
   * dense input that needs no gradient is read as a sparse matrix of its non-zeros (bag-of-words
   * features are ~1% non-zero), so the H masks cost one draw per non-zero and head; a SparseCsr x
   * is used as it is (no scan of the dense matrix each step).
   */
  private project(x: NodeFeatures): Tensor {
    if (!this.training || this.inputDropout === 0) return this.lin.call(x);
    const options = { training: true, generator: this.generator };
    const c = this.outChannels;
    const weight = this.lin.weight;
    const parts: Tensor[] = [];
    if (x instanceof Tensor && x.requiresGrad) {
      for (let head = 0; head < this.heads; head++)
        parts.push(linear(dropout(x, this.inputDropout, options), narrow(weight, 0, head * c, c)));
    } else {
      const nonZeros =
        x instanceof SparseCsr
          ? x.values === null
            ? x.withValues(ones([x.nnz], { dtype: weight.dtype as FloatDType }))
            : x
          : SparseCsr.fromDense(x);
      for (let head = 0; head < this.heads; head++) {
        const dropped = nonZeros.withValues(dropout(nonZeros.values!, this.inputDropout, options));
        parts.push(spmm(dropped, transpose(narrow(weight, 0, head * c, c), 0, 1)));
      }
    }
    return parts.length === 1 ? parts[0]! : concat(parts, 1);
  }

  override extraRepr(): string {
    const extra =
      (this.inputDropout > 0 ? `, inputDropout=${this.inputDropout}` : '') +
      (this.featureDropout > 0 ? `, featureDropout=${this.featureDropout}` : '') +
      (this.attentionBias ? ', attentionBias=true' : '');
    return `${this.inChannels}, ${this.outChannels}, heads=${this.heads}, concat=${this.concat}, dropout=${this.dropout}${extra}`;
  }
}
