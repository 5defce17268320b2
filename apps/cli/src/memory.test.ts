import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError, runCli } from './cli.js';
import { commands } from './commands/index.js';
import { checkMemory, formatBytes } from './memory.js';
import { capture, tempDirs } from './test-support.js';

const tempDir = tempDirs('memory-');

describe('checkMemory', () => {
  const limits = { bytes: 1e9, arrayBytes: 4e8 };

  it('passes what fits and returns the bytes', () => {
    expect(checkMemory('training', [{ what: 'activations', flags: ['--batch 8'], elements: 1e6 }], limits)).toBe(4e6);
  });

  it('names the largest part’s flags and the memory needed when the total does not fit', () => {
    const terms = [
      { what: 'parameters', flags: ['--hidden 64'], elements: 1e5 },
      { what: 'activations', flags: ['--batch 100000', '--seq 100'], elements: 3e8, largestTensor: 1e7 },
    ];
    expect(() => checkMemory('training', terms, limits)).toThrow(UsageError);
    expect(() => checkMemory('training', terms, limits)).toThrow(/^--batch 100000 × --seq 100: training would need about 1\.2 GB/);
  });

  it('refuses one tensor larger than a typed array can hold even when the machine could hold it', () => {
    const terms = [{ what: 'parameters', flags: ['--hidden 100000'], elements: 1.2e8, largestTensor: 1.1e8 }];
    expect(() => checkMemory('training', terms, limits)).toThrow(/one tensor of the parameters would take 440 MB, more than the 400 MB/);
  });

  it('formats bytes for people', () => {
    expect([formatBytes(512), formatBytes(6.8e9), formatBytes(1.6e13)]).toEqual(['512 bytes', '6.8 GB', '16 TB']);
  });
});

describe('size flags are checked before anything is allocated (exit 2, the flag and the memory named)', () => {
  const run = async (args: string[]) => {
    const c = capture();
    const code = await runCli(args, commands, c.io);
    return { code, stderr: c.stderr() };
  };
  let checkpoint = '';
  beforeAll(async () => {
    checkpoint = join(tempDir(), 'run');
    const c = capture();
    const args = ['textgen', 'train', '--corpus', corpus(), '--steps', '1', '--hidden', '8', '--embedding', '4', '--samples', '0'];
    expect(await runCli([...args, '--out', checkpoint], commands, c.io)).toBe(0);
  });
  function corpus() {
    const file = join(tempDir(), 'c.txt');
    writeFileSync(file, 'the wolf ran into the wood. '.repeat(40));
    return file;
  }

  it.each([
    [
      ['textgen', 'train', '--batch', '100000000', '--steps', '1'],
      /^.*--batch 100000000 × --seq \d+ × --hidden \d+ × --layers \d+: training would need about [\d.]+ [TP]B/m,
    ],
    [
      ['textgen', 'train', '--hidden', '100000000', '--steps', '1'],
      /--hidden 100000000 × --embedding \d+ × --layers \d+: training would need about [\d.]+ EB/,
    ],
    [['seq', 'train', '--hidden', '100000000', '--seeds', '0'], /--hidden 100000000.*(one tensor|would need)/],
    [
      ['seq', 'train', '--task', 'palindrome', '--batch', '100000000', '--seeds', '0'],
      /--batch 100000000 × --length \d+ \(\d+ steps\).*would need about/,
    ],
    [['rnn', 'gradients', '--length', '1000000000'], /--length 1000000000.*: the gradient measurement would need about/],
    [['gnn', 'train', '--dataset', 'karate', '--hidden', '100000000', '--seeds', '0'], /--hidden 100000000.*(one tensor|would need about)/],
    [['textgen', 'train', '--layers', '1000000000000', '--steps', '1'], /--layers 1000000000000: training would need about [\d.]+ EB/],
    [['demo', '--hidden', '100000000'], /--hidden 100000000 × --embedding 64 × --layers 1: the demo would need about/],
    [
      ['textgen', 'eval', '--checkpoint', 'RUN', '--batch', '1000000000'],
      /--batch 1000000000 × T \d+ × hidden \d+: evaluation would need about/,
    ],
  ])('%j', async (args, message) => {
    const withCorpus =
      args[1] === 'train' && args[0] === 'textgen'
        ? [...args, '--corpus', corpus(), '--out', join(tempDir(), 'run')]
        : args[1] === 'eval'
          ? [...args.map((a) => (a === 'RUN' ? checkpoint : a)), '--corpus', corpus()]
          : args;
    const r = await run(withCorpus);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });
});
