/**
 * `GINConv`: the graph isomorphism network layer (Xu et al., 2019), PyTorch Geometric's `GINConv`.
 */
import { Tensor, add, mul, nn, noGrad, type FloatDType } from '@tensorloom/core-tensor';
import { MessagePassing } from './message-passing.js';
import { checkNodeFeatures, denseFeatures, type NodeFeatures } from './node-features.js';

/** A module mapping node features `[N, F]` to `[N, F']` (an MLP, usually an `nn.Sequential`). */
export type NodeModule = nn.Module<[Tensor], Tensor>;

/** Options of {@link GINConv}. */
export interface GINConvOptions {
  /** The initial ε. Default 0. */
  eps?: number;
  /** Learn ε (a parameter) or keep it fixed (a buffer); both are `eps` `[1]` in the state dict. Default false. */
  trainEps?: boolean;
  /** dtype of ε. Default 'float32'. */
  dtype?: FloatDType;
}

/**
 * The GIN layer: a sum over the neighbours, the node itself weighted by 1 + ε, then a network:
 * ```
 * x_i' = h_Θ((1 + ε) · x_i + Σ_{j ∈ N(i)} x_j)
 * ```
 * - `nn`: h_Θ, a module `[N, F] → [N, F']` (its parameters are named `nn.<theirs>`).
 * - Options: `eps` (0), `trainEps` (false), `dtype` ('float32').
 * - `forward(x, edgeIndex)`: x `[N, F]`, edgeIndex int32 `[2, E]` → `[N, F']`.
 * - State (PyG's names): `eps` `[1]` (a parameter with `trainEps`, else a buffer), `nn.*`.
 *   `resetParameters()` re-draws `nn` and sets ε back to its initial value.
 *
 * @example
 * const mlp = new nn.Sequential(new nn.Linear({ inFeatures: 16, outFeatures: 32 }), new nn.ReLU(), new nn.Linear({ inFeatures:
 * 32, outFeatures: 32 }));
 * new GINConv(mlp, { trainEps: true }).call(x, edgeIndex)  // [N, 32]
 */
export class GINConv extends MessagePassing<[NodeFeatures, Tensor], Tensor> {
  readonly initialEps: number;
  readonly trainEps: boolean;

  constructor(network: NodeModule, options: GINConvOptions = {}) {
    super({ aggr: 'sum' });
    const { eps = 0, trainEps = false, dtype = 'float32' } = options;
    this.initialEps = eps;
    this.trainEps = trainEps;
    const value = Tensor.empty([1], dtype);
    if (trainEps) this.registerParameter('eps', value);
    else this.registerBuffer('eps', value);
    this.registerModule('nn', network as nn.AnyModule);
    this.resetParameters();
  }

  /** h_Θ. */
  get nn(): NodeModule {
    return this.getSubmodule('nn') as NodeModule;
  }

  /** ε `[1]`. */
  get eps(): Tensor {
    return (this.trainEps ? this.getParameter('eps') : this.getBuffer('eps'))!;
  }

  protected override resetOwnParameters(): void {
    const eps = this.eps;
    noGrad(() => eps.data.fill(this.initialEps));
  }

  forward(features: NodeFeatures, edgeIndex: Tensor): Tensor {
    checkNodeFeatures('GINConv', features, null);
    const x = denseFeatures(features, this.eps.dtype as FloatDType);
    const neighbours = this.propagate(edgeIndex, { x });
    return this.nn.call(add(neighbours, mul(add(this.eps, 1), x)));
  }

  override extraRepr(): string {
    return `eps=${this.initialEps}, trainEps=${this.trainEps}`;
  }
}
