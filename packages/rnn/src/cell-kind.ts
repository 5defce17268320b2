/**
 * What makes one recurrent cell differ from another, separated from the machinery every cell
 * shares (parameter naming, initialisation, the time loop, layers, directions, masks). A kind
 * says which parameters one layer-direction has, what its state is, and how one step updates it.
 * `RNN`, `GRU`, `LSTM` and `PeepholeLSTM` are `RecurrentLayer`s over different kinds; the cell
 * modules (`RNNCell`, `GRUCell`, `LSTMCell`) run the same `step`.
 *
 * Every kind has `weight_ih` `[chunks·H, I]` and (with bias) `bias_ih` `[chunks·H]`, so the input
 * projection `x·W_ihᵀ + b_ih` of all time steps is one matrix product done before the time loop;
 * `step` receives that step's projected input.
 */
import type { Tensor } from '@tensorloom/core-tensor';

export interface CellDims {
  inputSize: number;
  hiddenSize: number;
  /** Learn biases. */
  bias: boolean;
  /** LSTM projection size (0 = none). */
  projSize: number;
}

/** What `CellKind.sequence` is told besides the inputs of `step`. */
export interface SequenceOptions {
  /** Walk the steps from last to first. */
  reverse: boolean;
  /** b_ih `[chunks·H]` when xProj leaves it out (the fused op adds it), else null. */
  inputBias: Tensor | null;
}

export interface CellKind {
  /** Short name for messages and `toString`: 'RNN_TANH', 'GRU', 'LSTM', … */
  readonly name: string;
  /** Gates packed in `weight_ih` (RNN 1, GRU 3, LSTM 4), in PyTorch's order. */
  readonly chunks: number;
  /** Names of the state tensors, output first: ['h'] or ['h', 'c']. */
  readonly stateNames: readonly string[];
  /**
   * The parameters of one layer-direction, by base name (the layer adds `_l{k}` and `_reverse`),
   * in PyTorch's registration order: `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`, then extras
   * (`weight_hr`, peephole weights). Null-valued entries are registered as absent.
   */
  parameterShapes(dims: CellDims): Record<string, readonly number[] | null>;
  /**
   * The block of the packed biases that feeds the forget gate (1 for LSTM's i, f, g, o), or
   * undefined for kinds without one. Layers and cells use it for their `forgetBias` option.
   */
  readonly forgetGateBlock?: number;
  /** Feature size of each state tensor, in `stateNames` order (h may be projSize for LSTM). */
  stateSizes(dims: CellDims): number[];
  /**
   * One time step. `xProj` is `x_t·W_ihᵀ + b_ih`, `[B, chunks·H]`; `state` holds `[B, size]` tensors
   * in `stateNames` order; `params` are this layer-direction's parameters by base name.
   * Returns the new state; its first tensor is the step's output.
   */
  step(xProj: Tensor, state: readonly Tensor[], params: Readonly<Record<string, Tensor | null>>): Tensor[];
  /**
   * Optional: the whole time loop of one layer-direction as one fused op (`lstmSequence`,
   * `gruSequence`), with the same values as running `step` over the steps. `xProj` is
   * `[T, B, chunks·H]` (T ≥ 1), `state` and `params` as for `step`; `reverse` walks the steps from
   * last to first; `inputBias`, when not null, is b_ih `[chunks·H]`, which xProj leaves out for the
   * fused op to add. Returns the output of every step `[T, B, size]` and the final state, or null
   * where the fused op does not apply to these parameters (an LSTM projection, say): `unroll` then
   * runs `step`. Masked (variable-length) batches always run `step`.
   */
  sequence?(
    xProj: Tensor,
    state: readonly Tensor[],
    params: Readonly<Record<string, Tensor | null>>,
    options: SequenceOptions,
  ): { output: Tensor; state: Tensor[] } | null;
}
