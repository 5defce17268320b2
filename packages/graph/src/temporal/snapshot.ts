/** One snapshot of a signal, and all of them in order. */
import { IndexError } from '@tensorloom/core-tensor';
import { Tensor } from '@tensorloom/core-tensor';
import { checkSignal, copyRows, type TemporalSignal } from './signal.js';

/** One step of a signal: the node features and targets at that step. */
export interface SignalSnapshot {
  /** `[N, F]` node features. */
  x: Tensor;
  /** `[N]` node targets. */
  y: Tensor;
}

/**
 * Snapshot `t` of a signal (PyTorch Geometric Temporal's `signal[t]`, without the graph, which is
 * `signal.edgeIndex` and `signal.edgeWeight` at every step): `x` the node features `[N, F]`, `y` the
 * targets `[N]`, both copies in the signal's dtype. `t` must be an integer in `[0, length)`, else an
 * `IndexError` (no negative indices).
 *
 * @example
 * const chickenpox = await loadChickenpox();
 * const { x, y } = signalSnapshot(chickenpox, 0);
 * x.shape;   // [20, 4]: each county's cases in weeks 0–3
 * y.shape;   // [20]:    each county's cases in week 4
 */
export function signalSnapshot(signal: TemporalSignal, t: number): SignalSnapshot {
  const op = 'signalSnapshot';
  checkSignal(op, signal);
  return snapshotAt(op, signal, t);
}

/**
 * The snapshots of a signal in time order, each as `signalSnapshot` gives it: what a training loop
 * over PyTorch Geometric Temporal's `for snapshot in signal` becomes.
 *
 * @example
 * // One epoch of a recurrent graph cell (a GConvGRU of @tensorloom/gnn) and a linear head over the weeks.
 * let state = null;
 * let loss = tensor(0);
 * for (const { x, y } of signalSnapshots(train)) {
 *   state = cell.forward(x, train.edgeIndex, { edgeWeight: train.edgeWeight, state });
 *   loss = loss.add(mseLoss(head.forward(state[0].relu()).squeeze(1), y));
 * }
 */
export function* signalSnapshots(signal: TemporalSignal): Generator<SignalSnapshot, void, undefined> {
  const op = 'signalSnapshots';
  checkSignal(op, signal);
  for (let t = 0; t < signal.length; t++) yield snapshotAt(op, signal, t);
}

function snapshotAt(op: string, signal: TemporalSignal, t: number): SignalSnapshot {
  if (!(Number.isInteger(t) && t >= 0 && t < signal.length)) {
    throw new IndexError(`${op}: t must be an integer in [0, ${signal.length}) (the signal's length), got ${t}`);
  }
  const x = copyRows(signal.features, t, t + 1);
  const y = copyRows(signal.targets, t, t + 1);
  return { x: new Tensor(x.data, x.shape.slice(1), x.dtype), y: new Tensor(y.data, y.shape.slice(1), y.dtype) };
}
