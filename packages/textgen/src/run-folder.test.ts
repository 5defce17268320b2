import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '@tensorloom/core-tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { findCheckpoint, loadCheckpoint } from './checkpoint.js';
import { prepareCorpus } from './dataset.js';
import { TextGenerationModel } from './model.js';
import { saveRunCheckpoint, stepCheckpointName } from './run-folder.js';
import { Trainer } from './trainer.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'textgen-run-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function trainer(): Trainer {
  const { tokenizer, train } = prepareCorpus('abcabcabd abcabd cab dab '.repeat(8), { seqLength: 6 });
  const model = new TextGenerationModel({
    vocabSize: tokenizer.vocabSize,
    embeddingDim: 4,
    hiddenSize: 6,
    numLayers: 1,
    generator: new Generator(0),
  });
  return new Trainer({ model, tokenizer, train, batchSize: 2 });
}

const stepDirs = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.startsWith('step-'))
    .sort();

describe('run folders', () => {
  it('names step checkpoints so that they sort by step', () => {
    expect(stepCheckpointName(500)).toBe('step-000500');
    expect([stepCheckpointName(10), stepCheckpointName(9)].sort()).toEqual(['step-000009', 'step-000010']);
  });

  it('saveRunCheckpoint writes step-N and latest, and keeps the newest `keep` step checkpoints', async () => {
    const t = trainer();
    const run = join(tempDir(), 'run');
    for (let step = 1; step <= 4; step++) {
      await t.run({ steps: step });
      const written = await saveRunCheckpoint(run, { model: t.model, tokenizer: t.tokenizer, trainer: t }, { keep: 2 });
      expect(written).toEqual({ step, stepDir: join(run, stepCheckpointName(step)), latestDir: join(run, 'latest') });
    }
    expect(stepDirs(run)).toEqual(['step-000003', 'step-000004']);
    expect((await loadCheckpoint(run)).step).toBe(4);
    expect((await loadCheckpoint(join(run, 'step-000003'))).step).toBe(3);
    await saveRunCheckpoint(run, { model: t.model, tokenizer: t.tokenizer, step: 9 }, { keep: 0 });
    expect(stepDirs(run)).toEqual(['step-000003', 'step-000004', 'step-000009']);
  });

  it('findCheckpoint takes a checkpoint directory or a run folder, and says when there is none', async () => {
    const t = trainer();
    const run = join(tempDir(), 'run');
    expect(await findCheckpoint(run)).toBeUndefined();
    await saveRunCheckpoint(run, { model: t.model, tokenizer: t.tokenizer });
    expect(await findCheckpoint(run)).toBe(join(run, 'latest'));
    expect(await findCheckpoint(join(run, 'step-000000'))).toBe(join(run, 'step-000000'));
    await expect(loadCheckpoint(join(run, 'nothing'))).rejects.toThrow(/no checkpoint at/);
  });

  it(
    'Trainer.run with checkpointDir keeps a run folder: every ' + 'checkpointEvery steps and at the end, the newest keepCheckpoints',
    async () => {
      const t = trainer();
      const run = join(tempDir(), 'run');
      const reported: (string | undefined)[] = [];
      await t.run({
        steps: 7,
        checkpointDir: run,
        checkpointEvery: 2,
        keepCheckpoints: 3,
        onCheckpoint: ({ dir }) => void reported.push(dir),
      });
      expect(stepDirs(run)).toEqual(['step-000004', 'step-000006', 'step-000007']);
      expect(reported).toEqual([2, 4, 6, 7].map((step) => join(run, stepCheckpointName(step))));
      expect((await loadCheckpoint(run)).step).toBe(7);
      expect(existsSync(join(run, 'latest', 'trainer.json'))).toBe(true);
    },
  );

  it('targetStep gives the step a run stops at: the nearer of steps and the step that completes the epochs', () => {
    const t = trainer();
    const perEpoch = t.train.length / t.charsPerStep;
    expect(t.charsPerStep).toBe(2 * 6);
    expect(t.targetStep({})).toBeUndefined();
    expect(t.targetStep({ steps: 5 })).toBe(5);
    expect(t.targetStep({ epochs: 2 })).toBe(Math.ceil(2 * perEpoch));
    expect(t.targetStep({ steps: 1, epochs: 2 })).toBe(1);
  });
});
