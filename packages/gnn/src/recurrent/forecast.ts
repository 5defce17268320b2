/**
 * A forecaster on a graph signal: a recurrent graph cell read out by a linear map per node, the
 * `RecurrentGCN` of PyTorch Geometric Temporal's examples (`cell → ReLU → Linear(hidden, 1)`), run
 * over a whole sequence of snapshots at once.
 */
import { Tensor, ValueError, nn, relu, reshape, stack, unbind, zeros, type FloatDType, type Generator } from '@tensorloom/core-tensor';
import { unrollGraphCell, type RecurrentGraphCell } from './graph-cell.js';

/**
 * Where the recurrent state of a forecast starts, snapshot by snapshot:
 * - tensors (`[N, hidden]`, in the cell's `stateNames` order): carried in from them (the state at
 *   the end of an earlier sequence: the test weeks follow the training weeks), then from each
 *   snapshot to the next;
 * - `null`: carried from zeros;
 * - `'reset'`: zeros before every snapshot, so each prediction sees its own lags only (PyTorch
 *   Geometric Temporal's GConvGRU and DCRNN examples).
 */
export type ForecastState = readonly Tensor[] | null | 'reset';

/** Options of {@link RecurrentGraphForecaster.forward}. */
export interface ForecastOptions {
  /** One weight per edge, `[E]`. Default: all ones. */
  edgeWeight?: Tensor | null;
  /** Where the state starts (see {@link ForecastState}). Default null: carried from zeros. */
  state?: ForecastState;
  /**
   * Truncated backpropagation through time: with a carried state, gradients flow back at most this
   * many snapshots (the state's values are unchanged). Default: the whole sequence. Not with `'reset'`,
   * where they flow back one snapshot anyway.
   */
  detachEvery?: number;
}

/** What a forecast returns. */
export interface ForecastOutput {
  /** One prediction per snapshot and node, `[T, N]`. */
  predictions: Tensor;
  /** The state after the last snapshot (output h first), to carry into the snapshots that follow. */
  state: Tensor[];
}

/** Options of {@link RecurrentGraphForecaster}'s constructor. */
export interface RecurrentGraphForecasterOptions {
  /** Dtype of the read-out's parameters; the cell's must match. Default: the cell's. */
  dtype?: FloatDType;
  /** Generator of the read-out's initial weights. Default: the global one. */
  generator?: Generator;
}

/**
 * `ŷ_t = relu(h_t)·wᵀ + b` per node, where `h_t` is the recurrent cell's output after snapshot t:
 * PyTorch Geometric Temporal's `RecurrentGCN` (its examples' model), with its parameter names
 * (`recurrent.…` the cell's, `linear.weight` `[1, hidden]`, `linear.bias` `[1]`), so a state dict
 * moves between the two as it is.
 *
 * - Shapes: `forward(xs [T, N, inChannels], edgeIndex int32 [2, E], { edgeWeight [E], state,
 *   detachEvery })` → `{ predictions [T, N], state }`.
 * - Init: the cell's own; the read-out is `torch.nn.Linear`'s (U(±1/√hidden) for weight and bias).
 * - The graph's normalisation is built once per call, for the whole sequence.
 *
 * @example
 * const model = forecasterFor('gconv-gru', { inChannels: 4 });
 * const { predictions, state } = model.call(signal.features, signal.edgeIndex, { edgeWeight: signal.edgeWeight });
 */
export class RecurrentGraphForecaster extends nn.Module<[Tensor, Tensor, ForecastOptions?], ForecastOutput> {
  readonly recurrent: RecurrentGraphCell;
  readonly linear: nn.Linear;

  constructor(recurrent: RecurrentGraphCell, options: RecurrentGraphForecasterOptions = {}) {
    super();
    const cellDtype = (recurrent.parameters()[0]?.dtype ?? 'float32') as FloatDType;
    const { dtype = cellDtype, generator } = options;
    if (dtype !== cellDtype)
      throw new ValueError(`RecurrentGraphForecaster: dtype ${dtype} differs from the recurrent cell's parameters (${cellDtype})`);
    this.recurrent = this.registerModule('recurrent', recurrent);
    this.linear = this.registerModule('linear', new nn.Linear({ inFeatures: recurrent.outChannels, outFeatures: 1, dtype, generator }));
  }

  /** Features per node of each snapshot. */
  get inChannels(): number {
    return this.recurrent.inChannels;
  }

  /** Width of the recurrent state. */
  get hiddenChannels(): number {
    return this.recurrent.outChannels;
  }

  forward(xs: Tensor, edgeIndex: Tensor, options: ForecastOptions = {}): ForecastOutput {
    const { edgeWeight = null, state = null, detachEvery } = options;
    const op = 'RecurrentGraphForecaster';
    if (!(xs instanceof Tensor) || xs.shape.length !== 3 || xs.shape[2] !== this.inChannels)
      throw new ValueError(
        `${op}: xs must be [T, N, ${this.inChannels}] (snapshots × nodes × inChannels), got ` +
          (xs instanceof Tensor ? `[${xs.shape.join(', ')}]` : typeof xs),
      );
    const [steps, numNodes] = xs.shape as [number, number, number];
    let hidden: Tensor;
    let last: Tensor[];
    if (state === 'reset') {
      if (detachEvery !== undefined)
        throw new ValueError(`${op}: detachEvery applies to a carried state; with state 'reset' each snapshot starts from zeros`);
      const kind = this.recurrent.kind(edgeIndex, edgeWeight, numNodes);
      const zero = this.recurrent.zeroState(numNodes);
      last = zero;
      const outputs = unbind(xs, 0).map((x) => {
        last = kind.step(x, zero, {});
        return last[0]!;
      });
      hidden = steps === 0 ? zeros([0, numNodes, this.hiddenChannels], { dtype: this.linear.weight.dtype }) : stack(outputs, 0);
    } else {
      const result = unrollGraphCell(this.recurrent, xs, edgeIndex, {
        edgeWeight,
        state,
        ...(detachEvery === undefined ? {} : { detachEvery }),
      });
      hidden = result.output;
      last = result.state;
    }
    const predictions = reshape(this.linear.call(relu(hidden)), [steps, numNodes]);
    return { predictions, state: last };
  }

  override extraRepr(): string {
    return `inChannels=${this.inChannels}, hiddenChannels=${this.hiddenChannels}`;
  }
}
