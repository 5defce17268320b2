import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '@tensorloom/textgen';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type Command } from './cli.js';
import { gnnTrainCommand } from './commands/gnn-train.js';
import { seqTrainCommand } from './commands/seq-train.js';
import { textgenEvalCommand } from './commands/textgen-eval.js';
import { textgenSampleCommand } from './commands/textgen-sample.js';
import { textgenTrainCommand } from './commands/textgen-train.js';
import { capture, tempDirs } from './test-support.js';

const tempDir = tempDirs('non-finite-');
const commands: Command[] = [textgenTrainCommand, textgenEvalCommand, textgenSampleCommand, seqTrainCommand, gnnTrainCommand];

async function cli(...argv: string[]) {
  const c = capture();
  const code = await runCli(argv, commands, c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

let corpus: string;
beforeAll(() => {
  corpus = join(tempDir(), 'tale.txt');
  writeFileSync(corpus, 'The little tailor sat by the window and sewed. '.repeat(40));
});

const tiny = () => ['--corpus', corpus, '--embedding', '4', '--hidden', '8', '--layers', '1', '--batch', '4', '--seq', '8'];
/** What sends the weights to ±1e38 at step 1 and the loss to NaN at step 2. */
const diverging = ['--lr', '1e38', '--clip', 'none', '--checkpoint-every', '1', '--samples', '0', '--eval-every', '0'];
const stepDirs = (out: string) => readdirSync(out).filter((name) => name.startsWith('step-'));

describe('training on NaN: --on-non-finite', () => {
  it('textgen train --lr 1e38 --clip none stops with exit 1 at the NaN, naming the step, and keeps the last checkpoint', async () => {
    const out = join(tempDir(), 'run');
    const { code, stderr } = await cli('textgen', 'train', ...tiny(), ...diverging, '--steps', '6', '--out', out);
    expect(code).toBe(1);
    expect(stderr).toContain('textgen train: error: Trainer: step 2: the loss is NaN; training stopped');
    expect(stderr).toContain(`the last good checkpoint at ${join(out, 'latest')} (step 1) was kept`);
    expect(stderr).toContain('--on-non-finite skip or halve-lr');
    expect(stepDirs(out)).toEqual(['step-000001']);
    expect(JSON.parse(readFileSync(join(out, 'latest', 'config.json'), 'utf8')).step).toBe(1);
    expect(existsSync(join(out, 'result.json'))).toBe(false);

    // That checkpoint's weights are finite (±1e38) but overflow: eval and sample refuse it, exit 1.
    const evaluation = await cli('textgen', 'eval', '--checkpoint', out, '--corpus', corpus);
    expect(evaluation.code).toBe(1);
    expect(evaluation.stderr).toMatch(
      /textgen eval: error: evaluate: the model's output is NaN as the loss although its weights are finite/,
    );
    const sample = await cli('textgen', 'sample', '--checkpoint', out, '--length', '5');
    expect(sample.code).toBe(1);
    expect(sample.stderr).toMatch(
      /textgen sample: error: generate: the model's output is (NaN|-?Infinity) at character 1 although its weights are finite/,
    );
    expect(sample.stdout).toBe('');
  });

  it('--on-non-finite skip goes on, warning at each skipped update; halve-lr halves the rate, saved in the checkpoint', async () => {
    const skipOut = join(tempDir(), 'skip');
    const skip = await cli('textgen', 'train', ...tiny(), ...diverging, '--steps', '4', '--out', skipOut, '--on-non-finite', 'skip');
    expect(skip.code).toBe(0);
    expect(skip.stderr.match(/warning: Trainer: step \d: the loss is NaN; skipped the update/g)).toHaveLength(3);

    const halveOut = join(tempDir(), 'halve');
    const halve = await cli('textgen', 'train', ...tiny(), ...diverging, '--steps', '4', '--out', halveOut, '--on-non-finite', 'halve-lr');
    expect(halve.code).toBe(0);
    expect(halve.stderr).toContain('skipped the update and halved the learning rate to 1.25e+37 (3 of at most 20 halvings in a row)');
    const latest = await loadCheckpoint(halveOut);
    expect(latest.trainerState!.optimizer.paramGroups[0]!.lr).toBe(1e38 / 8);
    // A resumed run keeps the run's --on-non-finite (run.json) and the halved rate (the count in a row starts anew).
    const resumed = await cli('textgen', 'train', '--resume', halveOut, '--steps', '5');
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('halved the learning rate to 6.25e+36 (1 of at most 20');
  });

  it('refuses an unknown --on-non-finite with exit 2', async () => {
    const { code, stderr } = await cli('textgen', 'train', ...tiny(), '--on-non-finite', 'retry', '--steps', '1');
    expect(code).toBe(2);
    expect(stderr).toContain('--on-non-finite must be one of stop, skip, halve-lr');
  });

  it('textgen eval and sample refuse a checkpoint whose weights hold NaN, naming the parameter and the checkpoint', async () => {
    const out = join(tempDir(), 'good');
    expect((await cli('textgen', 'train', ...tiny(), '--steps', '1', '--samples', '0', '--out', out)).code).toBe(0);
    const loaded = await loadCheckpoint(out);
    loaded.model.namedParameters().find(([name]) => name === 'linear.bias')![1].data[2] = NaN;
    const poisoned = join(tempDir(), 'poisoned');
    await saveCheckpoint(poisoned, { model: loaded.model, tokenizer: loaded.tokenizer, step: 1, allowNonFinite: true });
    for (const argv of [
      ['textgen', 'eval', '--checkpoint', poisoned, '--corpus', corpus],
      ['textgen', 'sample', '--checkpoint', poisoned, '--stream'],
    ]) {
      const { code, stderr, stdout } = await cli(...argv);
      expect(code).toBe(1);
      expect(stderr).toContain(`the model's weights are not finite: 'linear.bias' holds NaN (element 2) in the checkpoint ${poisoned}`);
      expect(stdout).toBe('');
    }
  });

  it('seq train and gnn train with a huge learning rate exit 1 naming the step', async () => {
    const seq = await cli(
      'seq',
      'train',
      '--task',
      'random-combination',
      '--length',
      '3',
      '--hidden',
      '8',
      '--embedding',
      '4',
      '--batch',
      '8',
      '--lr',
      '1e38',
      '--steps',
      '5',
      '--eval-every',
      '5',
      '--final-eval',
      '16',
      '--eval-batch',
      '16',
      '--seeds',
      '0',
      '--out',
      tempDir(),
    );
    expect(seq.code).toBe(1);
    expect(seq.stderr).toContain(
      'seq train: error: seed 0: trainSequenceTask: step 2: the loss is NaN; training stopped; no files were written',
    );
    const gnn = await cli('gnn', 'train', '--dataset', 'karate', '--lr', '1e38', '--weight-decay', '0', '--epochs', '5', '--seeds', '0');
    expect(gnn.code).toBe(1);
    expect(gnn.stderr).toMatch(/gnn train: error: seed 0: trainNodeClassifier: epoch \d: .*; training stopped; no files were written\./);
    expect(gnn.stderr).toContain('To go on: lower --lr, or pass --on-non-finite skip or halve-lr');
    const skipped = await cli(
      'gnn',
      'train',
      '--dataset',
      'karate',
      '--lr',
      '1e38',
      '--weight-decay',
      '0',
      '--epochs',
      '5',
      '--seeds',
      '0',
      '--on-non-finite',
      'skip',
      '--json',
    );
    expect(skipped.code).toBe(0);
    const run = JSON.parse(skipped.stdout.trim().split('\n').at(-1)!).runs[0];
    expect(run.skippedEpochs).toBeGreaterThan(0);
    expect(run.lrHalvings).toBe(0);
    expect(skipped.stderr).toMatch(/warning: trainNodeClassifier: epoch 2: .*; skipped the update/);
  });
});
