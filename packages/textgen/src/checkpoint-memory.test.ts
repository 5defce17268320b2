/**
 * The second bound of `loadCheckpoint`: sizes a checkpoint's files can hold but the machine cannot.
 * The machine's memory is replaced by a small budget so a small checkpoint meets it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '@tensorloom/core-tensor';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { parameterCount } from './checkpoint-read.js';
import { prepareCorpus } from './dataset.js';
import { CheckpointError } from './errors.js';
import { TextGenerationModel } from './model.js';
import { Trainer } from './trainer.js';

const budget = vi.hoisted(() => ({ bytes: Number.POSITIVE_INFINITY }));
vi.mock('@tensorloom/core-tensor', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@tensorloom/core-tensor')>()),
  memoryBudgetBytes: () => budget.bytes,
}));

const root = mkdtempSync(join(tmpdir(), 'textgen-memory-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function savedCheckpoint(withTrainer: boolean): Promise<{ dir: string; modelBytes: number }> {
  const corpus = prepareCorpus('to be or not to be, that is the question. '.repeat(4), { seqLength: 8 });
  const config = { vocabSize: corpus.tokenizer.vocabSize, embeddingDim: 4, hiddenSize: 6, numLayers: 1 };
  const model = new TextGenerationModel({ ...config, generator: new Generator(0) });
  const trainer = new Trainer({ model, tokenizer: corpus.tokenizer, train: corpus.train, batchSize: 2 });
  await trainer.run({ steps: 1 });
  const dir = join(root, `ckpt-${withTrainer ? 'trainer' : 'model'}`);
  await saveCheckpoint(dir, { model, tokenizer: corpus.tokenizer, ...(withTrainer ? { trainer } : { step: 1 }) });
  return { dir, modelBytes: parameterCount(config) * 4 };
}

describe('loadCheckpoint against the memory the machine can give', () => {
  it('refuses a model the files hold but the machine cannot load, naming the field and the bytes', async () => {
    const { dir, modelBytes } = await savedCheckpoint(false);
    budget.bytes = 4 * modelBytes; // the model, the tensors read, Adam's two moments: just fits
    await expect(loadCheckpoint(dir)).resolves.toMatchObject({ step: 1 });
    budget.bytes = 4 * modelBytes - 1;
    const error = await loadCheckpoint(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/model\.(vocabSize|embeddingDim|hiddenSize|numLayers) \d+ describes a model/);
    expect((error as Error).message).toMatch(/more than the \d+(\.\d+)? (bytes|kB) this machine can give/);
    budget.bytes = Number.POSITIVE_INFINITY;
  });

  it('refuses a batch size in trainer.json whose activations the machine cannot hold', async () => {
    const { dir, modelBytes } = await savedCheckpoint(true);
    const path = join(dir, 'trainer.json');
    const trainer = JSON.parse(readFileSync(path, 'utf8')) as { settings: { batchSize: number } };
    trainer.settings.batchSize = 5000;
    writeFileSync(path, JSON.stringify(trainer));
    budget.bytes = 100 * modelBytes; // the model fits, 5,000 windows of 8 characters do not
    const error = await loadCheckpoint(dir).catch((e: unknown) => e);
    budget.bytes = Number.POSITIVE_INFINITY;
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/settings\.batchSize 5000 with T = 8 would need about \d+(\.\d+)? MB/);
    await expect(loadCheckpoint(dir)).resolves.toMatchObject({ step: 1 });
  });
});
