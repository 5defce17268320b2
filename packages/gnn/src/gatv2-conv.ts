/**
 * `GATv2Conv`: the "dynamic" graph attention of Brody, Alon & Yahav (2022), PyTorch Geometric's
 * `GATv2Conv`.
 */
import { Tensor, add, leakyRelu, mul, reshape, sum, type Generator } from '@tensorloom/core-tensor';
import { AttentionConv, type AttentionConvOptions, type AttentionScores } from './attention.js';
import type { Edges } from './edges.js';
import { glorot_, GraphLinear } from './linear.js';
import type { NodeFeatures } from './node-features.js';

/** Options of {@link GATv2Conv}: the attention layers' plus `shareWeights`. */
export interface GATv2ConvOptions extends AttentionConvOptions {
  /** Use one linear map for both ends of an edge (`lin_r` is `lin_l`). Default false. */
  shareWeights?: boolean;
}

/**
 * GATv2 attention, per head: the non-linearity comes before the attention vector, so the
 * ranking of neighbours can depend on the query node ("dynamic" attention):
 * ```
 * e_ij = aᵀ LeakyReLU(Θ_r x_i + Θ_l x_j)          (= aᵀ LeakyReLU(W[x_i ‖ x_j]) with W = [Θ_r Θ_l])
 * α_ij = softmax over j ∈ N(i) ∪ {i} of e_ij         then dropout(α, p) when training
 * x_i' = ‖_h Σ_j α_ij^h Θ_l^h x_j  (concat)   or   mean over heads   (+ b)
 * ```
 * Unlike GAT the score cannot be split per node, so `[E, H, C]` pre-activations are built once.
 *
 * - Options: the attention layers' (`heads` 1, `concat` true, `negativeSlope` 0.2, `dropout` 0,
 *   `addSelfLoops` true, `cached` false, `bias` true, `dtype`, `generator`) and `shareWeights` (false).
 * - `forward(x, edgeIndex, { returnAttentionWeights })`: as `GATConv`.
 * - Parameters (PyG's names): `att` `[1, H, C]`, Glorot; `bias` `[H·C]` or `[C]`, zeros;
 *   `lin_l.weight` `[H·C, in]` (Glorot) and `lin_l.bias` `[H·C]` (U(±1/√in), only with `bias`);
 *   `lin_r.*` likewise (the same tensors under both names with `shareWeights`, as PyTorch's state
 *   dict lists a shared module twice).
 *
 * @example
 * const conv = new GATv2Conv(16, 8, { heads: 2, concat: false });
 * conv.call(x, edgeIndex)  // [N, 8]
 */
export class GATv2Conv extends AttentionConv {
  readonly shareWeights: boolean;

  constructor(inChannels: number, outChannels: number, options: GATv2ConvOptions = {}) {
    super(inChannels, outChannels, options);
    this.shareWeights = options.shareWeights ?? false;
    const { heads, dtype, generator } = this;
    const makeLinear = () =>
      new GraphLinear({
        inFeatures: inChannels,
        outFeatures: heads * outChannels,
        bias: options.bias ?? true,
        weightInitializer: 'glorot',
        dtype,
        generator,
      });
    const linL = this.registerModule('lin_l', makeLinear());
    this.registerModule('lin_r', this.shareWeights ? linL : makeLinear());
    this.registerParameter('att', Tensor.empty([1, heads, outChannels], dtype));
    this.registerBias();
    this.resetParameters();
  }

  /** Θ_l, applied to the sources (and, with `shareWeights`, the targets). */
  get lin_l(): GraphLinear {
    return this.getSubmodule('lin_l') as GraphLinear;
  }

  /** Θ_r, applied to the targets (the same module as `lin_l` with `shareWeights`). */
  get lin_r(): GraphLinear {
    return this.getSubmodule('lin_r') as GraphLinear;
  }

  /** The attention vector a `[1, H, C]`. */
  get att(): Tensor {
    return this.getParameter('att')!;
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    super.resetOwnParameters(generator);
    glorot_(this.att, generator);
  }

  protected override attend(x: NodeFeatures, edges: Edges): AttentionScores {
    const shape = [x.shape[0]!, this.heads, this.outChannels];
    const xl = reshape(this.lin_l.call(x), shape);
    const xr = this.shareWeights ? xl : reshape(this.lin_r.call(x), shape);
    const hidden = leakyRelu(add(edges.gatherSource(xl), edges.gatherTarget(xr)), this.negativeSlope);
    return { scores: sum(mul(hidden, this.att), -1), values: xl };
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, heads=${this.heads}, concat=${this.concat}, shareWeights=${this.shareWeights}`;
  }
}
