/** Temporal slices and the train/test split of a signal: by time, never shuffled (the test steps come after the training steps). */
import { IndexError, ValueError } from '@tensorloom/core-tensor';
import { checkSignal, copyRows, type TemporalSignal } from './signal.js';

/**
 * Snapshots `start … end − 1` of a signal, as a signal of `end − start` snapshots (PyTorch Geometric
 * Temporal's `signal[start:end]`). The features and targets are copied; the graph (`edgeIndex`,
 * `edgeWeight`) and `nodeNames` are shared with `signal`, as the graph is static. `start` and `end`
 * must be integers with `0 ≤ start ≤ end ≤ length` (an `IndexError` otherwise: no clamping, no
 * negative indices).
 *
 * @example
 * const lastYear = signalSlice(signal, signal.length - 52, signal.length);
 * lastYear.length;   // 52
 */
export function signalSlice(signal: TemporalSignal, start: number, end: number = signal?.length): TemporalSignal {
  const op = 'signalSlice';
  checkSignal(op, signal);
  const { length } = signal;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= length)) {
    throw new IndexError(
      `${op}: start and end must be integers with 0 ≤ start ≤ end ≤ ${length} (the signal's length), got ${start} and ${end}`,
    );
  }
  return {
    ...signal,
    features: copyRows(signal.features, start, end),
    targets: copyRows(signal.targets, start, end),
    length: end - start,
  };
}

/**
 * Splits a signal in time, as PyTorch Geometric Temporal's `temporal_signal_split`: the first
 * `floor(trainRatio · T)` snapshots train, the rest test. For chickenpox with 4 lags (517
 * snapshots) and `trainRatio` 0.9 that is 465 and 52. Both parts are `signalSlice`s (copied
 * features and targets, the shared graph).
 *
 * `trainRatio` (default 0.8, PyG Temporal's) must be a number in (0, 1) that leaves at least one
 * snapshot on each side, else a `ValueError` says what came and what it gave.
 *
 * @example
 * const { train, test } = temporalSignalSplit(await loadChickenpox(), 0.9);
 * [train.length, test.length];   // [465, 52]
 */
export function temporalSignalSplit(signal: TemporalSignal, trainRatio = 0.8): { train: TemporalSignal; test: TemporalSignal } {
  const op = 'temporalSignalSplit';
  checkSignal(op, signal);
  if (!(typeof trainRatio === 'number' && trainRatio > 0 && trainRatio < 1)) {
    throw new ValueError(`${op}: trainRatio must be a number in (0, 1), got ${String(trainRatio)}`);
  }
  const { length } = signal;
  // PyG Temporal's int(train_ratio * snapshot_count): the same IEEE product, truncated.
  const trainLength = Math.floor(trainRatio * length);
  if (trainLength < 1 || trainLength > length - 1) {
    throw new ValueError(
      `${op}: trainRatio ${trainRatio} of ${length} snapshots gives ${trainLength} to train and ${length - trainLength} to test; ` +
        'each side needs at least 1' +
        (length < 2 ? ' (a split needs at least 2 snapshots)' : ` (floor(trainRatio × ${length}) must be in [1, ${length - 1}])`),
    );
  }
  return { train: signalSlice(signal, 0, trainLength), test: signalSlice(signal, trainLength, length) };
}
