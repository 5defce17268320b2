/** Repeated runs over seeds, summarised as mean ± standard deviation (how GNN papers report). */
import { ValueError, manualSeed } from '@tensorloom/core-tensor';
import {
  trainNodeClassifier,
  type NodeClassificationData,
  type NodeClassifier,
  type TrainNodeClassifierOptions,
  type TrainNodeClassifierResult,
} from './node-classification.js';

export interface MeanStdOptions {
  /**
   * Bessel's correction, as `torch.std(correction=…)`: the sum of squares is divided by
   * `n − correction`. Default 1 (the sample standard deviation, `torch.std`'s default); 0 gives
   * the population one (`numpy.std`'s default).
   */
  correction?: number;
}

/**
 * The mean and standard deviation of `values`: `mean = Σv/n`, `std = √(Σ(v − mean)² / (n − correction))`.
 * With `n ≤ correction` there is no spread to measure and `std` is 0 (PyTorch gives NaN).
 * An empty list is a `ValueError`.
 *
 * @example meanStd([0.8, 0.82, 0.84])  // { mean: 0.82, std: 0.02 }
 */
export function meanStd(values: readonly number[], options: MeanStdOptions = {}): { mean: number; std: number } {
  const { correction = 1 } = options;
  if (values.length === 0) throw new ValueError('meanStd: got no values');
  if (!(correction >= 0)) throw new ValueError(`meanStd: correction must be ≥ 0, got ${correction}`);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n <= correction) return { mean, std: 0 };
  const squares = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(squares / (n - correction)) };
}

/** One seed's outcome in `runSeeds` (the training result without its per-epoch history). */
export interface SeedRun extends Omit<TrainNodeClassifierResult, 'history'> {
  seed: number;
}

export interface RunSeedsOptions extends Omit<TrainNodeClassifierOptions, 'seed'> {
  /** Called when a seed's run ends, with its result (history included) and its position. */
  onSeed?: (run: SeedRun & { history: TrainNodeClassifierResult['history'] }, position: number) => void;
  /** Bessel's correction of the reported standard deviations (see `meanStd`). Default 1 (sample). */
  correction?: number;
}

export interface RunSeedsResult {
  /** Mean test accuracy over the seeds. */
  mean: number;
  /** Standard deviation of the test accuracy: the sample one (n − 1) unless `correction` says otherwise. */
  std: number;
  /** Mean and standard deviation of the selected weights' validation accuracy. */
  val: { mean: number; std: number };
  /** Mean milliseconds per epoch over all epochs of all seeds. */
  msPerEpoch: number;
  /** Wall-clock milliseconds of all runs. */
  ms: number;
  /** Each seed's result, in the order given. */
  perSeed: SeedRun[];
}

/**
 * Trains a fresh model per seed and reports the test accuracy as mean ± std. For each seed, in
 * order: `manualSeed(seed)`, `model = factory(seed)`, then `trainNodeClassifier(model, data,
 * options)`, so the initial weights and the dropout masks of models that draw from the global
 * generator (the default) all follow from the seed, and a run is reproducible by its seed alone.
 *
 * - `seeds`: a list, or a count `k` for the seeds `0..k−1`.
 * - Options: those of `trainNodeClassifier` (but `seed`), plus `onSeed` and `correction`
 *   (default 1: the sample standard deviation, as `torch.std`).
 * - Returns `mean`, `std`, the validation `val.mean`/`val.std`, `msPerEpoch`, `ms`, `perSeed`.
 *
 * @example
 * const { mean, std } = runSeeds(() => new GCN({ inChannels: data.numFeatures, outChannels: data.numClasses }), data, 10);
 */
export function runSeeds(
  factory: (seed: number) => NodeClassifier,
  data: NodeClassificationData,
  seeds: readonly number[] | number,
  options: RunSeedsOptions = {},
): RunSeedsResult {
  const { onSeed, correction = 1, ...trainOptions } = options;
  const list = typeof seeds === 'number' ? seedRange(seeds) : [...seeds];
  if (list.length === 0) throw new ValueError('runSeeds: got no seeds');
  for (const seed of list) {
    if (!Number.isInteger(seed)) throw new ValueError(`runSeeds: seeds must be integers, got ${seed}`);
  }
  const started = performance.now();
  const perSeed: SeedRun[] = [];
  let epochMs = 0;
  let epochCount = 0;
  list.forEach((seed, position) => {
    manualSeed(seed);
    const model = factory(seed);
    const { history, ...rest } = trainNodeClassifier(model, data, trainOptions);
    const run: SeedRun = { seed, ...rest };
    perSeed.push(run);
    epochMs += rest.msPerEpoch * rest.epochs;
    epochCount += rest.epochs;
    onSeed?.({ ...run, history }, position);
  });
  const test = meanStd(
    perSeed.map((r) => r.testAccuracy),
    { correction },
  );
  return {
    mean: test.mean,
    std: test.std,
    val: meanStd(
      perSeed.map((r) => r.valAccuracy),
      { correction },
    ),
    msPerEpoch: epochMs / epochCount,
    ms: performance.now() - started,
    perSeed,
  };
}

function seedRange(count: number): number[] {
  if (!Number.isInteger(count) || count < 1) throw new ValueError(`runSeeds: a seed count must be an integer ≥ 1, got ${count}`);
  return Array.from({ length: count }, (_, i) => i);
}
