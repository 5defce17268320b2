/**
 * The Elman cell of PyTorch's `nn.RNN` as a `CellKind`: one gate, `h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)`
 * with `act` tanh or ReLU. The course's vanilla RNN (`h(t) = tanh(W_hx x(t) + W_hh h(t−1) + b_h)`)
 * is the tanh kind with one of the two biases left at zero.
 */
import { ValueError, linear, relu, tanh, type Tensor } from '@tensorloom/core-tensor';
import type { CellDims, CellKind } from './cell-kind.js';

/** The activation of an Elman RNN step. */
export type RNNNonlinearity = 'tanh' | 'relu';

/** The shapes every kind shares: `weight_ih` `[c·H, I]`, `weight_hh` `[c·H, H]` and (with bias) `bias_ih`, `bias_hh` `[c·H]`. */
export function packedParameterShapes(chunks: number, dims: CellDims): Record<string, readonly number[] | null> {
  const rows = chunks * dims.hiddenSize;
  return {
    weight_ih: [rows, dims.inputSize],
    weight_hh: [rows, dims.hiddenSize],
    bias_ih: dims.bias ? [rows] : null,
    bias_hh: dims.bias ? [rows] : null,
  };
}

/**
 * The Elman RNN step: `h' = act(xProj + h·W_hhᵀ + b_hh)`, where `xProj = x·W_ihᵀ + b_ih` and
 * `act` is `tanh` (name 'RNN_TANH') or `relu` ('RNN_RELU'). State `['h']` of size H; parameters
 * `weight_ih` `[H, I]`, `weight_hh` `[H, H]`, `bias_ih`, `bias_hh` `[H]`.
 *
 * @example
 * const kind = rnnKind('tanh');
 * const [h1] = kind.step(xProj, [h0], { weight_hh, bias_hh });  // xProj, h0: [B, H]
 */
export function rnnKind(nonlinearity: RNNNonlinearity = 'tanh'): CellKind {
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
    throw new ValueError(`RNN: nonlinearity must be 'tanh' or 'relu', got '${String(nonlinearity)}'`);
  }
  return nonlinearity === 'tanh' ? RNN_TANH : RNN_RELU;
}

function elmanKind(name: string, act: (x: Tensor) => Tensor): CellKind {
  return {
    name,
    chunks: 1,
    stateNames: ['h'],
    parameterShapes: (dims) => packedParameterShapes(1, dims),
    stateSizes: (dims) => [dims.hiddenSize],
    step(xProj, state, params) {
      const h = state[0]!;
      return [act(xProj.add(linear(h, params.weight_hh!, params.bias_hh ?? null)))];
    },
  };
}

const RNN_TANH = elmanKind('RNN_TANH', tanh);
const RNN_RELU = elmanKind('RNN_RELU', relu);
