/**
 * Training and evaluating a forecaster on a temporal signal: full-sequence epochs (one optimizer
 * step per pass over the training snapshots), the test weeks continuing from the state the training
 * weeks end in, and repeated runs over seeds.
 */
import {
  DTypeError,
  NonFiniteGuard,
  ShapeError,
  ValueError,
  fmtShape,
  manualSeed,
  mseLoss,
  noGrad,
  optim,
  type NonFiniteEvent,
  type NonFinitePolicy,
  type Tensor,
} from '@tensorloom/core-tensor';
import type { TemporalSignal } from '@tensorloom/graph';
import { meanStd } from '../node-classification-seeds.js';
import type { ForecastState, RecurrentGraphForecaster } from './forecast.js';

/** How the recurrent state runs through the training snapshots: carried from each to the next, or reset to zeros before each. */
export type ForecastStatePolicy = 'carry' | 'reset';

/**
 * Our recipe (`trainForecaster`'s defaults): Adam with lr 0.01 for 200 epochs, as PyTorch
 * Geometric Temporal's examples, with the state carried through the whole sequence (their GConvLSTM
 * and TGCN examples carry it within an epoch, their GConvGRU and DCRNN ones reset it per snapshot:
 * carrying lets the model use more history than the lags, and the test weeks follow the training weeks).
 */
export const DEFAULT_FORECAST_TRAINING = Object.freeze({
  epochs: 200,
  lr: 0.01,
  state: 'carry' as ForecastStatePolicy,
});

/** One epoch, as `onEpoch` receives it and `history` keeps it. */
export interface ForecastEpoch {
  /** 1-based. */
  epoch: number;
  /** Training MSE of this epoch's forward pass, before the update. */
  loss: number;
  /** Wall-clock milliseconds of the epoch (forward, backward, update). */
  ms: number;
  /** Set when this epoch's update was skipped (`onNonFinite` 'skip' or 'halve-lr'). */
  nonFinite?: NonFiniteEvent;
}

export interface TrainForecasterOptions {
  /** Epochs, each one optimizer step on the whole training sequence. Default 200. */
  epochs?: number;
  /** Adam's learning rate. Default 0.01. */
  lr?: number;
  /** 'carry' (default): the state runs from the first training snapshot to the last; 'reset': zeros before each snapshot. */
  state?: ForecastStatePolicy;
  /** With 'carry': truncated BPTT, gradients flow back at most this many snapshots. Default: the whole sequence. */
  detachEvery?: number;
  /** Called after every epoch. */
  onEpoch?: (epoch: ForecastEpoch) => void;
  /**
   * What a NaN or an infinity in the loss, a gradient or (after the update) a weight does: 'stop'
   * (default) throws `NonFiniteError` naming the epoch and the parameter; 'skip' skips the update;
   * 'halve-lr' skips it and halves the learning rate (see `NonFiniteGuard`).
   */
  onNonFinite?: NonFinitePolicy;
  /** Each skipped update (`onNonFinite` 'skip' or 'halve-lr'). */
  onWarning?: (event: NonFiniteEvent) => void;
}

export interface TrainForecasterResult {
  /** Training MSE of the last epoch's forward pass. */
  loss: number;
  /** Epochs run. */
  epochs: number;
  /**
   * Where the snapshots after the training ones start: with 'carry', the state at the end of the
   * training sequence, recomputed with the trained weights (no gradients); with 'reset', 'reset'.
   * Hand it to `evaluateForecaster` as `state`.
   */
  state: readonly Tensor[] | 'reset';
  /** Epochs whose update was skipped because the loss, a gradient or the update was not finite. */
  skippedEpochs: number;
  /** Halvings of the learning rate (`onNonFinite: 'halve-lr'`). */
  lrHalvings: number;
  /** One entry per epoch. */
  history: ForecastEpoch[];
  /** Wall-clock milliseconds of the whole run. */
  ms: number;
  /** Mean milliseconds per epoch. */
  msPerEpoch: number;
}

/** What `evaluateForecaster` returns. */
export interface ForecastEvaluation {
  /** Mean squared error over every snapshot and node (the mean of the per-snapshot MSEs: each has N nodes). */
  mse: number;
  /** `[T, N]`, detached. */
  predictions: Tensor;
  /** The state after the last snapshot (zeros-started under 'reset'), for snapshots that follow. */
  state: Tensor[];
}

const TRAIN = 'trainForecaster';

/**
 * Trains `model` on the snapshots of `train` (features `[T, N, F]`, targets `[T, N]`). Each epoch:
 *
 * ```
 * predictions = model(features, edgeIndex, { edgeWeight, state })   (state: zeros, carried through the T snapshots, or 'reset')
 * loss = mean over t of mean over nodes (predictions[t] − targets[t])²;  loss.backward();  adam.step()
 * ```
 *
 * One optimizer step per epoch on the mean of the per-snapshot MSEs, as PyTorch Geometric Temporal's
 * examples (they write `mean((ŷ − y)²)` with ŷ `[N, 1]` and y `[N]`, which broadcasts to all N²
 * pairs; ours pairs each prediction with its own target). The defaults are `DEFAULT_FORECAST_TRAINING`;
 * with `state: 'carry'` and `detachEvery` the backward pass is truncated. After the last epoch the
 * training sequence is run once more without gradients, so the state handed on (`result.state`)
 * is the trained weights' own.
 *
 * Bad shapes or dtypes throw `ShapeError`/`DTypeError`, bad options `ValueError`, a non-finite loss
 * `NonFiniteError` (under the default `onNonFinite: 'stop'`).
 *
 * @example
 * const signal = await loadChickenpox({ lags: 4 });  // @tensorloom/datasets
 * const { train, test } = temporalSignalSplit(signal, 0.9);  // @tensorloom/graph
 * manualSeed(0);
 * const model = forecasterFor('gconv-gru', { inChannels: 4 });
 * const trained = trainForecaster(model, train);
 * const { mse } = evaluateForecaster(model, test, { state: trained.state });
 */
export function trainForecaster(
  model: RecurrentGraphForecaster,
  train: TemporalSignal,
  options: TrainForecasterOptions = {},
): TrainForecasterResult {
  const {
    epochs = DEFAULT_FORECAST_TRAINING.epochs,
    lr = DEFAULT_FORECAST_TRAINING.lr,
    state: policy = DEFAULT_FORECAST_TRAINING.state,
    detachEvery,
    onEpoch,
    onWarning,
  } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ValueError(`${TRAIN}: epochs must be an integer ≥ 1, got ${epochs}`);
  if (!(lr > 0)) throw new ValueError(`${TRAIN}: lr must be positive, got ${lr}`);
  if (policy !== 'carry' && policy !== 'reset') throw new ValueError(`${TRAIN}: state must be 'carry' or 'reset', got '${String(policy)}'`);
  if (detachEvery !== undefined && policy === 'reset')
    throw new ValueError(`${TRAIN}: detachEvery applies to state 'carry'; with 'reset' each snapshot starts from zeros`);
  checkSignal(TRAIN, model, train);
  if (train.length === 0) throw new ValueError(`${TRAIN}: the training signal has no snapshots`);

  const optimizer = new optim.Adam(model.parameters(), { lr });
  const guard = new NonFiniteGuard({
    namedParameters: model.namedParameters(),
    optimizer,
    policy: options.onNonFinite ?? 'stop',
    op: TRAIN,
    unit: 'epoch',
  });
  const start: ForecastState = policy === 'reset' ? 'reset' : null;
  const forwardOptions = { edgeWeight: train.edgeWeight, state: start, ...(detachEvery === undefined ? {} : { detachEvery }) };
  const started = performance.now();
  const history: ForecastEpoch[] = [];
  model.train();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const epochStart = performance.now();
    optimizer.zeroGrad();
    const { predictions } = model.call(train.features, train.edgeIndex, forwardOptions);
    const loss = mseLoss(predictions, train.targets);
    loss.backward();
    const lossValue = loss.item();
    const nonFinite = guard.update(epoch, lossValue, () => optimizer.step());
    if (nonFinite !== undefined) onWarning?.(nonFinite);
    const record: ForecastEpoch = {
      epoch,
      loss: lossValue,
      ms: performance.now() - epochStart,
      ...(nonFinite === undefined ? {} : { nonFinite }),
    };
    history.push(record);
    onEpoch?.(record);
  }
  const state =
    policy === 'reset' ? 'reset' : noGrad(() => model.call(train.features, train.edgeIndex, { edgeWeight: train.edgeWeight }).state);
  const epochMs = history.reduce((total, h) => total + h.ms, 0);
  return {
    loss: history[history.length - 1]!.loss,
    epochs: history.length,
    state,
    skippedEpochs: guard.skippedSteps,
    lrHalvings: guard.lrHalvings,
    history,
    ms: performance.now() - started,
    msPerEpoch: epochMs / history.length,
  };
}

/**
 * The forecaster's predictions on every snapshot of `signal` and their MSE (over all snapshots and
 * nodes), without gradients. `state` is where the state starts (see `ForecastState`): the state a
 * training run ended in (`trainForecaster(…).state`) for test weeks that follow the training weeks,
 * `null` (default) for zeros, `'reset'` for zeros before each snapshot.
 *
 * @example const { mse, predictions } = evaluateForecaster(model, test, { state: trained.state });
 */
export function evaluateForecaster(
  model: RecurrentGraphForecaster,
  signal: TemporalSignal,
  options: { state?: ForecastState } = {},
): ForecastEvaluation {
  checkSignal('evaluateForecaster', model, signal);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const { predictions, state } = model.call(signal.features, signal.edgeIndex, {
        edgeWeight: signal.edgeWeight,
        state: options.state ?? null,
      });
      const mse = signal.length === 0 ? NaN : mseLoss(predictions, signal.targets).item();
      return { mse, predictions: predictions.detach(), state: state.map((s) => s.detach()) };
    });
  } finally {
    if (wasTraining) model.train();
  }
}

/** Checks a signal's tensors against each other and the model. */
function checkSignal(op: string, model: RecurrentGraphForecaster, signal: TemporalSignal): void {
  const { features, targets, edgeIndex } = signal;
  if (features.dtype === 'int32' || features.dtype !== model.linear.weight.dtype)
    throw new DTypeError(`${op}: the features must be ${model.linear.weight.dtype} (the model's dtype), got ${features.dtype}`);
  if (features.ndim !== 3 || features.shape[2] !== model.inChannels)
    throw new ShapeError(
      `${op}: the features must be [T, N, ${model.inChannels}] (the model's inChannels), got ${fmtShape(features.shape)}`,
    );
  const [steps, nodes] = features.shape as [number, number, number];
  if (targets.ndim !== 2 || targets.shape[0] !== steps || targets.shape[1] !== nodes)
    throw new ShapeError(`${op}: the targets must be [${steps}, ${nodes}] (one per snapshot and node), got ${fmtShape(targets.shape)}`);
  if (targets.dtype !== features.dtype)
    throw new DTypeError(`${op}: the targets must be ${features.dtype} as the features, got ${targets.dtype}`);
  if (edgeIndex.dtype !== 'int32') throw new DTypeError(`${op}: edgeIndex must be int32, got ${edgeIndex.dtype}`);
}

/** One seed's outcome in `runForecastSeeds`. */
export interface ForecastSeedRun extends Omit<TrainForecasterResult, 'history' | 'state'> {
  seed: number;
  /** Test MSE. */
  mse: number;
  /** Test predictions `[T_test, N]`. */
  predictions: Tensor;
}

export interface RunForecastSeedsOptions extends TrainForecasterOptions {
  /** Called when a seed's run ends, with its result (history included) and its position. */
  onSeed?: (run: ForecastSeedRun & { history: ForecastEpoch[] }, position: number) => void;
  /** Bessel's correction of the reported standard deviation (see `meanStd`). Default 1 (sample). */
  correction?: number;
}

export interface RunForecastSeedsResult {
  /** Mean test MSE over the seeds. */
  mean: number;
  /** Standard deviation of the test MSE (the sample one unless `correction` says otherwise). */
  std: number;
  /** Mean milliseconds per epoch over all seeds. */
  msPerEpoch: number;
  /** Wall-clock milliseconds of all runs. */
  ms: number;
  /** Each seed's result, in the order given. */
  perSeed: ForecastSeedRun[];
}

/**
 * Trains a fresh forecaster per seed on `split.train` and measures it on `split.test`: for each
 * seed, `manualSeed(seed)`, `model = factory(seed)`, `trainForecaster`, then `evaluateForecaster`
 * from the state the training ended in. Reports the test MSE as mean ± sample std.
 *
 * @example
 * const { mean, std } = runForecastSeeds(() => forecasterFor('gconv-gru', { inChannels: 4 }), temporalSignalSplit(signal, 0.9), [0, 1, 2]);
 */
export function runForecastSeeds(
  factory: (seed: number) => RecurrentGraphForecaster,
  split: { train: TemporalSignal; test: TemporalSignal },
  seeds: readonly number[],
  options: RunForecastSeedsOptions = {},
): RunForecastSeedsResult {
  const { onSeed, correction = 1, ...training } = options;
  if (seeds.length === 0) throw new ValueError('runForecastSeeds: got no seeds');
  for (const seed of seeds) if (!Number.isInteger(seed)) throw new ValueError(`runForecastSeeds: seeds must be integers, got ${seed}`);
  const started = performance.now();
  const perSeed: ForecastSeedRun[] = [];
  seeds.forEach((seed, position) => {
    manualSeed(seed);
    const model = factory(seed);
    const { history, state, ...rest } = trainForecaster(model, split.train, training);
    const { mse, predictions } = evaluateForecaster(model, split.test, { state });
    const run: ForecastSeedRun = { seed, mse, predictions, ...rest };
    perSeed.push(run);
    onSeed?.({ ...run, history }, position);
  });
  const test = meanStd(
    perSeed.map((r) => r.mse),
    { correction },
  );
  const epochMs = perSeed.reduce((total, r) => total + r.msPerEpoch * r.epochs, 0);
  const epochCount = perSeed.reduce((total, r) => total + r.epochs, 0);
  return { mean: test.mean, std: test.std, msPerEpoch: epochMs / epochCount, ms: performance.now() - started, perSeed };
}
