import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, NonFiniteError, type NonFiniteEvent } from '@tensorloom/core-tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { prepareCorpus } from './dataset.js';
import { evaluate } from './evaluate.js';
import { TextGenerationModel } from './model.js';
import { beamSearch } from './sampling/beam-search.js';
import { generate, streamGenerate } from './sampling/generate.js';
import { Trainer } from './trainer.js';
import type { TrainerOptions } from './trainer-types.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'textgen-nonfinite-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup() {
  const corpus = prepareCorpus('Call me Ishmael. Some years ago, never mind how long. '.repeat(6), { seqLength: 8 });
  const model = new TextGenerationModel({
    vocabSize: corpus.tokenizer.vocabSize,
    embeddingDim: 4,
    hiddenSize: 8,
    numLayers: 1,
    generator: new Generator(0),
  });
  return { ...corpus, model };
}

/** A trainer whose lr (1e38, no clipping) sends every weight to ±1e38 at step 1 and the loss to NaN at step 2. */
function divergingTrainer(options: Partial<TrainerOptions> = {}) {
  const { model, tokenizer, train, validation } = setup();
  return new Trainer({ model, tokenizer, train, validation, batchSize: 4, lr: 1e38, maxNorm: null, ...options });
}

const weightBytes = (model: TextGenerationModel) =>
  Object.entries(model.stateDict()).map(([k, t]) => [k, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice()]);

async function rejection(promise: Promise<unknown>): Promise<NonFiniteError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(NonFiniteError);
    return error as NonFiniteError;
  }
  throw new Error('expected a NonFiniteError');
}

function thrown(fn: () => unknown): NonFiniteError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(NonFiniteError);
    return error as NonFiniteError;
  }
  throw new Error('expected a NonFiniteError');
}

describe('Trainer and non-finite values', () => {
  it("stops with NonFiniteError at the step the loss turns NaN, keeping the previous checkpoint as 'latest'", async () => {
    const trainer = divergingTrainer();
    const out = tempDir();
    const error = await rejection(trainer.run({ steps: 10, checkpointDir: out, checkpointEvery: 1, evalEvery: 0 }));
    expect(error.step).toBe(2);
    expect(error.what).toBe('loss');
    expect(error.message).toContain('step 2');
    expect(readdirSync(out).filter((n) => n.startsWith('step-'))).toEqual(['step-000001']);
    const latest = await loadCheckpoint(out);
    expect(latest.step).toBe(1);
    expect(Object.values(latest.model.stateDict()).every((t) => t.data.every(Number.isFinite))).toBe(true);
  });

  it("'skip' skips every non-finite update, leaves the weights bit for bit as they were, and warns", async () => {
    const trainer = divergingTrainer({ onNonFinite: 'skip' });
    trainer.trainStep();
    const after1 = weightBytes(trainer.model);
    const warnings: NonFiniteEvent[] = [];
    const samples: string[] = [];
    const result = await trainer.run({
      steps: 5,
      evalEvery: 0,
      sampleAt: [3],
      samples: { count: 1, length: 4 },
      onSamples: (point) => void samples.push(...point.samples.map((x) => x.completion)),
      onWarning: (w) => void warnings.push(w),
    });
    expect(result).toMatchObject({ stoppedBy: 'steps', stepsRun: 4, step: 5, skippedSteps: 4, lrHalvings: 0 });
    expect(Number.isNaN(result.trainLoss)).toBe(true); // no update of this run was taken
    // Under 'skip' the diverged model's validation and samples are reported (NaN, garbage), not refused.
    expect(Number.isNaN(result.validation!.loss)).toBe(true);
    expect(samples).toHaveLength(1);
    expect(samples[0]).toHaveLength(4);
    expect(warnings.map((w) => [w.step, w.what, w.action])).toEqual([2, 3, 4, 5].map((s) => [s, 'loss', 'skipped']));
    expect(weightBytes(trainer.model)).toEqual(after1);
    expect(trainer.history.train.map((e) => e.step)).toEqual([1]);
    expect(trainer.lr).toBe(1e38);
  });

  it("'skip' leaves the weights unchanged on one poisoned step and trains on the next", () => {
    const { model, tokenizer, train } = setup();
    const trainer = new Trainer({ model, tokenizer, train, batchSize: 4, onNonFinite: 'skip' });
    trainer.trainStep();
    const weight = model.namedParameters().find(([name]) => name === 'linear.bias')![1];
    const saved = weight.data[0]!;
    weight.data[0] = NaN;
    const before = weightBytes(model);
    const skipped = trainer.trainStep();
    expect(skipped.nonFinite).toMatchObject({ step: 2, what: 'loss', action: 'skipped' });
    expect(weightBytes(model)).toEqual(before);
    weight.data[0] = saved;
    const taken = trainer.trainStep();
    expect(taken.nonFinite).toBeUndefined();
    expect(Number.isFinite(taken.loss)).toBe(true);
    expect(trainer.history.train.map((e) => e.step)).toEqual([1, 3]);
    expect(trainer.nonFiniteGuard.skippedSteps).toBe(1);
  });

  it("'halve-lr' halves the learning rate at each bad step, keeps it in checkpoints, and stops after 20 halvings in a row", async () => {
    const trainer = divergingTrainer({ onNonFinite: 'halve-lr', lrDecay: { gamma: 0.5, every: 1000 } });
    const warnings: NonFiniteEvent[] = [];
    const first = await trainer.run({ steps: 4, evalEvery: 0, finalEvaluation: false, onWarning: (w) => void warnings.push(w) });
    expect(first).toMatchObject({ skippedSteps: 3, lrHalvings: 3 });
    expect(warnings.map((w) => w.lr)).toEqual([1e38 / 2, 1e38 / 4, 1e38 / 8]);
    expect(trainer.lr).toBe(1e38 / 8);

    const dir = tempDir();
    await saveCheckpoint(dir, { model: trainer.model, tokenizer: trainer.tokenizer, trainer });
    const resumed = Trainer.fromCheckpoint(await loadCheckpoint(dir), { train: trainer.train, onNonFinite: 'halve-lr' });
    expect(resumed.lr).toBe(1e38 / 8);

    const error = await rejection(trainer.run({ steps: 100, evalEvery: 0, onWarning: (w) => void warnings.push(w) }));
    expect(warnings).toHaveLength(20);
    expect(error.step).toBe(2 + 20);
    expect(trainer.lr).toBe(1e38 / 2 ** 20);
    expect(error.message).toContain('20 halvings');
  });
});

describe('saving, evaluating and sampling non-finite weights', () => {
  function poisoned() {
    const setupResult = setup();
    const lstmWeight = setupResult.model.namedParameters().find(([name]) => name === 'lstm.weight_hh_l0')![1];
    lstmWeight.data[5] = Infinity;
    return setupResult;
  }

  it('saveCheckpoint refuses them, naming the parameter, and leaves the previous checkpoint; allowNonFinite writes them', async () => {
    const { model, tokenizer } = setup();
    const dir = join(tempDir(), 'ckpt');
    await saveCheckpoint(dir, { model, tokenizer, step: 3 });
    const bad = poisoned();
    const error = await rejection(saveCheckpoint(dir, { model: bad.model, tokenizer: bad.tokenizer, step: 4 }));
    expect(error).toMatchObject({ what: 'parameter', parameter: 'lstm.weight_hh_l0', index: 5, value: Infinity, step: 4 });
    expect((await loadCheckpoint(dir)).step).toBe(3);
    await saveCheckpoint(dir, { model: bad.model, tokenizer: bad.tokenizer, step: 4, allowNonFinite: true });
    expect(existsSync(join(dir, 'model.safetensors'))).toBe(true);
    expect((await loadCheckpoint(dir)).step).toBe(4);
  });

  it('evaluate, generate, streamGenerate and beamSearch refuse them, naming the parameter', async () => {
    const { model, tokenizer, dataset } = poisoned();
    const cases: (() => unknown)[] = [
      () => evaluate(model, dataset),
      () => evaluate(model, 'Call me', { tokenizer, seqLength: 4 }),
      () => generate(model, tokenizer, { prompt: 'C', length: 5 }),
      () => beamSearch(model, tokenizer, { prompt: 'C', length: 5, beamWidth: 2 }),
    ];
    for (const run of cases) expect(thrown(run)).toMatchObject({ what: 'parameter', parameter: 'lstm.weight_hh_l0', step: undefined });
    const stream = streamGenerate(model, tokenizer, { prompt: 'C', length: 5 });
    expect((await rejection(stream.next())).parameter).toBe('lstm.weight_hh_l0');
  });

  it('evaluate, generate and beamSearch refuse finite weights so large that the output overflows (a diverged run)', async () => {
    const trainer = divergingTrainer();
    await rejection(trainer.run({ steps: 3, evalEvery: 0, finalEvaluation: false })); // stops at step 2 with ±1e38 weights
    const { model, tokenizer, train } = trainer;
    expect(model.parameters().every((p) => p.data.every(Number.isFinite))).toBe(true);
    const cases: (() => unknown)[] = [
      () => evaluate(model, train),
      () => evaluate(model, train, { carryState: true }),
      () => generate(model, tokenizer, { prompt: 'C', length: 3 }),
      () => beamSearch(model, tokenizer, { prompt: 'C', length: 3, beamWidth: 2 }),
    ];
    for (const run of cases) {
      const error = thrown(run);
      expect(error).toMatchObject({ what: 'loss', step: undefined, parameter: undefined });
      expect(error.message).toMatch(/e\+3\d/); // names the largest weight, ~1e38
    }
  });
});
