/**
 * `SAGEConv`: GraphSAGE (Hamilton, Ying & Leskovec, 2017), PyTorch Geometric's `SAGEConv`.
 */
import {
  SparseCSR,
  Tensor,
  add,
  clamp,
  div,
  mul,
  spmm,
  sqrt,
  sum,
  transpose,
  type FloatDType,
  type Generator,
} from '@tensorloom/core-tensor';
import { checkChannels, GraphLinear } from './linear.js';
import { MessagePassing } from './message-passing.js';
import { checkNodeFeatures, denseFeatures, type NodeFeatures } from './node-features.js';

/** Options of {@link SAGEConv}. */
export interface SAGEConvOptions {
  /** How the neighbours are combined: 'mean', 'max' or 'sum' ('add'). Default 'mean'. */
  aggr?: 'mean' | 'max' | 'sum' | 'add';
  /** L2-normalise each output row (`x' / max(‖x'‖₂, 1e-12)`). Default false. */
  normalize?: boolean;
  /** Add the node's own transformed features `Θ_r x_i`. Default true. */
  rootWeight?: boolean;
  /** Learn an additive bias (in `lin_l`). Default true. */
  bias?: boolean;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial weights. Default: the global one. */
  generator?: Generator;
}

/**
 * GraphSAGE's layer:
 * ```
 * x_i' = Θ_l · aggr_{j ∈ N(i)} x_j + b + Θ_r x_i          (then x_i' / ‖x_i'‖₂ with normalize)
 * ```
 * where aggr is the mean (default), max or sum over node i's incoming edges; a node without one
 * aggregates to 0. No self-loops are added (the root term plays their part).
 *
 * - Options: `aggr` ('mean'), `normalize` (false), `rootWeight` (true), `bias` (true), `dtype`
 *   ('float32'), `generator`.
 * - `forward(x, edgeIndex)`: x `[N, inChannels]`, edgeIndex int32 `[2, E]` → `[N, outChannels]`.
 * - Parameters (PyG's names): `lin_l.weight` `[out, in]`, `lin_l.bias` `[out]`, `lin_r.weight`
 *   `[out, in]` (no bias; absent without `rootWeight`), all as `torch.nn.Linear` (U(±1/√in)).
 *
 * @example
 * const conv = new SAGEConv(16, 8, { aggr: 'max' });
 * conv.call(x, edgeIndex)  // [N, 8]
 */
export class SAGEConv extends MessagePassing<[NodeFeatures, Tensor], Tensor> {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly normalize: boolean;
  readonly rootWeight: boolean;

  constructor(inChannels: number, outChannels: number, options: SAGEConvOptions = {}) {
    super({ aggr: options.aggr ?? 'mean' });
    checkChannels('SAGEConv', 'inChannels', inChannels);
    checkChannels('SAGEConv', 'outChannels', outChannels);
    const { normalize = false, rootWeight = true, bias = true, dtype = 'float32', generator } = options;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.normalize = normalize;
    this.rootWeight = rootWeight;
    this.registerModule('lin_l', new GraphLinear({ inFeatures: inChannels, outFeatures: outChannels, bias, dtype, generator }));
    this.registerModule(
      'lin_r',
      rootWeight ? new GraphLinear({ inFeatures: inChannels, outFeatures: outChannels, bias: false, dtype, generator }) : null,
    );
  }

  /** Θ_l (with the bias), applied to the aggregated neighbours. */
  get lin_l(): GraphLinear {
    return this.getSubmodule('lin_l') as GraphLinear;
  }

  /** Θ_r, applied to the node itself, or null without `rootWeight`. */
  get lin_r(): GraphLinear | null {
    return this.rootWeight ? (this.getSubmodule('lin_r') as GraphLinear) : null;
  }

  forward(x: NodeFeatures, edgeIndex: Tensor): Tensor {
    checkNodeFeatures('SAGEConv', x, this.inChannels);
    let out: Tensor;
    if (x instanceof SparseCSR && this.aggr !== 'max') {
      // The sum or mean of Θ_l x_j is Θ_l times that of x_j: project the sparse rows, then aggregate.
      const bias = this.lin_l.bias;
      out = this.propagate(edgeIndex, { x: spmm(x, transpose(this.lin_l.weight, 0, 1)) });
      if (bias !== null) out = add(out, bias);
    } else {
      out = this.lin_l.call(this.propagate(edgeIndex, { x: denseFeatures(x, this.lin_l.weight.dtype as FloatDType) }));
    }
    const root = this.lin_r;
    if (root !== null) out = add(out, root.call(x));
    if (!this.normalize) return out;
    // max(‖x‖, 1e-12) as √max(‖x‖², 1e-24): the same value, and a zero row gets a zero gradient, not NaN.
    const norm = sqrt(clamp(sum(mul(out, out), -1, { keepdim: true }), 1e-24));
    return div(out, norm);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, aggr='${this.aggr}', normalize=${this.normalize}, rootWeight=${this.rootWeight}`;
  }
}
