/**
 * `GatedGraphConv`: gated graph neural networks (Li et al., 2016), PyTorch Geometric's
 * `GatedGraphConv` — message passing whose node update is a GRU cell.
 */
import { Tensor, ValueError, concat, matmul, nn, select, zeros, type FloatDType, type Generator } from '@tensorloom/core-tensor';
import { GRUCell } from '@tensorloom/rnn';
import { checkChannels } from './linear.js';
import { Edges } from './edges.js';
import { MessagePassing, type Aggregation } from './message-passing.js';
import { checkNodeFeatures, denseFeatures, type NodeFeatures } from './node-features.js';

/** Options of {@link GatedGraphConv}. */
export interface GatedGraphConvOptions {
  /** How the messages are combined: 'add' ('sum'), 'mean' or 'max'. Default 'add'. */
  aggr?: Aggregation;
  /** Biases in the GRU cell. Default true. */
  bias?: boolean;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial weights. Default: the global one. */
  generator?: Generator;
}

/** Options of {@link GatedGraphConv.forward}. */
export interface GatedGraphConvForwardOptions {
  /** One weight per edge, `[E]`; messages are scaled by it. Default: none. */
  edgeWeight?: Tensor | null;
}

/**
 * The gated graph layer: node states are the hidden states of a GRU, and one step of message
 * passing is one GRU step whose input is the aggregated messages:
 * ```
 * h⁽⁰⁾_i = x_i ‖ 0                                 (zero-padded to outChannels)
 * m⁽ˡ⁾_i = Σ_{j ∈ N(i)} e_ji · (h⁽ˡ⁾ W_l)_j          l = 0 … numLayers − 1
 * h⁽ˡ⁺¹⁾_i = GRUCell(m⁽ˡ⁾_i, h⁽ˡ⁾_i)
 * ```
 * - Options: `aggr` ('add'), `bias` (true, the GRU's), `dtype` ('float32'), `generator`.
 * - `forward(x, edgeIndex, { edgeWeight })`: x `[N, F]` with `F ≤ outChannels` (a larger F is
 *   a ValueError), edgeIndex int32 `[2, E]` → `[N, outChannels]`.
 * - Parameters (PyG's names): `weight` `[numLayers, out, out]` from U(±1/√out), and `rnn`, a
 *   `GRUCell(out, out)` from @tensorloom/rnn: `rnn.weight_ih`, `rnn.weight_hh` `[3·out, out]`,
 *   `rnn.bias_ih`, `rnn.bias_hh` `[3·out]` (gates r, z, n, as PyTorch).
 *
 * @example
 * const conv = new GatedGraphConv(8, 3);
 * conv.call(x, edgeIndex)  // x [N, ≤ 8] → [N, 8]
 */
export class GatedGraphConv extends MessagePassing<[NodeFeatures, Tensor, GatedGraphConvForwardOptions?], Tensor> {
  readonly outChannels: number;
  readonly numLayers: number;
  readonly generator: Generator | undefined;

  constructor(outChannels: number, numLayers: number, options: GatedGraphConvOptions = {}) {
    super({ aggr: options.aggr ?? 'add' });
    checkChannels('GatedGraphConv', 'outChannels', outChannels);
    checkChannels('GatedGraphConv', 'numLayers', numLayers);
    const { bias = true, dtype = 'float32', generator } = options;
    this.outChannels = outChannels;
    this.numLayers = numLayers;
    this.generator = generator;
    this.registerParameter('weight', Tensor.empty([numLayers, outChannels, outChannels], dtype));
    this.registerModule('rnn', new GRUCell({ inputSize: outChannels, hiddenSize: outChannels, bias, dtype, generator }));
    this.resetParameters();
  }

  /** W `[numLayers, out, out]`: the message map of each step (applied as `h · W_l`). */
  get weight(): Tensor {
    return this.getParameter('weight')!;
  }

  /** The GRU cell that updates the node states. */
  get rnn(): GRUCell {
    return this.getSubmodule('rnn') as GRUCell;
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    const bound = 1 / Math.sqrt(this.outChannels);
    nn.init.uniform_(this.weight, { a: -bound, b: bound, generator });
  }

  forward(input: NodeFeatures, edgeIndex: Tensor, options: GatedGraphConvForwardOptions = {}): Tensor {
    checkNodeFeatures('GatedGraphConv', input, null);
    const x = denseFeatures(input, this.weight.dtype as FloatDType);
    const [n, features] = x.shape as [number, number];
    if (features > this.outChannels) {
      throw new ValueError(
        `GatedGraphConv: x has ${features} features, more than outChannels (${this.outChannels}); expected at most ${this.outChannels}`,
      );
    }
    let h = features < this.outChannels ? concat([x, zeros([n, this.outChannels - features], { dtype: x.dtype })], 1) : x;
    const edges = Edges.fromEdgeIndex('GatedGraphConv', edgeIndex, { numNodes: n });
    for (let layer = 0; layer < this.numLayers; layer++) {
      const m = this.propagate(edges, { x: matmul(h, select(this.weight, 0, layer)), edgeWeight: options.edgeWeight ?? null });
      h = this.rnn.call(m, h);
    }
    return h;
  }

  override extraRepr(): string {
    return `${this.outChannels}, numLayers=${this.numLayers}, aggr='${this.aggr}'`;
  }
}
