import { Generator, NonFiniteError, type NonFiniteEvent } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { GRU } from './gru.js';
import { SequenceClassifier } from './sequence-classifier.js';
import { randomCombinationTask } from './tasks/random-combination.js';
import { trainSequenceTask, type TrainSequenceOptions } from './train-sequence.js';

const task = randomCombinationTask({ length: 3 });

function tinyModel(): SequenceClassifier {
  const generator = new Generator(0);
  return new SequenceClassifier({
    numInputSymbols: task.numInputSymbols,
    numClasses: task.numClasses,
    embeddingDim: 4,
    recurrent: ({ inputSize }) => new GRU({ inputSize, hiddenSize: 8, batchFirst: true, init: 'kaimingNormal', generator }),
    generator,
  });
}

/** Training with lr 1e38: the first update sends the weights to ~1e38, and the loss is not finite from then on. */
function diverge(model: SequenceClassifier, options: Partial<TrainSequenceOptions> = {}) {
  return trainSequenceTask({
    task,
    model,
    steps: 6,
    batchSize: 8,
    lr: 1e38,
    evalEvery: 100,
    evalBatchSize: 16,
    finalEvalSize: 16,
    generator: new Generator(1),
    ...options,
  });
}

const weights = (model: SequenceClassifier) => model.parameters().map((p) => Float32Array.from(p.data));

describe('trainSequenceTask and non-finite values', () => {
  it('stops with NonFiniteError at the step the loss turns NaN by default', () => {
    expect(thrown(() => diverge(tinyModel()))).toMatchObject({ step: 2, what: 'loss', parameter: undefined });
  });

  it('names the parameter an update overflows to infinity, by its PyTorch name', () => {
    const error = thrown(() => diverge(tinyModel(), { lr: 1e39 }));
    expect(error).toMatchObject({ step: 1, what: 'parameter' });
    expect(Math.abs(error.value)).toBe(Infinity);
    expect(
      tinyModel()
        .namedParameters()
        .map(([name]) => name),
    ).toContain(error.parameter);
    expect(error.message).toContain(`'${error.parameter}'`);
  });

  it("'skip' leaves the weights bit for bit unchanged on every skipped update, warns and counts them", () => {
    const model = tinyModel();
    const warnings: NonFiniteEvent[] = [];
    const changed: boolean[] = [];
    let previous = weights(model);
    const result = diverge(model, {
      onNonFinite: 'skip',
      onWarning: (w) => void warnings.push(w),
      onProgress: (p) => {
        const now = weights(model);
        changed.push(now.some((w, i) => !w.every((v, j) => Object.is(v, previous[i]![j]))));
        if (p.nonFinite !== undefined) expect(changed.at(-1)).toBe(false);
        previous = now;
      },
    });
    expect(result.steps).toBe(6);
    expect(result.skippedSteps).toBe(5);
    expect(changed).toEqual([true, false, false, false, false, false]);
    expect(warnings.map((w) => [w.step, w.action])).toEqual([2, 3, 4, 5, 6].map((s) => [s, 'skipped']));
    expect(result.lrHalvings).toBe(0);
  });

  it("'halve-lr' halves the learning rate at each skipped update", () => {
    const warnings: NonFiniteEvent[] = [];
    const result = diverge(tinyModel(), { onNonFinite: 'halve-lr', onWarning: (w) => void warnings.push(w) });
    expect(result).toMatchObject({ steps: 6, skippedSteps: 5, lrHalvings: 5 });
    expect(warnings.map((w) => w.lr)).toEqual([1, 2, 3, 4, 5].map((k) => 1e38 / 2 ** k));
    expect(warnings.every((w) => w.action === 'halved-lr')).toBe(true);
  });
});

function thrown(fn: () => unknown): NonFiniteError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(NonFiniteError);
    return error as NonFiniteError;
  }
  throw new Error('expected a NonFiniteError');
}
