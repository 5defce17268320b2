/**
 * The number of learned parameters of an LSTM and its output layer, in closed form: the course's
 * formula, generalised to PyTorch's `nn.LSTM`.
 */
import { ValueError } from '@tensorloom/core-tensor';

export interface LSTMParameterCountOptions {
  /** I: features of each input step. */
  inputSize: number;
  /** H: features of the cell state (and of h without projection). */
  hiddenSize: number;
  /** O: size of a linear output layer reading the last layer's output; 0 for none. Default 0. */
  outputSize?: number;
  /** L: stacked layers. Default 1. */
  layers?: number;
  /** Two directions per layer (D = 2). Default false. */
  bidirectional?: boolean;
  /** P: projection size (`weight_hr`), 0 for none. Default 0. */
  projSize?: number;
  /** The LSTM has biases. Default true. */
  bias?: boolean;
  /**
   * 'pytorch': two bias vectors per gate (`bias_ih`, `bias_hh`, 8H per layer-direction), as
   * nn.LSTM; 'single': one per gate (4H), as the course's equations. Default 'pytorch'.
   */
  biasConvention?: 'pytorch' | 'single';
  /** The output layer has a bias (O more). Default true. */
  outputBias?: boolean;
}

/**
 * Counts the parameters of an LSTM (and an optional linear output layer) without building it.
 *
 * With R = P if P > 0 else H (the size of h), D = 2 if bidirectional else 1, and
 * I_k = I for k = 0, D·R for k > 0 (what layer k reads), each layer-direction has
 *
 * ```
 * 4H·I_k + 4H·R          weight_ih, weight_hh
 * + P·H                  weight_hr (P > 0)
 * + 8H  or  4H           bias_ih + bias_hh ('pytorch'), or one bias per gate ('single'); 0 without bias
 * ```
 *
 * and the output layer adds `O·D·R + O` (O without its bias). The total sums the first over the
 * L·D layer-directions and adds the second.
 *
 * The course's count for one layer with an output layer, `4(H·I + H·H + H) + O·H + O`, is the
 * case L = 1, D = 1, P = 0, `biasConvention: 'single'`. (The seed report wrote
 * `4(H·H + H·I + H) + H·O`, leaving out the output bias O.) PyTorch's nn.LSTM counts 4H more per
 * layer-direction, for its second bias vector.
 *
 * @example
 * lstmParameterCount({ inputSize: 10, hiddenSize: 128, outputSize: 10, biasConvention: 'single' })
 * // 4·(128·10 + 128·128 + 128) + 10·128 + 10 = 72_458
 * lstmParameterCount({ inputSize: 3, hiddenSize: 5, layers: 2, bidirectional: true, projSize: 2 }) // 640
 */
export function lstmParameterCount(options: LSTMParameterCountOptions): number {
  const {
    inputSize,
    hiddenSize,
    outputSize = 0,
    layers = 1,
    bidirectional = false,
    projSize = 0,
    bias = true,
    biasConvention = 'pytorch',
    outputBias = true,
  } = options;
  const op = 'lstmParameterCount';
  for (const [name, v, min] of [
    ['inputSize', inputSize, 1],
    ['hiddenSize', hiddenSize, 1],
    ['layers', layers, 1],
    ['outputSize', outputSize, 0],
    ['projSize', projSize, 0],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new ValueError(`${op}: ${name} must be an integer ≥ ${min}, got ${v}`);
  }
  if (projSize >= hiddenSize) throw new ValueError(`${op}: projSize must be smaller than hiddenSize (${hiddenSize}), got ${projSize}`);
  if (biasConvention !== 'pytorch' && biasConvention !== 'single')
    throw new ValueError(`${op}: unknown biasConvention '${String(biasConvention)}'`);
  const H = hiddenSize;
  const R = projSize > 0 ? projSize : H;
  const D = bidirectional ? 2 : 1;
  const biases = bias ? (biasConvention === 'pytorch' ? 8 * H : 4 * H) : 0;
  // Every layer after the first reads the D·R outputs of the one below: a closed form, so that a
  // size read from a hostile file cannot make this loop for ever.
  const layer = (inputs: number) => D * (4 * H * inputs + 4 * H * R + projSize * H + biases);
  let total = layer(inputSize) + (layers - 1) * layer(D * R);
  if (outputSize > 0) total += outputSize * D * R + (outputBias ? outputSize : 0);
  return total;
}
