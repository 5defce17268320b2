/**
 * `GATConv`: graph attention (Veličković et al., 2018), PyTorch Geometric's `GATConv`, with the
 * dropouts and score biases of the authors' code as options.
 */
import {
  SparseCSR,
  Tensor,
  ValueError,
  add,
  concat,
  dropout,
  leakyRelu,
  linear,
  mul,
  narrow,
  ones,
  reshape,
  spmm,
  sum,
  transpose,
  type FloatDType,
  type Generator,
} from '@tensorloom/core-tensor';
import { AttentionConv, type AttentionConvOptions, type AttentionScores } from './attention.js';
import type { Edges } from './edges.js';
import { glorot_, GraphLinear } from './linear.js';
import type { NodeFeatures } from './node-features.js';

/** Options of {@link GATConv}: the shared ones plus the dropouts and score biases of the GAT authors' code. */
export interface GATConvOptions extends AttentionConvOptions {
  /**
   * Dropout on the layer's input with a separate mask for every head (the GAT reference code's
   * `in_drop` on `seq`; training only). Default 0. PyG leaves this to the model, one mask for all
   * heads.
   */
  perHeadInputDropout?: number;
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

/**
 * Graph attention, per head h (Θ shared by the edge's two ends):
 * ```
 * e_ij   = LeakyReLU(a_srcᵀ Θx_j + a_dstᵀ Θx_i)          (= aᵀ[Θx_i ‖ Θx_j], split in two)
 * α_ij   = softmax over j ∈ N(i) ∪ {i} of e_ij             then dropout(α, p) when training
 * x_i'   = ‖_h Σ_j α_ij^h Θ^h x_j  (concat)   or   mean_h Σ_j α_ij^h Θ^h x_j   (+ b)
 * ```
 * The scores `a·Θx` are computed once per node and gathered per edge; the weighted sum of all
 * heads is one sparse product over the heads' block-diagonal adjacency with α as its values, so no
 * `[E, H, C]` messages are built. With `cached` the edge set (self-loops, CSR, its transpose, the
 * heads' structure) is built on the first forward and reused.
 *
 * - Options: `heads` (1), `concat` (true), `negativeSlope` (0.2), `dropout` (0, on α),
 *   `addSelfLoops` (true: existing loops are removed, then one per node added), `cached` (false),
 *   `bias` (true), `dtype` ('float32'), `generator`; and the authors' `perHeadInputDropout` (0),
 *   `featureDropout` (0) and `attentionBias` (false).
 * - `forward(x, edgeIndex, { returnAttentionWeights })`: x `[N, inChannels]` (a tensor, or a
 *   `SparseCSR` of sparse features), edgeIndex int32
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
export class GATConv extends AttentionConv {
  /** Dropout on the layer's input, one mask per head (0: none). */
  readonly perHeadInputDropout: number;
  /** Dropout on the transformed features before the weighted sum (0: none). */
  readonly featureDropout: number;
  /** Whether the scores have their own biases (`att_src_bias`, `att_dst_bias`). */
  readonly attentionBias: boolean;

  constructor(inChannels: number, outChannels: number, options: GATConvOptions = {}) {
    super(inChannels, outChannels, options);
    const { perHeadInputDropout = 0, featureDropout = 0, attentionBias = false } = options;
    for (const [name, value] of [
      ['perHeadInputDropout', perHeadInputDropout],
      ['featureDropout', featureDropout],
    ] as const) {
      if (!(value >= 0 && value <= 1)) throw new ValueError(`GATConv: ${name} must be a probability in [0, 1], got ${String(value)}`);
    }
    if (typeof attentionBias !== 'boolean') throw new ValueError(`GATConv: attentionBias must be a boolean, got ${String(attentionBias)}`);
    this.perHeadInputDropout = perHeadInputDropout;
    this.featureDropout = featureDropout;
    this.attentionBias = attentionBias;
    const { heads, dtype, generator } = this;
    this.registerModule(
      'lin',
      new GraphLinear({
        inFeatures: inChannels,
        outFeatures: heads * outChannels,
        bias: false,
        weightInitializer: 'glorot',
        dtype,
        generator,
      }),
    );
    this.registerParameter('att_src', Tensor.empty([1, heads, outChannels], dtype));
    this.registerParameter('att_dst', Tensor.empty([1, heads, outChannels], dtype));
    this.registerParameter('att_src_bias', attentionBias ? Tensor.empty([heads], dtype) : null);
    this.registerParameter('att_dst_bias', attentionBias ? Tensor.empty([heads], dtype) : null);
    this.registerBias();
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

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    super.resetOwnParameters(generator);
    glorot_(this.att_src, generator);
    glorot_(this.att_dst, generator);
    this.att_src_bias?.data.fill(0);
    this.att_dst_bias?.data.fill(0);
  }

  protected override attend(x: NodeFeatures, edges: Edges): AttentionScores {
    const h = reshape(this.project(x), [x.shape[0]!, this.heads, this.outChannels]);
    // aᵀ[Θx_i ‖ Θx_j] = a_dstᵀΘx_i + a_srcᵀΘx_j: one score per node and head, gathered per edge.
    let scoreSrc = sum(mul(h, this.att_src), -1);
    let scoreDst = sum(mul(h, this.att_dst), -1);
    if (this.att_src_bias !== null) scoreSrc = add(scoreSrc, this.att_src_bias);
    if (this.att_dst_bias !== null) scoreDst = add(scoreDst, this.att_dst_bias);
    const scores = leakyRelu(add(edges.gatherSource(scoreSrc), edges.gatherTarget(scoreDst)), this.negativeSlope);
    return { scores, values: dropout(h, this.featureDropout, { training: this.training, generator: this.generator }) };
  }

  /**
   * Θx `[N, H·C]`; with `perHeadInputDropout` while training, head h sees its own dropped copy of x. A
   * dense input that needs no gradient is read as a sparse matrix of its non-zeros (bag-of-words
   * features are ~1% non-zero), so the H masks cost one draw per non-zero and head; a SparseCSR x
   * is used as it is (no scan of the dense matrix each step).
   */
  private project(x: NodeFeatures): Tensor {
    if (!this.training || this.perHeadInputDropout === 0) return this.lin.call(x);
    const options = { training: true, generator: this.generator };
    const c = this.outChannels;
    const weight = this.lin.weight;
    const parts: Tensor[] = [];
    if (x instanceof Tensor && x.requiresGrad) {
      for (let head = 0; head < this.heads; head++)
        parts.push(linear(dropout(x, this.perHeadInputDropout, options), narrow(weight, 0, head * c, c)));
    } else {
      const nonZeros =
        x instanceof SparseCSR
          ? x.values === null
            ? x.withValues(ones([x.nnz], { dtype: weight.dtype as FloatDType }))
            : x
          : SparseCSR.fromDense(x);
      for (let head = 0; head < this.heads; head++) {
        const dropped = nonZeros.withValues(dropout(nonZeros.values!, this.perHeadInputDropout, options));
        parts.push(spmm(dropped, transpose(narrow(weight, 0, head * c, c), 0, 1)));
      }
    }
    return parts.length === 1 ? parts[0]! : concat(parts, 1);
  }

  override extraRepr(): string {
    const extra =
      (this.perHeadInputDropout > 0 ? `, perHeadInputDropout=${this.perHeadInputDropout}` : '') +
      (this.featureDropout > 0 ? `, featureDropout=${this.featureDropout}` : '') +
      (this.attentionBias ? ', attentionBias=true' : '');
    return `${super.extraRepr()}${extra}`;
  }
}
