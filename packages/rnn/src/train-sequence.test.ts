import { Generator, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { GRU } from './gru.js';
import { SequenceClassifier } from './sequence-classifier.js';
import { randomCombinationTask } from './tasks/random-combination.js';
import { trainSequenceTask, type TrainSequenceProgress } from './train-sequence.js';
import type { SequenceTask } from './tasks/sequence-task.js';

function tinyModel(task: SequenceTask, seed: number): SequenceClassifier {
  const generator = new Generator(seed);
  return new SequenceClassifier({
    numInputSymbols: task.numInputSymbols,
    numClasses: task.numClasses,
    embeddingDim: 8,
    recurrent: ({ inputSize }) => new GRU({ inputSize, hiddenSize: 16, batchFirst: true, init: 'kaimingNormal', generator }),
    generator,
  });
}

describe('trainSequenceTask', () => {
  it('learns random combinations at L = 3 to 100% accuracy in a few hundred steps', () => {
    const task = randomCombinationTask({ length: 3 });
    const progress: TrainSequenceProgress[] = [];
    const result = trainSequenceTask({
      task,
      model: tinyModel(task, 0),
      steps: 200,
      batchSize: 32,
      lr: 1e-2,
      evalEvery: 50,
      evalBatchSize: 256,
      finalEvalSize: 1024,
      generator: new Generator(1),
      onProgress: (p) => progress.push(p),
    });
    expect(result.accuracy).toBe(1);
    expect(result.steps).toBe(200);
    expect(result.stoppedEarly).toBe(false);
    expect(result.curve.map((p) => p.step)).toEqual([0, 50, 100, 150, 200]);
    expect(result.curve[0]!.evalAccuracy).toBeLessThan(0.8);
    expect(result.curve.at(-1)!.loss).toBeLessThan(result.curve[0]!.loss / 5);
    expect(progress).toHaveLength(200);
    expect(progress.filter((p) => p.evalAccuracy !== undefined).map((p) => p.step)).toEqual([50, 100, 150, 200]);
    expect(result.seconds).toBeGreaterThan(0);
  });

  it('stops once an evaluation reaches stopAtAccuracy and still reports the final accuracy', () => {
    const task = randomCombinationTask({ length: 3 });
    const result = trainSequenceTask({
      task,
      model: tinyModel(task, 2),
      steps: 1000,
      batchSize: 32,
      lr: 1e-2,
      evalEvery: 25,
      stopAtAccuracy: 1,
      generator: new Generator(3),
    });
    expect(result.stoppedEarly).toBe(true);
    expect(result.steps).toBeLessThan(1000);
    expect(result.steps % 25).toBe(0);
    expect(result.curve.at(-1)!.evalAccuracy).toBe(1);
    expect(result.accuracy).toBeGreaterThan(0.99);
  });

  it('with stopPatience, stops only after that many consecutive evaluations reach the target', () => {
    const task = randomCombinationTask({ length: 3 });
    const result = trainSequenceTask({
      task,
      model: tinyModel(task, 2),
      steps: 1000,
      batchSize: 32,
      lr: 1e-2,
      evalEvery: 25,
      stopAtAccuracy: 1,
      stopPatience: 3,
      generator: new Generator(3),
    });
    expect(result.stoppedEarly).toBe(true);
    expect(result.curve.slice(-3).map((p) => p.evalAccuracy)).toEqual([1, 1, 1]);
    expect(result.curve.at(-4)!.evalAccuracy).toBeLessThan(1);
  });

  it('is reproducible from the seeds, however often it evaluates', () => {
    const task = randomCombinationTask({ length: 4 });
    const run = (evalEvery: number) => {
      const model = tinyModel(task, 4);
      trainSequenceTask({
        task,
        model,
        steps: 12,
        batchSize: 16,
        evalEvery,
        evalBatchSize: 8,
        finalEvalSize: 8,
        generator: new Generator(5),
        evalGenerator: new Generator(6),
      });
      return Array.from(model.head.weight.data);
    };
    expect(run(3)).toEqual(run(5));
  });

  it('clips the total gradient norm to maxNorm before the Adam step', () => {
    // Adam is nearly invariant to the gradient's scale, except through eps = 1e-8: gradients clipped
    // to a norm of 1e-12 make its steps about 1e-4 of the unclipped ones.
    const task = randomCombinationTask({ length: 3 });
    const movement = (maxNorm: number) => {
      const model = tinyModel(task, 7);
      const before = Array.from(model.head.weight.data);
      trainSequenceTask({
        task,
        model,
        steps: 3,
        batchSize: 32,
        lr: 1e-2,
        maxNorm,
        evalEvery: 3,
        evalBatchSize: 8,
        finalEvalSize: 8,
        generator: new Generator(8),
      });
      return Math.max(...Array.from(model.head.weight.data, (v, i) => Math.abs(v - before[i]!)));
    };
    expect(movement(Infinity)).toBeGreaterThan(1e-2);
    expect(movement(10)).toBeGreaterThan(1e-2);
    expect(movement(1e-12)).toBeLessThan(1e-4);
  });

  it('rejects bad options', () => {
    const task = randomCombinationTask({ length: 3 });
    const model = tinyModel(task, 9);
    expect(() => trainSequenceTask({ task, model, steps: -1 })).toThrow(ValueError);
    expect(() => trainSequenceTask({ task, model, batchSize: 0 })).toThrow(ValueError);
    expect(() => trainSequenceTask({ task, model, lr: 0 })).toThrow(ValueError);
    expect(() => trainSequenceTask({ task, model, maxNorm: 0 })).toThrow(ValueError);
    expect(() => trainSequenceTask({ task, model, stopAtAccuracy: 2 })).toThrow(ValueError);
    expect(() => trainSequenceTask({ task, model, stopAtAccuracy: 1, stopPatience: 0 })).toThrow(ValueError);
  });
});
