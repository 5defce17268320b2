import { Generator } from '@tensorloom/core-tensor';
import { CharTokenizer, type TrainProgress } from '@tensorloom/textgen';
import { describe, expect, it } from 'vitest';
import {
  EMBEDDED_CORPORA,
  TrainingProgressLine,
  distinctFirstCharacters,
  formatSeconds,
  inverseTemperatureLabel,
  readCorpus,
} from './textgen-common.js';

describe('formatSeconds', () => {
  it('rounds once, so minutes never show 60 seconds', () => {
    expect(formatSeconds(42)).toBe('42.0s');
    expect(formatSeconds(539.6)).toBe('9m00s');
    expect(formatSeconds(125)).toBe('2m05s');
    expect(formatSeconds(3725)).toBe('1h02m');
    expect(formatSeconds(NaN)).toBe('?');
  });
});

describe('distinctFirstCharacters', () => {
  it('draws different vocabulary characters, reproducibly', () => {
    const tokenizer = CharTokenizer.fromText('abcdefgh', { unknown: 'token' });
    const a = distinctFirstCharacters(tokenizer, 5, new Generator(1));
    expect(new Set(a).size).toBe(5);
    expect(a.every((c) => 'abcdefgh'.includes(c))).toBe(true);
    expect(distinctFirstCharacters(tokenizer, 5, new Generator(1))).toEqual(a);
    expect(distinctFirstCharacters(tokenizer, 20, new Generator(1))).toHaveLength(8);
  });
});

describe('inverseTemperatureLabel', () => {
  it("names the sheet's τ and the dividing temperature it equals", () => {
    expect(inverseTemperatureLabel(2)).toBe(
      "τ = 2 (the sheet's inverse temperature: softmax(2·logits), = temperature 0.5 in the dividing convention)",
    );
  });
});

const progressAt = (step: number, totalSteps: number | undefined): TrainProgress => ({
  step,
  loss: 1.5,
  accuracy: 0.5,
  bitsPerChar: 1.5 / Math.LN2,
  gradNorm: 1,
  lr: 0.002,
  epoch: 0.1,
  totalSteps,
  charsPerSecond: 12345,
  stepsPerSecond: 6,
  elapsedSeconds: step / 6,
  etaSeconds: 10,
});

describe('TrainingProgressLine', () => {
  it('logs a line per 5 % of the run when stderr is not a terminal', () => {
    const lines: string[] = [];
    const progress = new TrainingProgressLine({ write: (s) => lines.push(s) });
    for (let step = 1; step <= 100; step++) progress.update(progressAt(step, 100), step / 100, { 'val bpc': '2.000' });
    expect(lines).toHaveLength(20);
    expect(lines[0]).toBe(
      'train   5%  step 5/100  ETA 10.0s  loss 1.500  acc 50.0%  bpc 2.16  12,345 chars/s  val bpc 2.000  elapsed 0.8s\n',
    );
  });

  it('redraws one line on a terminal and clears it before other output', () => {
    const writes: string[] = [];
    const progress = new TrainingProgressLine({ write: (s) => writes.push(s), isTTY: true });
    progress.update(progressAt(50, undefined), 0.5, {});
    expect(writes[0]).toMatch(/^\rtrain █{10}░{10} {2}50% {2}step 50 {2}ETA/);
    progress.log('validation');
    expect(writes.slice(1)).toEqual(['\r\x1b[K', 'validation\n']);
  });
});

describe('readCorpus', () => {
  it("reads the embedded books by name: Moby-Dick, tiny-shakespeare and Grimm's fairy tales", async () => {
    expect(EMBEDDED_CORPORA).toEqual(['moby-dick', 'tiny-shakespeare', 'grimms-fairy-tales']);
    expect((await readCorpus('tiny-shakespeare', 'utf-8')).slice(0, 14)).toBe('First Citizen:');
    expect((await readCorpus('grimms-fairy-tales', 'utf-8')).length).toBe(540_240);
    expect((await readCorpus('moby-dick', 'utf-8')).length).toBeGreaterThan(1_000_000);
  });

  it('names the embedded books when a file is missing', async () => {
    await expect(readCorpus('no-such-book.txt', 'utf-8')).rejects.toThrow(/moby-dick, tiny-shakespeare, grimms-fairy-tales/);
  });
});
