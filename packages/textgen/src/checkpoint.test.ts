import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Generator, ValueError, loadSafetensors } from '@tensorloom/core-tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeDirectoryOps, type DirectoryOps } from './atomic-directory.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { prepareCorpus } from './dataset.js';
import { CheckpointError } from './errors.js';
import { TextGenerationModel } from './model.js';
import { generate } from './sampling/generate.js';
import { Trainer } from './trainer.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'textgen-ckpt-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const TEXT = 'Call me Ishmael. Some years ago, never mind how long precisely, I thought I would sail about. '.repeat(4);

function setup(seed = 0, dropout = 0.2) {
  const corpus = prepareCorpus(TEXT, { seqLength: 10 });
  const model = new TextGenerationModel({
    vocabSize: corpus.tokenizer.vocabSize,
    embeddingDim: 6,
    hiddenSize: 12,
    numLayers: 2,
    dropout,
    generator: new Generator(seed),
  });
  return { ...corpus, model };
}

const bytesOf = (model: TextGenerationModel) =>
  Object.entries(model.stateDict()).map(([k, t]) => [k, Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))]);

describe('saveCheckpoint / loadCheckpoint', () => {
  it('round-trips the weights, config, vocabulary, step and metadata, under PyTorch names', async () => {
    const { model, tokenizer, train } = setup();
    const trainer = new Trainer({ model, tokenizer, train, batchSize: 4 });
    await trainer.run({ steps: 3 });
    const dir = join(tempDir(), 'ckpt');
    await saveCheckpoint(dir, { model, tokenizer, trainer, metadata: { corpus: 'moby', lowercase: false } });
    expect(readdirSync(dir).sort()).toEqual([
      'config.json',
      'history.json',
      'model.safetensors',
      'optimizer.safetensors',
      'trainer.json',
      'vocab.json',
    ]);
    const { tensors, metadata } = await loadSafetensors(join(dir, 'model.safetensors'));
    expect(Object.keys(tensors)).toContain('lstm.weight_hh_l1');
    expect(Object.keys(tensors)).toContain('linear.bias');
    expect(metadata.format).toBe('pt');

    const loaded = await loadCheckpoint(dir);
    expect(loaded.step).toBe(3);
    expect(loaded.metadata).toEqual({ corpus: 'moby', lowercase: false });
    expect(loaded.config.model).toEqual(model.config);
    expect(loaded.config.seqLength).toBe(10);
    expect(loaded.tokenizer.chars).toEqual(tokenizer.chars);
    expect(bytesOf(loaded.model)).toEqual(bytesOf(model));
    expect(loaded.trainerState!.history.train).toHaveLength(3);
    const prompt = { prompt: 'Call', length: 20 };
    expect(generate(loaded.model, loaded.tokenizer, prompt).text).toBe(generate(model, tokenizer, prompt).text);
  });

  it('saves a model without trainer state for sampling only', async () => {
    const { model, tokenizer } = setup();
    const dir = join(tempDir(), 'model-only');
    await saveCheckpoint(dir, { model, tokenizer, step: 42 });
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors', 'vocab.json']);
    const loaded = await loadCheckpoint(dir);
    expect(loaded.step).toBe(42);
    expect(loaded.trainerState).toBeUndefined();
    expect(() => Trainer.fromCheckpoint(loaded, { train: setup().train })).toThrow(ValueError);
  });

  it('resuming is bit-exact: N/2 steps, save, load, N/2 steps give the losses and weights of N straight steps', async () => {
    const settings = { batchSize: 4, lr: 0.01, maxNorm: 0.5, lrDecay: { gamma: 0.5, every: 3 }, seed: 11 };
    const straight = setup(5);
    const a = new Trainer({
      ...settings,
      model: straight.model,
      tokenizer: straight.tokenizer,
      train: straight.train,
      validation: straight.validation,
    });
    await a.run({ steps: 12 });

    const first = setup(5);
    const b = new Trainer({
      ...settings,
      model: first.model,
      tokenizer: first.tokenizer,
      train: first.train,
      validation: first.validation,
    });
    await b.run({ steps: 6 });
    const dir = join(tempDir(), 'resume');
    await saveCheckpoint(dir, { model: first.model, tokenizer: first.tokenizer, trainer: b });
    // Keep training the original a little so nothing in memory could leak into the resumed run.
    await b.run({ steps: 8 });

    const loaded = await loadCheckpoint(dir);
    const corpus = prepareCorpus(TEXT, { seqLength: loaded.config.seqLength!, tokenizer: loaded.tokenizer });
    const resumed = Trainer.fromCheckpoint(loaded, { train: corpus.train, validation: corpus.validation });
    expect(resumed.step).toBe(6);
    expect(resumed.settings).toEqual(a.settings);
    await resumed.run({ steps: 12 });

    expect(resumed.history.train.map((e) => e.loss)).toEqual(a.history.train.map((e) => e.loss));
    expect(bytesOf(loaded.model)).toEqual(bytesOf(straight.model));
    expect(resumed.lr).toBe(a.lr);

    // The check can fail: resuming without the saved data order gives other losses.
    const again = await loadCheckpoint(dir);
    const careless = Trainer.fromCheckpoint(again, { train: corpus.train });
    careless.dataGenerator = new Generator(11);
    await careless.run({ steps: 12 });
    expect(careless.history.train.slice(6).map((e) => e.loss)).not.toEqual(a.history.train.slice(6).map((e) => e.loss));
  });

  it('throws CheckpointError for a missing directory or a foreign config', async () => {
    const root = tempDir();
    await expect(loadCheckpoint(join(root, 'nothing'))).rejects.toThrow(CheckpointError);
    const { model, tokenizer } = setup();
    const dir = join(root, 'ckpt');
    await saveCheckpoint(dir, { model, tokenizer });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ format: 'something-else' }));
    await expect(loadCheckpoint(dir)).rejects.toThrow(CheckpointError);
    writeFileSync(join(dir, 'config.json'), '{ not json');
    await expect(loadCheckpoint(dir)).rejects.toThrow(CheckpointError);
  });
});

/** Real file operations, where the `failAt`-th mutating call (1-based) throws; with `dies`, every later call throws too. */
async function failingOps(failAt: number, dies: boolean): Promise<DirectoryOps & { calls: () => number }> {
  const real = await nodeDirectoryOps();
  let calls = 0;
  let dead = false;
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (dead) throw new Error('killed');
      calls++;
      if (calls === failAt) {
        if (dies) dead = true;
        throw new Error(`injected failure at call ${calls}`);
      }
      return fn(...args);
    };
  return {
    ...real,
    mkdir: guard(real.mkdir),
    writeFile: guard(real.writeFile),
    rename: guard(real.rename),
    remove: guard(real.remove),
    syncDirectory: guard(real.syncDirectory),
    calls: () => calls,
  };
}

describe('an interrupted checkpoint write leaves the previous checkpoint loadable', () => {
  it('whichever file operation throws, the write fails and the previous checkpoint loads unchanged', async () => {
    const { model, tokenizer, train } = setup();
    const trainer = new Trainer({ model, tokenizer, train, batchSize: 4 });
    const dir = join(tempDir(), 'ckpt');
    await trainer.run({ steps: 1 });
    await saveCheckpoint(dir, { model, tokenizer, trainer });
    const original = await loadCheckpoint(dir);
    const before = bytesOf(model);
    await trainer.run({ steps: 3 });
    // Count the operations of one replacing write.
    const counter = await failingOps(Infinity, false);
    await saveCheckpoint(join(tempDir(), 'count'), { model, tokenizer, trainer }, counter);
    await saveCheckpoint(join(tempDir(), 'count'), { model, tokenizer, trainer }, counter);
    const total = counter.calls();
    expect(total).toBeGreaterThan(8);
    let keptOld = 0;
    let committed = 0;
    let readAside = 0;
    for (const dies of [false, true]) {
      for (let failAt = 1; failAt <= total; failAt++) {
        const ops = await failingOps(failAt, dies);
        const outcome = await saveCheckpoint(dir, { model, tokenizer, trainer }, ops).then(
          () => 'saved',
          () => 'failed',
        );
        const loaded = await loadCheckpoint(dir);
        if (loaded.dir !== dir) readAside++;
        if (loaded.step === 1) keptOld++;
        else committed++;
        // Either the new checkpoint was committed (a failure after the rename) or the old one is intact.
        if (loaded.step === 1) expect(bytesOf(loaded.model)).toEqual(before);
        else expect(loaded.step).toBe(3);
        if (outcome === 'saved') expect(loaded.step).toBe(3);
        // Restore the step-1 checkpoint for the next round (a healthy write also cleans up leftovers).
        if (loaded.step !== 1) await saveCheckpoint(dir, { model: original.model, tokenizer, step: 1 });
        const fresh = await loadCheckpoint(dir);
        expect(fresh.step).toBe(1);
      }
    }
    // Every path was taken: failures before the commit, after it, and a death between the two renames.
    expect(keptOld).toBeGreaterThan(total);
    expect(committed).toBeGreaterThan(0);
    expect(readAside).toBeGreaterThan(0);
    // After all that, a healthy write leaves no hidden leftovers beside the checkpoint.
    await saveCheckpoint(dir, { model, tokenizer, trainer });
    expect(readdirSync(join(dir, '..'))).toEqual(['ckpt']);
  });

  it('survives a writer process killed mid-write (SIGKILL)', async () => {
    const root = tempDir();
    const dir = join(root, 'ckpt');
    const { model, tokenizer } = setup();
    await saveCheckpoint(dir, { model, tokenizer, step: 0 });
    const script = join(root, 'writer.mts');
    const source = fileURLToPath(new URL('./index.ts', import.meta.url));
    writeFileSync(
      script,
      `import { CharTokenizer, TextGenerationModel, saveCheckpoint } from ${JSON.stringify(source)};
const tokenizer = CharTokenizer.fromText('abcdefghijklmnopqrstuvwxyz');
const model = new TextGenerationModel({ vocabSize: tokenizer.vocabSize, hiddenSize: 256 });
for (let step = 1; ; step++) {
  await saveCheckpoint(${JSON.stringify(dir)}, { model, tokenizer, step });
  if (step === 1) process.stdout.write('ready\\n');
}
`,
    );
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    for (const delay of [5, 60]) {
      const child = spawn(process.execPath, ['--conditions=@tensorloom/source', '--import', 'tsx', script], {
        cwd,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code) => reject(new Error(`the writer exited early with code ${code}`)));
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('ready')) resolve();
        });
      });
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.removeAllListeners('exit');
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const loaded = await loadCheckpoint(dir);
      expect(loaded.model.config.hiddenSize === 256 || loaded.step === 0).toBe(true);
      expect(loaded.tokenizer.vocabSize).toBe(loaded.model.vocabSize);
      expect(existsSync(join(loaded.dir, 'config.json'))).toBe(true);
      expect(JSON.parse(readFileSync(join(loaded.dir, 'config.json'), 'utf8')).step).toBe(loaded.step);
    }
  }, 60_000);
});
