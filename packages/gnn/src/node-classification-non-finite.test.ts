import { Generator, NonFiniteError, type NonFiniteEvent } from '@tensorloom/core-tensor';
import { karateClub } from '@tensorloom/graph';
import { describe, expect, it } from 'vitest';
import { GCN } from './models.js';
import { trainNodeClassifier, type TrainNodeClassifierOptions } from './node-classification.js';

const data = karateClub();

function gcn(): GCN {
  return new GCN({
    inChannels: data.numFeatures,
    outChannels: data.numClasses,
    hiddenChannels: 4,
    dropout: 0,
    generator: new Generator(0),
  });
}

const weights = (model: GCN) => model.parameters().map((p) => Float32Array.from(p.data));
const sameBits = (a: Float32Array[], b: Float32Array[]) => a.every((w, i) => w.every((v, j) => Object.is(v, b[i]![j])));

/** lr 1e38 (no weight decay): the first update sends the weights to ~1e38, the next forward pass overflows. */
const DIVERGING: TrainNodeClassifierOptions = { epochs: 5, lr: 1e38, weightDecay: 0 };

function thrown(fn: () => unknown): NonFiniteError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(NonFiniteError);
    return error as NonFiniteError;
  }
  throw new Error('expected a NonFiniteError');
}

describe('trainNodeClassifier and non-finite values', () => {
  it('stops with NonFiniteError naming the epoch by default', () => {
    const error = thrown(() => trainNodeClassifier(gcn(), data, DIVERGING));
    expect(error).toMatchObject({ step: 2, what: 'loss', parameter: undefined });
    expect(error.message).toContain('epoch 2');
  });

  it('names the parameter an update overflows to infinity, by its PyTorch name', () => {
    const error = thrown(() => trainNodeClassifier(gcn(), data, { ...DIVERGING, lr: 1e39 }));
    expect(error).toMatchObject({ step: 1, what: 'parameter' });
    expect(Math.abs(error.value)).toBe(Infinity);
    expect(
      gcn()
        .namedParameters()
        .map(([name]) => name),
    ).toContain(error.parameter);
    expect(error.message).toContain(`'${error.parameter}'`);
  });

  it("'skip' keeps the weights bit for bit on every skipped epoch, counts and reports them", () => {
    const model = gcn();
    const warnings: NonFiniteEvent[] = [];
    const skippedKept: boolean[] = [];
    let previous = weights(model);
    const result = trainNodeClassifier(model, data, {
      ...DIVERGING,
      restoreBest: false,
      onNonFinite: 'skip',
      onWarning: (w) => void warnings.push(w),
      onEpoch: (e) => {
        const now = weights(model);
        if (e.nonFinite !== undefined) skippedKept.push(sameBits(now, previous));
        previous = now;
      },
    });
    expect(result).toMatchObject({ epochs: 5, skippedEpochs: 4, lrHalvings: 0 });
    expect(skippedKept).toEqual([true, true, true, true]);
    expect(warnings.map((w) => [w.step, w.action])).toEqual([2, 3, 4, 5].map((e) => [e, 'skipped']));
    expect(result.history.filter((e) => e.nonFinite !== undefined).map((e) => e.epoch)).toEqual([2, 3, 4, 5]);
  });

  it("'halve-lr' halves the learning rate of every parameter group at each skipped epoch", () => {
    const warnings: NonFiniteEvent[] = [];
    const result = trainNodeClassifier(gcn(), data, {
      ...DIVERGING,
      weightDecayFilter: (name) => name.startsWith('convs.0.'), // two parameter groups
      onNonFinite: 'halve-lr',
      onWarning: (w) => void warnings.push(w),
    });
    expect(result).toMatchObject({ skippedEpochs: 4, lrHalvings: 4 });
    expect(warnings.map((w) => w.lr)).toEqual([1, 2, 3, 4].map((k) => 1e38 / 2 ** k));
  });
});
