/** Lagged features: a node time series as a sequence of (last `lags` values → next value) snapshots. */
import { ShapeError, Tensor, ValueError, fmtShape } from '@tensorloom/core-tensor';
import { checkFinite, copyRows, names, readFloat, signalEdgeWeight, type TemporalSignal } from './signal.js';

/** The graph a series lives on: `laggedSignal`'s second argument. */
export interface SignalGraph {
  /** int32 `[2, E]`, every id in `[0, N)`. */
  edgeIndex: Tensor;
  /** `[E]` of the series' dtype. Default: all ones. */
  edgeWeight?: Tensor | null;
  /** N names, by node id. */
  nodeNames?: readonly string[];
}

/**
 * A series of node values `[T0, N]` as the signal PyTorch Geometric Temporal's loaders make
 * (`ChickenpoxDatasetLoader`, `PedalMeDatasetLoader`, …): snapshot `t` has as node features the
 * `lags` values before it and as target the value that follows,
 *
 *     features[t, n, l] = series[t + l, n]   (l = 0 … lags−1)
 *     targets[t, n]     = series[t + lags, n]
 *
 * for `t = 0 … T0 − lags − 1`, so `T = T0 − lags` snapshots of features `[N, lags]`. The features
 * and targets are float32 or float64 as the series; the graph is copied (`edgeIndex`, and
 * `edgeWeight`, all ones when not given, in the series' dtype) and checked as by
 * `createTemporalSignal`.
 *
 * Errors: `lags` not an integer in `[1, T0 − 1]` is a `ValueError` naming the range; a series
 * that is not `[T0, N]` a `ShapeError`; a NaN or infinity in the series a `ValueError` naming the
 * step and node of the first one.
 *
 * @example
 * // 5 steps of a 2-node series, 2 lags: 3 snapshots.
 * const series = tensor([[1, 10], [2, 20], [3, 30], [4, 40], [5, 50]]);
 * const signal = laggedSignal(series, { edgeIndex: tensor([[0, 1], [1, 0]], { dtype: 'int32' }) }, 2);
 * signal.features.shape;          // [3, 2, 2]
 * signalSnapshot(signal, 0).x;    // [[1, 2], [10, 20]]
 * signalSnapshot(signal, 0).y;    // [3, 30]
 */
export function laggedSignal(series: Tensor, graph: SignalGraph, lags: number): TemporalSignal {
  const op = 'laggedSignal';
  const dtype = readFloat(op, 'series', series);
  if (series.ndim !== 2) throw new ShapeError(`${op}: series must be [T0, N] (steps × nodes), got ${fmtShape(series.shape)}`);
  const [steps, numNodes] = series.shape as [number, number];
  if (typeof graph !== 'object' || graph === null)
    throw new ValueError(`${op}: graph must be { edgeIndex, edgeWeight? }, got ${String(graph)}`);
  if (!(typeof lags === 'number' && Number.isInteger(lags) && lags >= 1 && lags < steps)) {
    const range = steps >= 2 ? `an integer in [1, ${steps - 1}]` : 'at least 1 with at least 2 steps';
    throw new ValueError(`${op}: lags must be ${range} for a series of ${steps} steps, got ${String(lags)}`);
  }
  const edgeWeight = signalEdgeWeight(op, graph.edgeIndex, graph.edgeWeight, numNodes, dtype);
  const nodeNames = names(op, graph.nodeNames, numNodes);
  checkFinite(op, 'series', series);
  const length = steps - lags;
  const source = series.data;
  const features = Tensor.empty([length, numNodes, lags], dtype);
  const targets = Tensor.empty([length, numNodes], dtype);
  const x = features.data;
  const y = targets.data;
  for (let t = 0; t < length; t++) {
    for (let n = 0; n < numNodes; n++) {
      const row = (t * numNodes + n) * lags;
      for (let l = 0; l < lags; l++) x[row + l] = source[(t + l) * numNodes + n]!;
      y[t * numNodes + n] = source[(t + lags) * numNodes + n]!;
    }
  }
  // The graph is copied too: the signal owns all its storage, as the caller's tensors may change.
  const weight = edgeWeight === graph.edgeWeight ? copyRows(edgeWeight) : edgeWeight;
  return { edgeIndex: copyRows(graph.edgeIndex), edgeWeight: weight, features, targets, numNodes, length, ...nodeNames };
}
