import {
  DTypeError,
  Generator,
  NonFiniteError,
  ShapeError,
  ValueError,
  manualSeed,
  mseLoss,
  noGrad,
  optim,
  stack,
  unbind,
  type Tensor,
} from '@tensorloom/core-tensor';
import { signalSlice, temporalSignalSplit } from '@tensorloom/graph';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { RecurrentGraphForecaster } from './forecast.js';
import { DEFAULT_FORECAST_TRAINING, evaluateForecaster, runForecastSeeds, trainForecaster } from './forecast-training.js';
import { TinyGraphCell, ringSignal } from './forecast-test-support.js';

/** A forecaster whose initial weights follow from `seed` (the read-out's from the global generator when `seed` is null). */
const build = (states: 1 | 2 = 1, seed: number | null = 0) =>
  new RecurrentGraphForecaster(
    new TinyGraphCell(3, 6, { states, seed: seed ?? 0 }),
    seed === null ? {} : { generator: new Generator(seed) },
  );

describe('trainForecaster', () => {
  const signal = ringSignal(40);
  const { train, test } = temporalSignalSplit(signal, 0.75);

  it('takes one Adam step per epoch on the mean over the snapshots of the per-snapshot MSE, the state carried through', () => {
    const model = build(2);
    const reference = build(2);
    const epochs: number[] = [];
    const result = trainForecaster(model, train, { epochs: 4, onEpoch: (e) => epochs.push(e.epoch) });
    expect(epochs).toEqual([1, 2, 3, 4]);
    expect(result).toMatchObject({ epochs: 4, skippedEpochs: 0, lrHalvings: 0 });
    expect(result.loss).toBe(result.history[3]!.loss);

    // The same recipe written out: per-snapshot MSEs averaged, the state stepped by hand.
    const adam = new optim.Adam(reference.parameters(), { lr: DEFAULT_FORECAST_TRAINING.lr });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      adam.zeroGrad();
      let state = reference.recurrent.zeroState(5);
      const perSnapshot = unbind(train.features, 0).map((x, t) => {
        state = reference.recurrent.call(x, train.edgeIndex, { edgeWeight: train.edgeWeight, state });
        const y = reference.linear.call(state[0]!.relu()).reshape([5]);
        return mseLoss(y, unbind(train.targets, 0)[t]!);
      });
      const loss = stack(perSnapshot, 0).mean();
      loss.backward();
      adam.step();
      losses.push(loss.item());
    }
    expectClose(
      result.history.map((e) => e.loss),
      losses,
      { rtol: 1e-10 },
    );
    const trained = model.stateDict();
    for (const [name, value] of Object.entries(reference.stateDict())) expectClose(trained[name]!, value, { rtol: 1e-10, atol: 1e-12 });
  });

  it('lowers the training error of a learnable signal', () => {
    const model = build();
    const before = evaluateForecaster(model, train).mse;
    const result = trainForecaster(model, train, { epochs: 60, lr: 0.02 });
    expect(result.history[0]!.loss).toBeCloseTo(before, 10);
    expect(evaluateForecaster(model, train).mse).toBeLessThan(0.5 * before);
  });

  it('hands on the state the training weeks end in, so the test weeks continue the sequence', () => {
    const model = build(2);
    const result = trainForecaster(model, train, { epochs: 3 });
    expect(result.state).not.toBe('reset');
    const state = result.state as readonly Tensor[];
    const again = evaluateForecaster(model, train);
    state.forEach((s, i) => expectClose(s, again.state[i]!, { rtol: 1e-12, atol: 1e-12 }));
    const continued = evaluateForecaster(model, test, { state });
    const whole = evaluateForecaster(model, signal);
    expectClose(continued.predictions, signalSlice({ ...signal, targets: whole.predictions }, train.length).targets, {
      rtol: 1e-12,
      atol: 1e-12,
    });
    expect(continued.mse).toBeCloseTo(mseLoss(continued.predictions, test.targets).item(), 12);
    expect(continued.predictions.requiresGrad).toBe(false);
  });

  it("resets the state before every snapshot with state 'reset', and says so in its result", () => {
    const model = build();
    const result = trainForecaster(model, train, { epochs: 2, state: 'reset' });
    expect(result.state).toBe('reset');
    const { predictions } = evaluateForecaster(model, test, { state: result.state });
    const fromZeros = unbind(test.features, 0).map((x) => {
      const single = signalSlice(test, 0, 1);
      return evaluateForecaster(model, { ...single, features: x.reshape([1, 5, 3]) }).predictions.reshape([5]);
    });
    expectClose(predictions, stack(fromZeros, 0), { rtol: 1e-12, atol: 1e-12 });
  });

  it('truncates backpropagation through time with detachEvery (a different update, the same first loss)', () => {
    const full = trainForecaster(build(), train, { epochs: 2 });
    const truncated = trainForecaster(build(), train, { epochs: 2, detachEvery: 1 });
    expect(truncated.history[0]!.loss).toBeCloseTo(full.history[0]!.loss, 12);
    expect(Math.abs(truncated.history[1]!.loss - full.history[1]!.loss)).toBeGreaterThan(1e-9);
  });

  it('stops on a non-finite loss naming the epoch, or skips the update when told', () => {
    const poisoned = () => {
      const model = build();
      noGrad(() => model.linear.bias!.data.fill(NaN));
      return model;
    };
    expect(() => trainForecaster(poisoned(), train, { epochs: 3 })).toThrow(NonFiniteError);
    expect(() => trainForecaster(poisoned(), train, { epochs: 3 })).toThrow(/trainForecaster: epoch 1: .*loss.*training stopped/);
    const warnings: string[] = [];
    const skipped = trainForecaster(poisoned(), train, { epochs: 3, onNonFinite: 'skip', onWarning: (e) => warnings.push(e.message) });
    expect(skipped.skippedEpochs).toBe(3);
    expect(warnings).toHaveLength(3);
  });

  it('refuses bad options and a signal that does not fit the model', () => {
    const model = build();
    expect(() => trainForecaster(model, train, { epochs: 0 })).toThrow(/epochs must be an integer ≥ 1, got 0/);
    expect(() => trainForecaster(model, train, { lr: -1 })).toThrow(/lr must be positive, got -1/);
    expect(() => trainForecaster(model, train, { state: 'keep' as 'carry' })).toThrow(/state must be 'carry' or 'reset', got 'keep'/);
    expect(() => trainForecaster(model, train, { state: 'reset', detachEvery: 4 })).toThrow(ValueError);
    expect(() => trainForecaster(model, ringSignal(5, { lags: 2 }))).toThrow(ShapeError);
    expect(() => trainForecaster(model, ringSignal(5, { dtype: 'float32' }))).toThrow(DTypeError);
    expect(() => trainForecaster(model, { ...train, targets: test.targets })).toThrow(/the targets must be \[30, 5\]/);
    expect(() => trainForecaster(model, signalSlice(train, 0, 0))).toThrow(/no snapshots/);
  });
});

describe('runForecastSeeds', () => {
  const split = temporalSignalSplit(ringSignal(24), 0.75);

  it('trains one model per seed, evaluates it after the training weeks and reports mean ± sample std', () => {
    const seen: number[] = [];
    // The factory leaves the read-out to the global generator, which runForecastSeeds seeds.
    const result = runForecastSeeds(() => build(1, null), split, [3, 4], { epochs: 3, onSeed: (run) => seen.push(run.seed) });
    expect(seen).toEqual([3, 4]);
    expect(result.perSeed.map((r) => r.predictions.shape)).toEqual([
      [6, 5],
      [6, 5],
    ]);
    const [a, b] = result.perSeed.map((r) => r.mse) as [number, number];
    expect(result.mean).toBeCloseTo((a + b) / 2, 12);
    expect(result.std).toBeCloseTo(Math.abs(a - b) / Math.SQRT2, 12);
    manualSeed(3);
    const model = build(1, null);
    const trained = trainForecaster(model, split.train, { epochs: 3 });
    expect(evaluateForecaster(model, split.test, { state: trained.state }).mse).toBeCloseTo(a, 12);
    expect(() => runForecastSeeds(() => build(), split, [])).toThrow(/got no seeds/);
  });
});
