import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { curvesCsv, parseLrDecay, textgenTrainCommand } from './textgen-train.js';
import { UsageError } from '../cli.js';
import { capture, tempDirs } from '../test-support.js';

const tempDir = tempDirs('textgen-train-');

const SENTENCES = [
  'The little tailor sat by the window.',
  'Once upon a time there lived a king.',
  'She spun the flax into gold.',
  'The wolf ran into the wood!',
];
let corpus: string;
beforeAll(() => {
  corpus = join(tempDir(), 'tales.txt');
  writeFileSync(corpus, Array.from({ length: 60 }, (_, i) => SENTENCES[(i * 7) % SENTENCES.length]).join('\n'));
});

const tiny = () => [
  '--corpus',
  corpus,
  '--embedding',
  '8',
  '--hidden',
  '16',
  '--batch',
  '8',
  '--seq',
  '10',
  '--eval-every',
  '3',
  '--checkpoint-every',
  '3',
  '--samples',
  '2',
  '--sample-length',
  '12',
];
const train = (args: string[]) => {
  const c = capture();
  return runCli(['textgen', 'train', ...args], [textgenTrainCommand], c.io).then((code) => ({ code, ...c }));
};

describe('tensorloom textgen train', () => {
  it('trains, validates, checkpoints per step and latest, and writes curves, plot, samples and result', async () => {
    const out = join(tempDir(), 'run');
    const { code, json, stderr } = await train([...tiny(), '--steps', '6', '--out', out, '--json']);
    expect(code).toBe(0);
    const result = json();
    expect(result).toMatchObject({
      corpus,
      steps: 6,
      stepsRun: 6,
      stoppedBy: 'steps',
      out,
      checkpoint: join(out, 'latest'),
      resumedFrom: null,
    });
    for (const key of [
      'trainLoss',
      'trainAccuracy',
      'trainBitsPerChar',
      'valLoss',
      'valAccuracy',
      'valBitsPerChar',
      'seconds',
      'charsPerSecond',
    ]) {
      expect(Number.isFinite(result[key]), key).toBe(true);
    }
    expect(result.valBitsPerChar).toBeCloseTo(result.valLoss / Math.LN2, 12);
    expect(result.validations.map((v: { step: number }) => v.step)).toEqual([3, 6]);
    expect(result.settings).toMatchObject({
      hidden: 16,
      layers: 2,
      seq: 10,
      batch: 8,
      lr: 0.002,
      lrDecay: { gamma: 0.96, every: 5000 },
      clip: 5,
    });

    expect(readdirSync(out).sort()).toEqual([
      'curves.csv',
      'curves.svg',
      'latest',
      'result.json',
      'run.json',
      'samples.txt',
      'step-000003',
      'step-000006',
    ]);
    expect(JSON.parse(readFileSync(join(out, 'latest', 'config.json'), 'utf8')).step).toBe(6);
    const csv = readFileSync(join(out, 'curves.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe('step,train_loss,train_accuracy,train_bits_per_char,val_loss,val_accuracy,val_bits_per_char');
    expect(csv).toHaveLength(7);
    expect(csv[3]!.split(',')[4]).not.toBe(''); // step 3 has a validation
    expect(csv[1]!.split(',')[4]).toBe('');
    const svg = readFileSync(join(out, 'curves.svg'), 'utf8');
    for (const label of ['loss (nats/char)', 'accuracy', 'bits per character', 'validation']) expect(svg).toContain(label);

    // Samples after ⅓ (step 2), ⅔ (step 4) and all (step 6) of training: greedy, then the sheet's three τ.
    const samples = readFileSync(join(out, 'samples.txt'), 'utf8');
    expect(samples.match(/^== samples at step \d+/gm)).toEqual(['== samples at step 2', '== samples at step 4', '== samples at step 6']);
    expect(samples).toContain("τ = 0.5 (the sheet's inverse temperature: softmax(0.5·logits), = temperature 2 in the dividing convention)");
    expect(samples).toContain('τ = 2 (');
    expect(result.samples).toHaveLength(3);
    const greedy: string[] = result.samples[0].greedy;
    expect(greedy).toHaveLength(2);
    expect(new Set(greedy.map((s) => s[0])).size).toBe(2); // different first characters
    expect(greedy.every((s) => [...s].length === 13)).toBe(true);
    expect(result.samples[0].tempered.map((t: { inverseTemperature: number }) => t.inverseTemperature)).toEqual([0.5, 1, 2]);
    expect(stderr()).toContain('validation at step 3');
  });

  it('prints the samples and the final figures for people, progress on stderr', async () => {
    const out = join(tempDir(), 'run');
    const { code, stdout, stderr } = await train([...tiny(), '--steps', '3', '--out', out, '--eval-every', '0']);
    expect(code).toBe(0);
    expect(stdout()).toContain('greedy (the most likely character each step):');
    expect(stdout()).toMatch(/validation: +loss \d\.\d{4}/);
    expect(stderr()).toMatch(/train +\d+% {2}step \d\/3/);
    expect(stderr()).toContain('vocabulary');
  });

  it('resumes a run through --resume where the checkpoint stopped, as if never interrupted', async () => {
    const whole = join(tempDir(), 'whole');
    const split = join(tempDir(), 'split');
    const a = await train([...tiny(), '--steps', '8', '--out', whole, '--json']);
    const b1 = await train([...tiny(), '--steps', '5', '--out', split, '--json']);
    expect([a.code, b1.code]).toEqual([0, 0]);
    // Only the bounds may be given again: the corpus and settings come from the checkpoint.
    const b2 = await train(['--resume', split, '--steps', '8', '--eval-every', '3', '--checkpoint-every', '3', '--samples', '0', '--json']);
    expect(b2.code).toBe(0);
    const resumed = b2.json();
    expect(resumed).toMatchObject({ corpus, steps: 8, stepsRun: 3, resumedFrom: { dir: join(split, 'latest'), step: 5 }, out: split });
    expect(resumed.valLoss).toBe(a.json().valLoss);
    expect(resumed.trainLoss).toBe(a.json().trainLoss);
    expect(b2.stderr()).toContain('at step 5');
    const csv = readFileSync(join(split, 'curves.csv'), 'utf8').trimEnd().split('\n');
    expect(csv.slice(1).map((row) => Number(row.split(',')[0]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(existsSync(join(split, 'step-000008'))).toBe(true);
  });

  it('refuses a resumed run that changes the model or training settings, naming the flag', async () => {
    const out = join(tempDir(), 'run');
    expect((await train([...tiny(), '--steps', '2', '--out', out])).code).toBe(0);
    const r = await train(['--resume', out, '--steps', '4', '--hidden', '32']);
    expect(r.code).toBe(2);
    expect(r.stderr()).toContain('--hidden 32 differs from the checkpoint');
    const same = await train(['--resume', out, '--steps', '3', '--hidden', '16', '--samples', '0']);
    expect(same.code).toBe(0);
  });

  it('keeps only the newest --keep step checkpoints', async () => {
    const out = join(tempDir(), 'run');
    expect(
      (
        await train([
          ...tiny(),
          '--steps',
          '4',
          '--checkpoint-every',
          '1',
          '--keep',
          '2',
          '--samples',
          '0',
          '--eval-every',
          '0',
          '--out',
          out,
        ])
      ).code,
    ).toBe(0);
    expect(
      readdirSync(out)
        .filter((n) => n.startsWith('step-'))
        .sort(),
    ).toEqual(['step-000003', 'step-000004']);
  });

  it('exits 2 naming the flag on bad usage', async () => {
    const cases: [string[], string][] = [
      [['--steps', '0'], '--steps'],
      [['--lr-decay', '0.9every100'], '--lr-decay'],
      [['--dropout', '1'], '--dropout'],
      [['--val-fraction', '0.7'], '--val-fraction'],
      [['--encoding', 'klingon'], '--encoding'],
      [['--max-minutes', '-1'], '--max-minutes'],
      [['--hidden', 'lots'], '--hidden'],
      [['--resume', join(tmpdir(), 'no-such-textgen-run')], '--resume'],
    ];
    for (const [args, flag] of cases) {
      const r = await train(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr()).toContain(flag);
      expect(r.stderr().trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('exits 1 with a clear message for a missing corpus or one that is not UTF-8, and reads Latin-1 when told', async () => {
    const missing = await train(['--corpus', join(tmpdir(), 'no-such-book.txt'), '--steps', '1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr()).toMatch(/the corpus file '.*no-such-book\.txt' does not exist/);

    const latin1 = join(tempDir(), 'cafe.txt');
    writeFileSync(latin1, Buffer.from(`${'Un caf\xe9 et un th\xe9, merci. '.repeat(20)}`, 'latin1'));
    const bad = await train(['--corpus', latin1, '--steps', '1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr()).toMatch(/is not valid utf-8: byte 0xe9 at byte offset 6 .*--encoding latin1/);
    expect(bad.stderr().trimEnd().split('\n')).toHaveLength(1);

    const out = join(tempDir(), 'run');
    const good = await train([
      '--corpus',
      latin1,
      '--encoding',
      'latin1',
      ...tiny().slice(2),
      '--steps',
      '1',
      '--samples',
      '0',
      '--out',
      out,
      '--json',
    ]);
    expect(good.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'latest', 'vocab.json'), 'utf8')).chars).toContain('é');
  });

  it('documents its options, the files it writes and the temperature convention in --help', async () => {
    const c = capture();
    expect(await runCli(['textgen', 'train', '--help'], [textgenTrainCommand], c.io)).toBe(0);
    for (const flag of [
      '--corpus',
      '--encoding',
      '--lowercase',
      '--embedding',
      '--hidden',
      '--layers',
      '--seq',
      '--batch',
      '--lr',
      '--lr-decay',
      '--steps',
      '--epochs',
      '--max-minutes',
      '--clip',
      '--dropout',
      '--seed',
      '--val-fraction',
      '--eval-every',
      '--out',
      '--resume',
    ]) {
      expect(c.stdout()).toContain(flag);
    }
    expect(c.stdout()).toContain('INVERSE temperature');
    expect(c.stdout()).toContain('step-NNNNNN/');
  });
});

describe('parseLrDecay', () => {
  it('reads GAMMA@STEPS and none, and refuses anything else', () => {
    expect(parseLrDecay('0.96@5000')).toEqual({ gamma: 0.96, every: 5000 });
    expect(parseLrDecay('none')).toBeNull();
    for (const bad of ['0.96', '@5000', '0@10', '0.9@0', '-1@5']) expect(() => parseLrDecay(bad), bad).toThrow(UsageError);
  });
});

describe('curvesCsv', () => {
  it('writes one row per step, with validation figures only where there was a validation', () => {
    const csv = curvesCsv({
      train: [
        { step: 1, loss: 2, accuracy: 0.1 },
        { step: 2, loss: 1, accuracy: 0.5 },
      ],
      validation: [{ step: 2, epoch: 1, loss: 1.5, accuracy: 0.4, bitsPerChar: 1.5 / Math.LN2, perplexity: Math.exp(1.5), characters: 10 }],
    });
    const rows = csv.trimEnd().split('\n');
    expect(rows[1]).toBe(`1,2,0.1,${2 / Math.LN2},,,`);
    expect(rows[2]).toBe(`2,1,0.5,${1 / Math.LN2},1.5,0.4,${1.5 / Math.LN2}`);
  });
});
