/**
 * `GConvGRU`: the Chebyshev graph-convolutional GRU of Seo et al. (2018), PyTorch Geometric
 * Temporal's `GConvGRU`.
 */
import { Tensor, add, concat, linear, mul, sigmoid, split, sub, tanh } from '@tensorloom/core-tensor';
import { ChebGraphCell, type ChebCellGraph, type ChebCellOptions } from './cheb-cell.js';

/** The weights of one sequence: the three gates' product and the candidate's convolution of h ⊙ r. */
interface GConvGRUWeights {
  /** `[3·out, K·(in + out) + 1]`: row blocks z, r and the x part of h̃ (its h columns zero). */
  gates: Tensor;
  /** `[out, K·out]`: Θ^{hh}_k side by side. */
  candidate: Tensor;
}

/**
 * A GRU whose products are Chebyshev graph convolutions (PyG's `ChebConv`, order K, over one
 * graph), stepped over node-feature snapshots:
 * ```
 * Z  = σ(ChebConv_xz(X) + ChebConv_hz(H))
 * R  = σ(ChebConv_xr(X) + ChebConv_hr(H))
 * H̃  = tanh(ChebConv_xh(X) + ChebConv_hh(H ⊙ R))
 * H' = Z ⊙ H + (1 − Z) ⊙ H̃
 * ```
 * - `new GConvGRU(inChannels, outChannels, K, { normalization, lambdaMax, bias, dtype, generator })`:
 *   normalization 'sym' (or 'rw', null), lambdaMax 2, bias true, dtype 'float32'.
 * - `forward(x, edgeIndex, { edgeWeight, state })`: x `[N, inChannels]`, edgeIndex int32 `[2, E]`,
 *   edgeWeight `[E]`, state `[h]` (default zeros) → `[h']`, `[N, outChannels]`. Over a sequence
 *   `[T, N, inChannels]`: `unrollGraphCell(cell, xs, edgeIndex, { edgeWeight, detachEvery })`.
 * - Parameters (PyG Temporal's names and order): `conv_x_z`, `conv_h_z`, `conv_x_r`, `conv_h_r`,
 *   `conv_x_h`, `conv_h_h`, each a ChebConv with `lins.{k}.weight` `[out, in]` (in = inChannels
 *   for `conv_x_*`, outChannels for `conv_h_*`), Glorot-uniform, and `bias` `[out]`, zeros.
 * - Speed: L̂ and the packed weights once per sequence (PyG Temporal rebuilds L̂ in each of its
 *   six convolutions). A step runs the Chebyshev recursion once on x‖h and once on H ⊙ R, and
 *   two matrix products: one for the three x-convolutions, the h-convolutions of Z and R and all
 *   biases, one for `ChebConv_hh(H ⊙ R)` — 12 ops on the tape for K = 1, 4K + 8 for K ≥ 2
 *   (2(K − 1) of them sparse products).
 *
 * @example
 * const cell = new GConvGRU(4, 32, 2);
 * const { output } = unrollGraphCell(cell, xs, edgeIndex, { edgeWeight });  // xs [T, N, 4] → [T, N, 32]
 */
export class GConvGRU extends ChebGraphCell<GConvGRUWeights> {
  readonly stateNames = ['h'] as const;

  constructor(inChannels: number, outChannels: number, K: number, options: ChebCellOptions = {}) {
    super(inChannels, outChannels, K, options);
    for (const gate of ['z', 'r', 'h']) {
      this.addConv(`conv_x_${gate}`, 'x');
      this.addConv(`conv_h_${gate}`, 'h');
    }
  }

  protected packWeights(): GConvGRUWeights {
    const [xz, hz, xr, hr, xh, hh] = ['conv_x_z', 'conv_h_z', 'conv_x_r', 'conv_h_r', 'conv_x_h', 'conv_h_h'].map((name) =>
      this.conv(name),
    );
    const gates = concat(
      [
        this.gateBlock(xz!, hz!, [xz!.bias, hz!.bias]),
        this.gateBlock(xr!, hr!, [xr!.bias, hr!.bias]),
        // H̃'s h-convolution reads H ⊙ R, known only after R: its bias rides here, its weights below.
        this.gateBlock(xh!, null, [xh!.bias, hh!.bias]),
      ],
      0,
    );
    return { gates, candidate: hh!.packedWeight() };
  }

  protected stepOn(x: Tensor, graph: ChebCellGraph<GConvGRUWeights>, state: readonly Tensor[]): Tensor[] {
    const h = state[0]!;
    const pre = linear(this.gateInputs(x, h, graph), graph.weights.gates);
    const [zPre, rPre, candidateX] = split(pre, this.outChannels, 1) as [Tensor, Tensor, Tensor];
    const z = sigmoid(zPre);
    const r = sigmoid(rPre);
    const candidate = tanh(add(candidateX, linear(this.terms(mul(h, r), graph), graph.weights.candidate)));
    // Z ⊙ H + (1 − Z) ⊙ H̃ = H̃ + Z ⊙ (H − H̃)
    return [add(candidate, mul(z, sub(h, candidate)))];
  }
}
