/**
 * `GATConv`: graph attention (Veličković et al., 2018), PyTorch Geometric's `GATConv`, with the
 * dropouts and score biases of the authors' code as options.
 */
import {
  SparseCSR,
  Tensor,
  ValueError,
  add,
  dropout,
  expand,
  indexSelect,
  leakyRelu,
  matmul,
  mul,
  ones,
  permute,
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
   * Θx `[N, H·C]`; with `perHeadInputDropout` while training, head h sees its own dropped copy of x:
   * `Θ^h (x ⊙ m^h) / (1 − p)`, m^h ~ Bernoulli(1 − p) independent per head and entry. All heads'
   * masks are one dropout call and all heads one product:
   * - x needing a gradient: one mask over x expanded to `[H, N, in]`, one batched product with Θ
   *   read as `[H, in, C]`.
   * - otherwise x is read as a sparse matrix of its non-zeros (bag-of-words features are ~1%
   *   non-zero; a SparseCSR x as it is, no scan of a dense matrix), stacked per head into
   *   `[N·H, H·in]` (row `i·H + h` holds x_i's non-zeros at columns `h·in + f`), so the masks cost
   *   one draw per non-zero and head, and one sparse product with Θ read as `[H·in, C]` gives
   *   `[N·H, C]` = `[N, H·C]`.
   * The draws are as many as before and have the same distribution; their order (so the masks a
   * given seed gives) changed when the per-head products were merged.
   */
  private project(x: NodeFeatures): Tensor {
    if (!this.training || this.perHeadInputDropout === 0) return this.lin.call(x);
    const options = { training: true, generator: this.generator };
    const { heads, outChannels: c, inChannels: f } = this;
    const n = x.shape[0]!;
    const weight = this.lin.weight;
    // Head h's rows of Θ [h·C, (h + 1)·C) as an [in, C] block: [H, in, C].
    const weightByHead = transpose(reshape(weight, [heads, c, f]), 1, 2);
    if (x instanceof Tensor && x.requiresGrad) {
      const dropped = dropout(expand(reshape(x, [1, n, f]), [heads, n, f]), this.perHeadInputDropout, options);
      return reshape(permute(matmul(dropped, weightByHead), [1, 0, 2]), [n, heads * c]);
    }
    const nonZeros =
      x instanceof SparseCSR
        ? x.values === null
          ? x.withValues(ones([x.nnz], { dtype: weight.dtype as FloatDType }))
          : x
        : SparseCSR.fromDense(x);
    const { csr, order } = headStack(nonZeros, heads);
    const values = dropout(indexSelect(nonZeros.values!, 0, order), this.perHeadInputDropout, options);
    return reshape(spmm(csr.withValues(values), reshape(weightByHead, [heads * f, c])), [n, heads * c]);
  }

  override extraRepr(): string {
    const extra =
      (this.perHeadInputDropout > 0 ? `, perHeadInputDropout=${this.perHeadInputDropout}` : '') +
      (this.featureDropout > 0 ? `, featureDropout=${this.featureDropout}` : '') +
      (this.attentionBias ? ', attentionBias=true' : '');
    return `${super.extraRepr()}${extra}`;
  }
}

/** The stacked structures of {@link headStack}, by the column array of the matrix they stack (and the head count). */
const stacks = new WeakMap<Int32Array, { heads: number; csr: SparseCSR; order: Tensor }>();

/**
 * The per-head stack of x `[N, in]`: `[N·H, H·in]`, row `i·H + h` holding the entries of row i at
 * columns `h·in + col`, and `order[p]` the entry of x that stacked entry p copies (so
 * `indexSelect(values, 0, order)` are its values). Kept per structure, since a model's sparse
 * features keep theirs from one step to the next.
 */
function headStack(x: SparseCSR, heads: number): { csr: SparseCSR; order: Tensor } {
  const known = stacks.get(x.colIndex);
  if (known !== undefined && known.heads === heads && known.csr.shape[0] === x.shape[0] * heads) return known;
  const [n, f] = x.shape;
  const { rowPtr, colIndex } = x;
  const ptr = new Int32Array(n * heads + 1);
  const cols = new Int32Array(x.nnz * heads);
  const order = new Int32Array(x.nnz * heads);
  let p = 0;
  for (let r = 0; r < n; r++) {
    const start = rowPtr[r]!;
    const end = rowPtr[r + 1]!;
    for (let h = 0; h < heads; h++) {
      for (let k = start; k < end; k++, p++) {
        cols[p] = h * f + colIndex[k]!;
        order[p] = k;
      }
      ptr[r * heads + h + 1] = p;
    }
  }
  const stack = {
    heads,
    csr: new SparseCSR({ shape: [n * heads, heads * f], rowPtr: ptr, colIndex: cols }),
    order: new Tensor(order, [order.length], 'int32'),
  };
  stacks.set(x.colIndex, stack);
  return stack;
}
