import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator } from '@tensorloom/core-tensor';
import { LSTM, PeepholeLSTM } from '@tensorloom/lstm';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { buildRecurrentLayer, meanStd, seqTrainCommand } from './seq-train.js';
import { capture, tempDirs } from '../test-support.js';

const tempDir = tempDirs('seq-train-');

const tiny = [
  '--task',
  'random-combination',
  '--length',
  '3',
  '--model',
  'gru',
  '--hidden',
  '16',
  '--embedding',
  '8',
  '--batch',
  '32',
  '--lr',
  '0.01',
  '--steps',
  '150',
  '--eval-every',
  '50',
  '--final-eval',
  '1024',
];

describe('tensorloom seq train', () => {
  it('reaches 100% on random combinations at L = 3 for every seed and saves the curves', async () => {
    const out = tempDir();
    const c = capture();
    expect(await runCli(['seq', 'train', ...tiny, '--seeds', '0,1', '--out', out, '--json'], [seqTrainCommand], c.io)).toBe(0);
    const lines = c.stdout().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!);
    expect(result).toMatchObject({
      task: 'random-combination',
      model: 'gru',
      length: 3,
      inputLength: 2,
      seeds: [0, 1],
      hidden: 16,
      lr: 0.01,
    });
    expect(result.accuracy).toEqual({ mean: 1, std: 0, perSeed: [1, 1] });
    expect(result.runs).toHaveLength(2);
    const csv = readFileSync(join(out, 'curves.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe('seed,step,loss,train_accuracy,eval_accuracy');
    expect(csv).toHaveLength(1 + 2 * 4); // steps 0, 50, 100, 150 per seed
    expect(csv[1]!.startsWith('0,0,')).toBe(true);
    expect(readFileSync(join(out, 'accuracy.svg'), 'utf8')).toContain('seed 1');
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).accuracy.mean).toBe(1);
    expect(c.stderr()).toContain('seed 0');
  });

  it('prints each seed and the mean ± std for people, with progress on stderr', async () => {
    const out = tempDir();
    const c = capture();
    expect(await runCli(['seq', 'train', ...tiny, '--seeds', '3', '--stop-at', '1', '--out', out], [seqTrainCommand], c.io)).toBe(0);
    expect(c.stdout()).toMatch(/seed 3: accuracy 100\.00%/);
    expect(c.stdout()).toMatch(/accuracy: 100\.00% ± 0\.00% \(mean ± std over 1 seed\)/);
    expect(c.stderr()).toContain('random-combination L=3');
    expect(c.stderr()).toContain('stopped');
    expect(existsSync(join(out, 'curves.csv'))).toBe(true);
  });

  it('exits 2 naming the flag on a bad task, model, length or seed list', async () => {
    const cases: [string[], string][] = [
      [['--task', 'parity'], '--task'],
      [['--model', 'transformer'], '--model'],
      [['--task', 'random-combination', '--length', '1'], '--length'],
      [['--task', 'baum-sweet', '--length', '16'], '--length'],
      [['--seeds', '0,x'], '--seeds'],
      [['--seeds', '1,1'], '--seeds'],
      [['--stop-at', '2'], '--stop-at'],
      [['--clip', '0'], '--clip'],
    ];
    for (const [args, flag] of cases) {
      const c = capture();
      expect(await runCli(['seq', 'train', ...args], [seqTrainCommand], c.io), args.join(' ')).toBe(2);
      expect(c.stderr()).toContain(flag);
      expect(c.stderr().trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('documents its options and the per-task defaults in --help', async () => {
    const c = capture();
    expect(await runCli(['seq', 'train', '--help'], [seqTrainCommand], c.io)).toBe(0);
    for (const flag of [
      '--task',
      '--model',
      '--length',
      '--seeds',
      '--steps',
      '--batch',
      '--hidden',
      '--embedding',
      '--lr',
      '--clip',
      '--eval-every',
      '--out',
      '--json',
    ]) {
      expect(c.stdout()).toContain(flag);
    }
    expect(c.stdout()).toContain('baum-sweet');
  });
});

describe('buildRecurrentLayer', () => {
  it('builds each model as a batch-first Kaiming-normal layer; bilstm is a bidirectional LSTM', () => {
    const options = { inputSize: 4, hiddenSize: 8, numLayers: 1, generator: new Generator(0) };
    const bilstm = buildRecurrentLayer('bilstm', options);
    expect(bilstm).toBeInstanceOf(LSTM);
    expect(bilstm.bidirectional).toBe(true);
    expect(buildRecurrentLayer('peephole-lstm', options)).toBeInstanceOf(PeepholeLSTM);
    for (const model of ['rnn', 'lstm', 'gru', 'bilstm', 'peephole-lstm'] as const) {
      const layer = buildRecurrentLayer(model, options);
      expect(layer.batchFirst).toBe(true);
      expect(layer.init).toBe('kaimingNormal');
    }
  });
});

describe('meanStd', () => {
  it("is numpy's mean and population std", () => {
    expect(meanStd([1, 1, 1])).toEqual({ mean: 1, std: 0 });
    const { mean, std } = meanStd([0.9, 1, 0.8]);
    expect(mean).toBeCloseTo(0.9, 12);
    expect(std).toBeCloseTo(Math.sqrt(0.02 / 3), 12);
  });
});
