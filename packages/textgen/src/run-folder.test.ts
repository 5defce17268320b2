import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '@tensorloom/core-tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { findCheckpoint, loadCheckpoint } from './checkpoint.js';
import { prepareCorpus } from './dataset.js';
import { TextGenerationModel } from './model.js';
import { RunFolderError } from './errors.js';
import {
  RUN_LOCK,
  claimRunFolder,
  loadNewestCheckpoint,
  readRunManifest,
  saveRunCheckpoint,
  stepCheckpointName,
  writeRunManifest,
} from './run-folder.js';
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

describe('a run folder belongs to one run', () => {
  const save = (t: Trainer, run: string, runId: string, keep: number) =>
    saveRunCheckpoint(run, { model: t.model, tokenizer: t.tokenizer, trainer: t, metadata: { runId } }, { keep });

  it('pruning removes only the run’s own step checkpoints, the oldest saved first', async () => {
    const run = join(tempDir(), 'run');
    const t = trainer();
    for (let step = 1; step <= 3; step++) {
      await t.run({ steps: step });
      await save(t, run, 'other', 0);
    }
    // A run resumed from step 1 writes steps 2', 3', 4': the newest saved stay, whatever their numbers.
    const mine = trainer();
    for (let step = 1; step <= 2; step++) {
      await mine.run({ steps: step });
      await new Promise((r) => setTimeout(r, 5));
      await save(mine, run, 'mine', 2);
    }
    expect(stepDirs(run)).toEqual(['step-000001', 'step-000002', 'step-000003']);
    const configs = stepDirs(run).map((d) => JSON.parse(readFileSync(join(run, d, 'config.json'), 'utf8')).metadata.runId);
    expect(configs).toEqual(['mine', 'mine', 'other']);
    await mine.run({ steps: 5 });
    await save(mine, run, 'mine', 2);
    // mine: step 1 (oldest) went; other's step 3 stays though it is older than every one of mine.
    expect(stepDirs(run)).toEqual(['step-000002', 'step-000003', 'step-000005']);
  });

  it('claimRunFolder refuses another run, takes a dead process’s lock, cleans writers’ leftovers, and clears on overwrite', async () => {
    const run = join(tempDir(), 'run');
    const first = await claimRunFolder(run);
    await expect(claimRunFolder(run)).rejects.toThrow(RunFolderError); // our own live lock: a second claim waits for release
    first.release();
    const t = trainer();
    await t.run({ steps: 1 });
    await save(t, run, 'r1', 0);
    await writeRunManifest(run, {
      format: 'tensorloom.run',
      version: 1,
      runId: 'r1',
      startedAt: new Date().toISOString(),
      command: 'test',
      data: {},
      resumed: [],
    });
    const refused = await claimRunFolder(run).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RunFolderError);
    expect((refused as RunFolderError).reason).toBe('occupied');
    mkdirSync(join(run, '.step-000002.tmp-1-a-0'));
    writeFileSync(join(run, RUN_LOCK), '999999999\n');
    const resumed = await claimRunFolder(run, { runId: 'r1' });
    expect(resumed.manifest?.runId).toBe('r1');
    expect(resumed.cleaned).toEqual(['.step-000002.tmp-1-a-0']);
    expect(resumed.others).toEqual([]);
    resumed.release();
    expect(existsSync(join(run, RUN_LOCK))).toBe(false);
    const over = await claimRunFolder(run, { overwrite: true });
    expect(over.previous?.runId).toBe('r1');
    expect(over.others).toEqual(['latest', 'run.json', 'step-000001']);
    expect(readdirSync(run).sort()).toEqual(['latest', 'run.json', RUN_LOCK, 'step-000001']); // nothing removed yet
    await over.clearOthers();
    over.release();
    expect(readdirSync(run)).toEqual([]);
    expect(await readRunManifest(run)).toBeUndefined();
  });

  it('loadNewestCheckpoint passes over damaged checkpoints, newest saved first', async () => {
    const run = join(tempDir(), 'run');
    const t = trainer();
    for (let step = 1; step <= 3; step++) {
      await t.run({ steps: step });
      await save(t, run, 'r', 0);
    }
    writeFileSync(join(run, 'latest', 'model.safetensors'), 'garbage');
    writeFileSync(join(run, 'step-000003', 'trainer.json'), '[');
    const skipped: string[] = [];
    const loaded = await loadNewestCheckpoint(run, { onSkip: ({ dir }) => void skipped.push(dir) });
    expect(loaded.step).toBe(2);
    expect(skipped).toEqual([join(run, 'latest'), join(run, 'step-000003')]);
    await expect(loadNewestCheckpoint(join(run, 'missing'))).rejects.toThrow(/no checkpoint at/);
  });
});
