/**
 * `GATv2Conv`: the "dynamic" graph attention of Brody, Alon & Yahav (2022), PyTorch Geometric's
 * `GATv2Conv`.
 */
import { Tensor, add, dropout, leakyRelu, mul, reshape, segmentSoftmax, sum, type Generator } from '@tensorloom/core-tensor';
import {
  attentionAggregate,
  attentionEdges,
  combineHeads,
  resolveAttentionOptions,
  type AttentionConvOptions,
  type AttentionForwardOptions,
  type AttentionOutput,
} from './gat-conv.js';
import { checkChannels, glorot_, GraphLinear } from './linear.js';
import { MessagePassing, checkNodeFeatures, type Edges, type NodeFeatures, type PropagateInputs } from './message-passing.js';

/** Options of {@link GATv2Conv}: those of `GATConv` plus `shareWeights`. */
export interface GATv2ConvOptions extends AttentionConvOptions {
  /** Use one linear map for both ends of an edge (`lin_r` is `lin_l`). Default false. */
  shareWeights?: boolean;
}

interface GATv2Inputs extends PropagateInputs {
  alpha: Tensor;
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
 * - Options: those of `GATConv` (`heads` 1, `concat` true, `negativeSlope` 0.2, `dropout` 0,
 *   `addSelfLoops` true, `bias` true, `dtype`, `generator`) and `shareWeights` (false).
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
export class GATv2Conv extends MessagePassing<[NodeFeatures, Tensor, AttentionForwardOptions?], Tensor | AttentionOutput, GATv2Inputs> {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly heads: number;
  readonly concat: boolean;
  readonly negativeSlope: number;
  readonly dropout: number;
  readonly addSelfLoops: boolean;
  readonly shareWeights: boolean;
  readonly generator: Generator | undefined;

  constructor(inChannels: number, outChannels: number, options: GATv2ConvOptions = {}) {
    super({ aggr: 'sum' });
    checkChannels('GATv2Conv', 'inChannels', inChannels);
    checkChannels('GATv2Conv', 'outChannels', outChannels);
    const o = resolveAttentionOptions('GATv2Conv', options);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.heads = o.heads;
    this.concat = o.concat;
    this.negativeSlope = o.negativeSlope;
    this.dropout = o.dropout;
    this.addSelfLoops = o.addSelfLoops;
    this.shareWeights = options.shareWeights ?? false;
    this.generator = o.generator;
    const width = o.heads * outChannels;
    const makeLinear = () =>
      new GraphLinear({
        inFeatures: inChannels,
        outFeatures: width,
        bias: o.bias,
        weightInitializer: 'glorot',
        dtype: o.dtype,
        generator: o.generator,
      });
    const linL = this.registerModule('lin_l', makeLinear());
    this.registerModule('lin_r', this.shareWeights ? linL : makeLinear());
    this.registerParameter('att', Tensor.empty([1, o.heads, outChannels], o.dtype));
    this.registerParameter('bias', o.bias ? Tensor.empty([o.concat ? width : outChannels], o.dtype) : null);
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

  /** `[H·C]` (concat) or `[C]`, or null without bias. */
  get bias(): Tensor | null {
    return this.getParameter('bias');
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    glorot_(this.att, generator);
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
    checkNodeFeatures('GATv2Conv', x, this.inChannels);
    const n = x.shape[0]!;
    const edges = attentionEdges('GATv2Conv', edgeIndex, n, this.addSelfLoops);
    const shape = [n, this.heads, this.outChannels];
    const xl = reshape(this.lin_l.call(x), shape);
    const xr = this.shareWeights ? xl : reshape(this.lin_r.call(x), shape);
    const hidden = leakyRelu(add(edges.gatherSource(xl), edges.gatherTarget(xr)), this.negativeSlope);
    let alpha = segmentSoftmax(sum(mul(hidden, this.att), -1), edges.target, { dimSize: n });
    alpha = dropout(alpha, this.dropout, { training: this.training, generator: this.generator });
    const out = combineHeads(this.propagate(edges, { x: xl, alpha }), this.concat, this.bias);
    if (options.returnAttentionWeights) return { out, attention: { edgeIndex: edges.edgeIndex.clone(), alpha } };
    return out;
  }

  protected override messageAndAggregate(edges: Edges, inputs: GATv2Inputs): Tensor {
    return attentionAggregate(edges, inputs.x, inputs.alpha);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, heads=${this.heads}, concat=${this.concat}, shareWeights=${this.shareWeights}`;
  }
}
