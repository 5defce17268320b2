/**
 * `GConvLSTM`: the Chebyshev graph-convolutional LSTM of Seo et al. (2018), with peepholes,
 * PyTorch Geometric Temporal's `GConvLSTM`.
 */
import { Tensor, add, concat, linear, lstmCell, mul, narrow, sigmoid, tanh, zeros, type Generator } from '@tensorloom/core-tensor';
import { glorot_ } from '../linear.js';
import { ChebGraphCell, type ChebCellGraph, type ChebCellOptions } from './cheb-cell.js';

/** The own parameters of GConvLSTM, PyG Temporal's names: peephole weights `w_c_*` and gate biases `b_*`, each `[1, out]`. */
export type GConvLSTMParameterName = 'w_c_i' | 'b_i' | 'w_c_f' | 'b_f' | 'b_c' | 'w_c_o' | 'b_o';

/** The weights of one sequence. */
interface GConvLSTMWeights {
  /** `[4·out, K·(in + out) + 1]`: row blocks i, f, c, o (x and h convolutions, summed biases). */
  gates: Tensor;
  /** `[1, 4·out]`: `w_c_i`, `w_c_f`, then zeros (the peepholes on C of the i and f gates). */
  peephole: Tensor;
}

/**
 * An LSTM with peepholes whose products are Chebyshev graph convolutions (PyG's `ChebConv`,
 * order K, over one graph), stepped over node-feature snapshots:
 * ```
 * I  = σ(ChebConv_xi(X) + ChebConv_hi(H) + w_c_i ⊙ C + b_i)
 * F  = σ(ChebConv_xf(X) + ChebConv_hf(H) + w_c_f ⊙ C + b_f)
 * T  = tanh(ChebConv_xc(X) + ChebConv_hc(H) + b_c)
 * C' = F ⊙ C + I ⊙ T
 * O  = σ(ChebConv_xo(X) + ChebConv_ho(H) + w_c_o ⊙ C' + b_o)      (the new cell state)
 * H' = O ⊙ tanh(C')
 * ```
 * - `new GConvLSTM(inChannels, outChannels, K, { normalization, lambdaMax, bias, dtype, generator })`:
 *   normalization 'sym' (or 'rw', null), lambdaMax 2, bias true (the ChebConvs'; `b_*` are always
 *   there), dtype 'float32'.
 * - `forward(x, edgeIndex, { edgeWeight, state })`: x `[N, inChannels]`, edgeIndex int32 `[2, E]`,
 *   edgeWeight `[E]`, state `[h, c]` (default zeros) → `[h', c']`, each `[N, outChannels]`. Over a
 *   sequence: `unrollGraphCell(cell, xs, edgeIndex, { edgeWeight, detachEvery })`.
 * - Parameters (PyG Temporal's names and order): `w_c_i`, `b_i`, `w_c_f`, `b_f`, `b_c`, `w_c_o`,
 *   `b_o` (`[1, out]`; `w_c_*` Glorot-uniform U(±√(6 / (1 + out))), `b_*` zeros), then the
 *   ChebConvs `conv_x_i`, `conv_h_i`, `conv_x_f`, `conv_h_f`, `conv_x_c`, `conv_h_c`, `conv_x_o`,
 *   `conv_h_o` (`lins.{k}.weight` `[out, in]` Glorot-uniform, `bias` `[out]` zeros).
 * - Speed: L̂ and the packed weights once per sequence (PyG Temporal rebuilds L̂ in each of its
 *   eight convolutions). A step runs the Chebyshev recursion once on x‖h, one matrix product for
 *   all eight convolutions and the biases, and the fused `lstmCell` for C' — 12 ops on the tape
 *   for K = 1, 2K + 10 for K ≥ 2 (K − 1 of them sparse products).
 *
 * @example
 * const cell = new GConvLSTM(4, 32, 2);
 * const { output, state: [h, c] } = unrollGraphCell(cell, xs, edgeIndex);  // xs [T, N, 4] → [T, N, 32]
 */
export class GConvLSTM extends ChebGraphCell<GConvLSTMWeights> {
  readonly stateNames = ['h', 'c'] as const;

  constructor(inChannels: number, outChannels: number, K: number, options: ChebCellOptions = {}) {
    super(inChannels, outChannels, K, options);
    const dtype = options.dtype ?? 'float32';
    const own = (name: GConvLSTMParameterName): void => this.registerParameter(name, Tensor.empty([1, outChannels], dtype));
    for (const gate of ['i', 'f', 'c', 'o']) {
      this.addConv(`conv_x_${gate}`, 'x');
      this.addConv(`conv_h_${gate}`, 'h');
      if (gate !== 'c') own(`w_c_${gate}` as GConvLSTMParameterName);
      own(`b_${gate}` as GConvLSTMParameterName);
    }
    this.resetOwnParameters();
  }

  /** A peephole weight or gate bias, `[1, outChannels]`. */
  gateParameter(name: GConvLSTMParameterName): Tensor {
    return this.getParameter(name)!;
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    for (const gate of ['i', 'f', 'o']) glorot_(this.gateParameter(`w_c_${gate}` as GConvLSTMParameterName), generator);
    for (const gate of ['i', 'f', 'c', 'o']) this.gateParameter(`b_${gate}` as GConvLSTMParameterName).data.fill(0);
  }

  protected packWeights(): GConvLSTMWeights {
    const blocks = ['i', 'f', 'c', 'o'].map((gate) => {
      const xConv = this.conv(`conv_x_${gate}`);
      const hConv = this.conv(`conv_h_${gate}`);
      return this.gateBlock(xConv, hConv, [xConv.bias, hConv.bias, this.gateParameter(`b_${gate}` as GConvLSTMParameterName)]);
    });
    const none = zeros([1, 2 * this.outChannels], { dtype: this.dtype });
    return {
      gates: concat(blocks, 0),
      peephole: concat([this.gateParameter('w_c_i'), this.gateParameter('w_c_f'), none], 1),
    };
  }

  protected stepOn(x: Tensor, graph: ChebCellGraph<GConvLSTMWeights>, state: readonly Tensor[]): Tensor[] {
    const [h, c] = state as [Tensor, Tensor];
    const out = this.outChannels;
    const pre = linear(this.gateInputs(x, h, graph), graph.weights.gates);
    // lstmCell's C' = σ(f) ⊙ C + σ(i) ⊙ tanh(g) with the peepholes added to i and f; its h is not
    // ours, as O looks at the new C'.
    const gates = add(pre, mul(concat([c, c, c, c], 1), graph.weights.peephole));
    const cNext = lstmCell(gates, c).c;
    const o = sigmoid(add(narrow(pre, 1, 3 * out, out), mul(cNext, this.gateParameter('w_c_o'))));
    return [mul(o, tanh(cNext)), cNext];
  }
}
