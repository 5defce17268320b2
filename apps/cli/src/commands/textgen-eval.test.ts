import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CharTokenizer } from '@tensorloom/textgen';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { countUnknownCharacters, dropUnknownCharacters, textgenEvalCommand } from './textgen-eval.js';
import { textgenTrainCommand } from './textgen-train.js';
import { capture } from '../test-support.js';

let root: string;
let corpus: string;
let trained: { valLoss: number; valAccuracy: number; valBitsPerChar: number };
const run = join(tmpdir(), 'unused');

const evaluate = async (args: string[]) => {
  const c = capture();
  const code = await runCli(['textgen', 'eval', '--checkpoint', join(root, 'run'), ...args], [textgenEvalCommand], c.io);
  return { code, ...c };
};

const GUTENBERG_HEADER = 'The Project Gutenberg EBook of Tales\n\n*** START OF THIS PROJECT GUTENBERG EBOOK TALES ***\n\n';
const GUTENBERG_FOOTER =
  '\n\nEnd of Project Gutenberg’s Tales\n\n*** END OF THIS PROJECT GUTENBERG EBOOK TALES ***\n\nLICENSE: WWW.GUTENBERG.ORG {$@}';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'textgen-eval-'));
  corpus = join(root, 'tales.txt');
  const body = Array.from(
    { length: 40 },
    (_, i) => ['Once upon a time there was a king.', 'The wolf ran into the wood.', 'She spun gold.'][i % 3],
  ).join('\n');
  writeFileSync(corpus, GUTENBERG_HEADER + body + GUTENBERG_FOOTER);
  const c = capture();
  const args = [
    'textgen',
    'train',
    '--corpus',
    corpus,
    '--embedding',
    '8',
    '--hidden',
    '16',
    '--layers',
    '1',
    '--batch',
    '8',
    '--seq',
    '10',
    '--steps',
    '4',
    '--samples',
    '0',
    '--out',
    join(root, 'run'),
    '--json',
  ];
  expect(await runCli(args, [textgenTrainCommand], c.io)).toBe(0);
  trained = c.json();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('tensorloom textgen eval', () => {
  it("reproduces the training run's final validation on --split validation", async () => {
    const r = await evaluate(['--corpus', corpus, '--split', 'validation', '--json']);
    expect(r.code).toBe(0);
    const result = r.json();
    expect(result.loss).toBe(trained.valLoss);
    expect(result.accuracy).toBe(trained.valAccuracy);
    expect(result.bitsPerChar).toBe(trained.valBitsPerChar);
    expect(result).toMatchObject({ split: 'validation', validationFraction: 0.1, step: 4, droppedCharacters: 0 });
    // The Gutenberg header and licence were left out in training, so they are here too.
    expect(r.stderr()).toContain('left out the Project Gutenberg header');
    const vocab = JSON.parse(readFileSync(join(root, 'run', 'latest', 'vocab.json'), 'utf8')).chars;
    expect(vocab).not.toContain('{'); // only the licence has braces
    expect(JSON.parse(readFileSync(join(root, 'run', 'latest', 'config.json'), 'utf8')).metadata).toMatchObject({
      corpus,
      keepGutenberg: false,
    });
  });

  it('reports loss, accuracy and bits per character (loss / ln 2) on a whole text', async () => {
    const r = await evaluate(['--corpus', corpus, '--json']);
    expect(r.code).toBe(0);
    const result = r.json();
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['loss', 'accuracy', 'bitsPerChar', 'perplexity', 'characters']));
    expect(result.bitsPerChar).toBeCloseTo(result.loss / Math.LN2, 12);
    expect(result.accuracy).toBeGreaterThanOrEqual(0);
    expect(result.accuracy).toBeLessThanOrEqual(1);
    const people = await evaluate(['--corpus', corpus]);
    expect(people.stdout()).toMatch(/^loss \d\.\d{4} nats\/char {2}accuracy \d+\.\d% {2}\d\.\d{3} bits\/char/);
  });

  it('with --carry-state, reads the text as contiguous streams: a different pass, still loss / ln 2 in bits', async () => {
    const windows = (await evaluate(['--corpus', corpus, '--batch', '4', '--json'])).json();
    const r = await evaluate(['--corpus', corpus, '--batch', '4', '--carry-state', '--json']);
    expect(r.code).toBe(0);
    const carried = r.json();
    expect(carried.bitsPerChar).toBeCloseTo(carried.loss / Math.LN2, 12);
    expect(carried.loss).not.toBeCloseTo(windows.loss, 6);
  });

  it('stops with a clear error on characters outside the vocabulary, or leaves them out with --unknown skip', async () => {
    const other = join(root, 'other.txt');
    writeFileSync(other, 'Once upon a time there was a king.\nThe wolf ran into the wood. Zürich!\n'.repeat(3));
    const refused = await evaluate(['--corpus', other]);
    expect(refused.code).toBe(1);
    expect(refused.stderr()).toMatch(
      /has the character 'Z' \(U\+005A\) at offset 63 \(line 2\), which is not in the model's vocabulary; pass --unknown skip/,
    );
    const skipped = await evaluate(['--corpus', other, '--unknown', 'skip', '--json']);
    expect(skipped.code).toBe(0);
    expect(skipped.json().droppedCharacters).toBe(3 * 3); // Z, ü and ! in each of three copies
  });

  it('reads unknown characters as <unk> with a checkpoint trained with --unknown-token', async () => {
    const c = capture();
    const out = join(root, 'unk-run');
    const args = [
      'textgen',
      'train',
      '--corpus',
      corpus,
      '--unknown-token',
      '--embedding',
      '8',
      '--hidden',
      '16',
      '--layers',
      '1',
      '--batch',
      '8',
      '--seq',
      '10',
      '--steps',
      '2',
      '--samples',
      '0',
      '--out',
      out,
    ];
    expect(await runCli(args, [textgenTrainCommand], c.io)).toBe(0);
    const other = join(root, 'other-unk.txt');
    writeFileSync(other, 'Once upon a time there was a king.\nThe wolf ran into the wood. Zürich!\n'.repeat(3));
    const e = capture();
    expect(await runCli(['textgen', 'eval', '--checkpoint', out, '--corpus', other, '--json'], [textgenEvalCommand], e.io)).toBe(0);
    expect(e.json()).toMatchObject({ unknownAsToken: 9, droppedCharacters: 0 });
    expect(e.stderr()).toContain('9 outside the vocabulary read as <unk>');
  });

  it('exits 1 on a missing or undecodable corpus, 2 naming the flag on bad usage', async () => {
    expect((await evaluate(['--corpus', join(root, 'missing.txt')])).code).toBe(1);
    const latin1 = join(root, 'latin1.txt');
    writeFileSync(latin1, Buffer.from('Once upon a time \xe9', 'latin1'));
    const bad = await evaluate(['--corpus', latin1]);
    expect(bad.code).toBe(1);
    expect(bad.stderr()).toContain('--encoding latin1');
    const cases: [string[], string][] = [
      [[], '--corpus'],
      [['--corpus', corpus, '--split', 'test'], '--split'],
      [['--corpus', corpus, '--unknown', 'ignore'], '--unknown'],
      [['--corpus', corpus, '--val-fraction', '0.2'], '--val-fraction'],
      [['--corpus', corpus, '--split', 'validation', '--val-fraction', '1'], '--val-fraction'],
      [['--corpus', corpus, '--encoding', 'ebcdic-9'], '--encoding'],
    ];
    for (const [args, flag] of cases) {
      const r = await evaluate(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr()).toContain(flag);
    }
    const c = capture();
    expect(await runCli(['textgen', 'eval', '--checkpoint', run, '--corpus', corpus], [textgenEvalCommand], c.io)).toBe(2);
    expect(c.stderr()).toContain('--checkpoint');
  });
});

describe('dropUnknownCharacters', () => {
  it('removes what the vocabulary lacks, counting code points', () => {
    const tokenizer = CharTokenizer.fromText('abc');
    expect(dropUnknownCharacters('a😀bxc', tokenizer)).toEqual({ text: 'abc', dropped: 2 });
    expect(countUnknownCharacters('a😀bxc', CharTokenizer.fromText('abc', { unknown: 'token' }))).toBe(2);
    expect(countUnknownCharacters('', tokenizer)).toBe(0);
  });
});
