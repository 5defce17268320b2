/**
 * Property tests of `loadCheckpoint` against damaged and hostile files: a real small checkpoint
 * (config.json, vocab.json, model.safetensors, optimizer.safetensors, trainer.json, history.json)
 * has one or two files mutated per case. Each case must end in a correct load (after which the
 * model runs a step and the trainer resumes, or refuses with a typed error) or a typed error whose
 * causes are typed too, and no tensor may be allocated larger than the files' bytes justify.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, Tensor } from '@tensorloom/core-tensor';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import {
  checkpointFolder,
  expectTypedChain,
  guardAllocations,
  jsonMutation,
  mutateJson,
  mutateSafetensors,
  safetensorsMutation,
  type Files,
} from './checkpoint-fuzz-support.js';
import { prepareCorpus, type Corpus } from './dataset.js';
import { CheckpointError } from './errors.js';
import { TextGenerationModel } from './model.js';
import { Trainer } from './trainer.js';

const TEXT = 'the quick brown fox jumps over the lazy dog. '.repeat(6);
const JSON_FILES = ['config.json', 'vocab.json', 'trainer.json', 'history.json'];
const TENSOR_FILES = ['model.safetensors', 'optimizer.safetensors'];

let root = '';
let original: Files = {};
let corpus: Corpus;
let allocationLimit = Number.POSITIVE_INFINITY;
let removeGuard: () => void = () => undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'textgen-fuzz-'));
  corpus = prepareCorpus(TEXT, { seqLength: 8 });
  const model = new TextGenerationModel({
    vocabSize: corpus.tokenizer.vocabSize,
    embeddingDim: 3,
    hiddenSize: 4,
    numLayers: 2,
    dropout: 0.1,
    generator: new Generator(1),
  });
  const trainer = new Trainer({ model, tokenizer: corpus.tokenizer, train: corpus.train, batchSize: 2, lrDecay: { gamma: 0.5, every: 2 } });
  await trainer.run({ steps: 3 });
  const dir = join(root, 'original');
  await saveCheckpoint(dir, { model, tokenizer: corpus.tokenizer, trainer, metadata: { corpus: 'fox' } });
  original = Object.fromEntries(readdirSync(dir).map((name) => [name, new Uint8Array(readFileSync(join(dir, name)))]));
  removeGuard = guardAllocations(() => allocationLimit);
});
afterAll(() => {
  removeGuard();
  rmSync(root, { recursive: true, force: true });
});

function folder(name: string) {
  const dir = join(root, name);
  mkdirSync(dir);
  return checkpointFolder(dir);
}

type Outcome = { loaded: true } | { loaded: false; error: Error; ms: number };

/**
 * Loads the checkpoint `files` make, under the allocation guard (8 bytes per byte of the files: a
 * float64 model from a U8 file), then does what a user does next: one step of the model, and
 * resuming the trainer. Returns the typed error, or throws on an untyped one.
 */
async function attempt(place: ReturnType<typeof folder>, files: Files): Promise<Outcome> {
  place.write(files);
  allocationLimit = 8 * Object.values(files).reduce((n, b) => n + b.length, 0) + 4096;
  const start = performance.now();
  try {
    const loaded = await loadCheckpoint(place.dir);
    loaded.model.eval();
    loaded.model.step(new Tensor(new Int32Array([0]), [1], 'int32'));
    if (loaded.trainerState !== undefined) Trainer.fromCheckpoint(loaded, { train: corpus.train });
    return { loaded: true };
  } catch (error) {
    expectTypedChain(error);
    return { loaded: false, error: error as Error, ms: performance.now() - start };
  } finally {
    allocationLimit = Number.POSITIVE_INFINITY;
  }
}

const json = (name: string): Record<string, unknown> => JSON.parse(new TextDecoder().decode(original[name])) as Record<string, unknown>;
const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** A damage to one file: a mutation of its kind, or the file missing or empty. */
const damage = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...JSON_FILES), jsonMutation) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...TENSOR_FILES), safetensorsMutation) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...JSON_FILES, ...TENSOR_FILES), fc.constantFrom('missing', 'empty', 'swapped')) },
);

function applyDamage(files: Files, [name, mutation]: [string, unknown]): void {
  if (mutation === 'missing') delete files[name];
  else if (mutation === 'empty') files[name] = new Uint8Array(0);
  else if (mutation === 'swapped') files[name] = original[name === 'model.safetensors' ? 'optimizer.safetensors' : 'model.safetensors']!;
  else if (files[name] === undefined)
    return; // removed by an earlier damage
  else if (TENSOR_FILES.includes(name)) files[name] = mutateSafetensors(files[name]!, mutation as Parameters<typeof mutateSafetensors>[1]);
  else files[name] = mutateJson(files[name]!, mutation as Parameters<typeof mutateJson>[1]);
}

describe('loadCheckpoint holds against damaged files (property tests)', () => {
  it('the unchanged checkpoint loads, steps and resumes (the baseline the damage departs from)', async () => {
    expect(await attempt(folder('baseline'), { ...original })).toEqual({ loaded: true });
    expect(Object.keys(original).sort()).toEqual([...JSON_FILES, ...TENSOR_FILES].sort());
  });

  it('one or two damaged files end in a load or a typed error, never a crash or an allocation beyond the files', async () => {
    const place = folder('damaged');
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 2 }), async (damages) => {
        const files = { ...original };
        for (const d of damages) applyDamage(files, d as [string, unknown]);
        if (!(await attempt(place, files)).loaded) rejected++;
      }),
      { numRuns: 1000 },
    );
    expect(rejected).toBeGreaterThan(400); // the damage is real: most cases are refused
  });

  it('model sizes in config.json beyond what model.safetensors holds fail fast, naming the field and the bytes', async () => {
    const place = folder('sizes');
    const claim = fc.tuple(fc.constantFrom('embeddingDim', 'hiddenSize', 'numLayers'), fc.integer({ min: 2000, max: 2 ** 53 - 1 }));
    await fc.assert(
      fc.asyncProperty(claim, async ([field, value]) => {
        const config = json('config.json');
        (config.model as Record<string, unknown>)[field] = value;
        const outcome = await attempt(place, { ...original, 'config.json': encode(config) });
        expect(outcome.loaded).toBe(false);
        if (outcome.loaded) return;
        expect(outcome.error).toBeInstanceOf(CheckpointError);
        expect(outcome.error.message).toContain(`model.${field} ${value}`);
        expect(outcome.error.message).toMatch(/\d (kB|MB|GB|TB|PB|EB|ZB|YB)\b/);
        expect(outcome.ms).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });

  it('a vocabulary size in config.json that vocab.json does not hold is refused, naming it', async () => {
    const place = folder('vocab-size');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 53 - 1 }), async (value) => {
        const config = json('config.json');
        fc.pre(value !== (config.model as { vocabSize: number }).vocabSize);
        (config.model as Record<string, unknown>).vocabSize = value;
        const outcome = await attempt(place, { ...original, 'config.json': encode(config) });
        expect(outcome.loaded).toBe(false);
        if (!outcome.loaded) expect(outcome.error.message).toContain(`model.vocabSize ${value}`);
      }),
      { numRuns: 100 },
    );
  });

  it('batch sizes in trainer.json beyond the machine fail, naming the setting and the bytes', async () => {
    const place = folder('batch');
    const claim = fc.tuple(fc.constantFrom('batchSize', 'evalBatchSize'), fc.integer({ min: 1e13, max: 2 ** 53 - 1 }));
    await fc.assert(
      fc.asyncProperty(claim, async ([field, value]) => {
        const trainer = json('trainer.json');
        (trainer.settings as Record<string, unknown>)[field] = value;
        const outcome = await attempt(place, { ...original, 'trainer.json': encode(trainer) });
        expect(outcome.loaded).toBe(false);
        if (!outcome.loaded) expect(outcome.error.message).toContain(`settings.${field} ${value}`);
      }),
      { numRuns: 100 },
    );
  });
});

describe('loadCheckpoint refuses what once crashed it (examples)', () => {
  const cases: [string, string, (files: Files) => void][] = [
    ['config.json', 'hiddenSize 100000000', (f) => edit(f, 'config.json', (c) => ((c.model as Record<string, unknown>).hiddenSize = 1e8))],
    ['vocab.json', 'nested 100,000 deep', (f) => (f['vocab.json'] = new TextEncoder().encode('['.repeat(1e5) + ']'.repeat(1e5)))],
    ['vocab.json', 'unknown nested deep', (f) => edit(f, 'vocab.json', (v) => (v.unknown = 'DEEP'))],
    [
      'trainer.json',
      'a null optimizer state entry',
      (f) => edit(f, 'trainer.json', (t) => ((t.optimizer as { state: object }).state = { 0: null })),
    ],
    [
      'trainer.json',
      "a tensor named '__proto__'",
      (f) => edit(f, 'trainer.json', (t) => ((t.optimizer as { state: object }).state = { 0: { exp_avg: { tensor: '__proto__' } } })),
    ],
    ['trainer.json', 'history not a list', (f) => edit(f, 'history.json', (h) => (h.train = 5))],
    ['trainer.json', 'generators missing', (f) => edit(f, 'trainer.json', (t) => delete t.generators)],
    [
      'trainer.json',
      'a parameter group null',
      (f) => edit(f, 'trainer.json', (t) => ((t.optimizer as { paramGroups: unknown[] }).paramGroups = [null])),
    ],
  ];
  for (const [file, what, change] of cases) {
    it(`${file} with ${what} is a CheckpointError`, async () => {
      const files = { ...original };
      change(files);
      const outcome = await attempt(folder(`example-${cases.findIndex((c) => c[1] === what)}`), files);
      expect(outcome.loaded).toBe(false);
      if (!outcome.loaded) expect(outcome.error).toBeInstanceOf(CheckpointError);
    });
  }

  it('optimizer.safetensors claiming a tensor of 100,000,000 elements fails naming its bytes, allocating only the model', async () => {
    const bytes = original['optimizer.safetensors']!;
    const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, { shape: number[] }>;
    const name = Object.keys(header).find((key) => key !== '__metadata__')!;
    header[name] = { ...header[name]!, shape: [1e8], data_offsets: [0, 4e8] } as never;
    const text = new TextEncoder().encode(JSON.stringify(header));
    const file = new Uint8Array(8 + text.length + bytes.length - 8 - length);
    new DataView(file.buffer).setBigUint64(0, BigInt(text.length), true);
    file.set(text, 8);
    file.set(bytes.subarray(8 + length), 8 + text.length);
    const place = folder('optimizer-claim');
    place.write({ ...original, 'optimizer.safetensors': file });
    allocationLimit = 8 * Object.values(original).reduce((n, b) => n + b.length, 0); // the model, not the claim
    try {
      await expect(loadCheckpoint(place.dir)).rejects.toThrow(/optimizer\.safetensors.*data_offsets \[0, 400000000\]/);
    } finally {
      allocationLimit = Number.POSITIVE_INFINITY;
    }
  });

  it('runs under an armed allocation guard (a tensor larger than the limit cannot be made)', () => {
    allocationLimit = 63;
    try {
      expect(() => Tensor.empty([16], 'float32')).toThrow(/allocation of 64 bytes/);
    } finally {
      allocationLimit = Number.POSITIVE_INFINITY;
    }
  });

  it('config.json claiming hiddenSize 100000000 allocates nothing before failing', async () => {
    const files = { ...original };
    edit(files, 'config.json', (c) => ((c.model as Record<string, unknown>).hiddenSize = 1e8));
    const place = folder('no-allocation');
    place.write(files);
    allocationLimit = 0;
    try {
      await expect(loadCheckpoint(place.dir)).rejects.toThrow(
        /model\.hiddenSize 100000000 describes a model of \d+ parameters.*\d (TB|PB)/,
      );
    } finally {
      allocationLimit = Number.POSITIVE_INFINITY;
    }
  });
});

/** Rewrites one JSON file of `files` through `change`; a 'DEEP' string becomes an array nested 100,000 deep. */
function edit(files: Files, name: string, change: (value: Record<string, unknown>) => unknown): void {
  const value = JSON.parse(new TextDecoder().decode(files[name])) as Record<string, unknown>;
  change(value);
  files[name] = new TextEncoder().encode(
    JSON.stringify(value)
      .split('"DEEP"')
      .join('['.repeat(1e5) + ']'.repeat(1e5)),
  );
}
