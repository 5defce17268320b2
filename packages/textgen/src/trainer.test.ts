import { Generator, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { prepareCorpus } from './dataset.js';
import { TextGenerationModel } from './model.js';
import { generate } from './sampling/generate.js';
import { Trainer } from './trainer.js';
import type { TrainProgress, ValidationPoint } from './trainer-types.js';

// Every character determines the next one, so the text can be learnt to near-zero loss.
const PHRASE = 'Moby-Dick, whale?';

function setup(options: { seed?: number; dropout?: number; hiddenSize?: number; numLayers?: number; seqLength?: number } = {}) {
  const corpus = prepareCorpus(PHRASE.repeat(20), { seqLength: options.seqLength ?? 8, validationFraction: 0.1 });
  const model = new TextGenerationModel({
    vocabSize: corpus.tokenizer.vocabSize,
    embeddingDim: 8,
    hiddenSize: options.hiddenSize ?? 16,
    numLayers: options.numLayers ?? 2,
    dropout: options.dropout ?? 0,
    generator: new Generator(options.seed ?? 0),
  });
  return { ...corpus, model };
}

describe('Trainer', () => {
  it('memorises a short repetitive text to near-zero loss and then generates it back greedily', async () => {
    const { model, tokenizer, train, validation } = setup({ hiddenSize: 32, numLayers: 1, seqLength: 17 });
    const trainer = new Trainer({ model, tokenizer, train, validation, batchSize: 16, lr: 3e-2, seed: 1 });
    const result = await trainer.run({ steps: 100, evalEvery: 50 });
    expect(result.stoppedBy).toBe('steps');
    const first = trainer.history.train[0]!.loss;
    const last10 = trainer.history.train.slice(-10).reduce((sum, e) => sum + e.loss, 0) / 10;
    expect(first).toBeGreaterThan(2); // ≈ ln 17 at the start
    expect(last10).toBeLessThan(0.05);
    expect(result.validation!.loss).toBeLessThan(0.05);
    expect(result.validation!.accuracy).toBe(1);
    const { completion } = generate(model, tokenizer, { prompt: 'M', length: 40 });
    expect(`M${completion}`).toBe(PHRASE.repeat(3).slice(0, 41));
  });

  it('reports loss, accuracy, bits/char, lr, speed and ETA after each step', async () => {
    const { model, tokenizer, train, validation } = setup();
    const trainer = new Trainer({ model, tokenizer, train, validation, batchSize: 4 });
    const progress: TrainProgress[] = [];
    const evaluations: ValidationPoint[] = [];
    const samples: number[] = [];
    const checkpoints: number[] = [];
    const result = await trainer.run({
      steps: 6,
      evalEvery: 3,
      sampleAt: [2, 4],
      samples: { count: 2, length: 5 },
      checkpointEvery: 4,
      onProgress: (p) => void progress.push(p),
      onEvaluation: (e) => void evaluations.push(e),
      onSamples: (s) => {
        expect(s.samples).toHaveLength(2);
        expect(s.samples[0]!.completion).toHaveLength(5);
        samples.push(s.step);
      },
      onCheckpoint: ({ step, dir }) => {
        expect(dir).toBeUndefined();
        checkpoints.push(step);
      },
    });
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const last = progress.at(-1)!;
    expect(last.totalSteps).toBe(6);
    expect(last.etaSeconds).toBe(0);
    expect(progress[0]!.etaSeconds).toBeGreaterThan(0);
    expect(last.bitsPerChar).toBeCloseTo(last.loss / Math.LN2, 12);
    expect(last.charsPerSecond).toBeCloseTo(last.stepsPerSecond * 4 * 8, 6);
    expect(last.lr).toBe(2e-3);
    expect(last.epoch).toBeCloseTo((6 * 4 * 8) / train.length, 12);
    expect(last.accuracy).toBeGreaterThanOrEqual(0);
    expect(evaluations.map((e) => e.step)).toEqual([3, 6]);
    expect(result.validation).toBe(evaluations[1]);
    expect(samples).toEqual([2, 4]);
    expect(checkpoints).toEqual([4, 6]);
    expect(trainer.history.train).toHaveLength(6);
    expect(trainer.history.validation).toHaveLength(2);
  });

  it('stops by epochs, time budget or abort signal, and continues to an absolute step target', async () => {
    const { model, tokenizer, train } = setup();
    const trainer = new Trainer({ model, tokenizer, train, batchSize: 4 });
    const perEpoch = train.length / (4 * 8);
    const byEpochs = await trainer.run({ epochs: 1 });
    expect(byEpochs.stoppedBy).toBe('epochs');
    expect(byEpochs.step).toBe(Math.ceil(perEpoch));
    expect(byEpochs.epoch).toBeGreaterThanOrEqual(1);
    expect((await trainer.run({ maxSeconds: 0 })).stepsRun).toBe(0);
    const controller = new AbortController();
    const aborted = await trainer.run({ signal: controller.signal, onProgress: (p) => (p.step >= 12 ? controller.abort() : undefined) });
    expect(aborted).toMatchObject({ stoppedBy: 'aborted', step: 12 });
    const resumed = await trainer.run({ steps: 15 });
    expect(resumed).toMatchObject({ stoppedBy: 'steps', step: 15, stepsRun: 3 });
    expect((await trainer.run({ steps: 10 })).stepsRun).toBe(0);
  });

  it('decays the learning rate by gamma every `every` steps', async () => {
    const { model, tokenizer, train } = setup();
    const trainer = new Trainer({ model, tokenizer, train, batchSize: 2, lr: 0.01, lrDecay: { gamma: 0.5, every: 2 } });
    const lrs: number[] = [];
    await trainer.run({ steps: 5, onProgress: (p) => void lrs.push(p.lr) });
    expect(lrs).toEqual([0.01, 0.01, 0.005, 0.005, 0.0025]);
  });

  it('evaluates the validation text, or any dataset or text it is given', () => {
    const { model, tokenizer, train, validation } = setup();
    const trainer = new Trainer({ model, tokenizer, train, validation, evalMaxBatches: 1, evalBatchSize: 2 });
    expect(trainer.evaluate().characters).toBe(16);
    expect(trainer.evaluate(validation).characters).toBe(validation!.numSequentialWindows * 8);
    expect(trainer.evaluate(PHRASE).characters).toBe(16);
  });

  it('throws ValueError for a run without a bound, bad settings, or a model of another vocabulary', async () => {
    const { model, tokenizer, train } = setup();
    const trainer = new Trainer({ model, tokenizer, train });
    await expect(trainer.run({})).rejects.toThrow(ValueError);
    await expect(trainer.run({ steps: 1, evalEvery: 5 })).rejects.toThrow(ValueError); // no validation data
    expect(() => trainer.evaluate()).toThrow(ValueError);
    expect(() => new Trainer({ model, tokenizer, train, batchSize: 0 })).toThrow(ValueError);
    expect(() => new Trainer({ model, tokenizer, train, maxNorm: 0 })).toThrow(ValueError);
    expect(() => new Trainer({ model, tokenizer, train, lrDecay: { gamma: 0.9, every: 0 } })).toThrow(ValueError);
    const other = new TextGenerationModel({ vocabSize: tokenizer.vocabSize + 1, hiddenSize: 4, embeddingDim: 2 });
    expect(() => new Trainer({ model: other, tokenizer, train })).toThrow(ValueError);
  });
});
