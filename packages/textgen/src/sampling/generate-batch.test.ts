import { Generator, ValueError, logSoftmax, tensor } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { bigramModel } from '../../test/bigram-model.js';
import { TextGenerationModel } from '../model.js';
import { CharTokenizer } from '../tokenizer.js';
import { generate } from './generate.js';
import { generateBatch } from './generate-batch.js';

const tokenizer = CharTokenizer.fromText('abcdefghij ');
const randomModel = (seed: number) =>
  new TextGenerationModel({ vocabSize: tokenizer.vocabSize, embeddingDim: 6, hiddenSize: 12, generator: new Generator(seed) });

/** log p(text[from:] | text[:from]) under one forward pass of the model over the whole text. */
function forwardLogProb(model: TextGenerationModel, text: string, from: number): number {
  const ids = tokenizer.encode(text);
  const { logits } = model.eval().call(tensor(ids, { shape: [1, ids.length], dtype: 'int32' }));
  const logp = logSoftmax(logits.reshape([ids.length, -1]).to('float64'), 1).data;
  let sum = 0;
  for (let t = from; t < ids.length; t++) sum += logp[(t - 1) * tokenizer.vocabSize + ids[t]!]!;
  return sum;
}

describe('generateBatch', () => {
  it('with one row is generate, draw for draw', () => {
    const model = randomModel(1);
    for (const sampling of [
      { strategy: 'temperature', temperature: 1.3 },
      { strategy: 'top-k', k: 3, inverseTemperature: 2 },
      { strategy: 'top-p', p: 0.8 },
    ] as const) {
      const [row] = generateBatch(model, tokenizer, { batchSize: 1, length: 30, sampling, generator: new Generator(4) });
      const single = generate(model, tokenizer, { length: 30, sampling, generator: new Generator(4) });
      expect(row!.text).toBe(single.text);
      expect(row!.tokens).toEqual(single.tokens);
      expect(row!.logProb).toBeCloseTo(single.logProb, 10);
    }
  });

  it('greedy from one prompt gives every row generate’s greedy text', () => {
    const model = randomModel(2);
    const rows = generateBatch(model, tokenizer, { batchSize: 5, prompt: 'bad', length: 15 });
    const single = generate(model, tokenizer, { prompt: 'bad', length: 15 });
    expect(rows.map((r) => r.text)).toEqual(new Array(5).fill(single.text));
  });

  it('carries each row’s own state: every row’s log-probability is the model’s on that row’s text', () => {
    const model = randomModel(3);
    const prompts = ['ab', 'ja', 'c ', 'ee'];
    const rows = generateBatch(model, tokenizer, {
      batchSize: 4,
      prompt: prompts,
      length: 25,
      sampling: { strategy: 'temperature', temperature: 1 },
      generator: new Generator(5),
    });
    expect(new Set(rows.map((r) => r.completion)).size).toBeGreaterThan(1);
    rows.forEach((row, r) => {
      expect(row.prompt).toBe(prompts[r]);
      expect(row.text).toBe(prompts[r]! + row.completion);
      expect(tokenizer.encode(row.completion)).toEqual(Int32Array.from(row.tokens));
      expect(row.logProb).toBeCloseTo(forwardLogProb(model, row.text, 2), 3);
    });
    expect(model.training).toBe(false); // forwardLogProb set eval; generateBatch leaves the mode alone
  });

  it('draws each row from the model’s distribution: a bigram model after "a" gives b 60 % over 64 rows', () => {
    const { model, tokenizer: chars } = bigramModel(
      ['a', 'b', 'c'],
      [
        [0, 0.6, 0.4],
        [1, 0, 0],
        [1, 0, 0],
      ],
    );
    const generator = new Generator(6);
    let b = 0;
    let n = 0;
    for (let i = 0; i < 20; i++) {
      for (const row of generateBatch(model, chars, {
        batchSize: 64,
        prompt: 'a',
        length: 2,
        sampling: { strategy: 'temperature' },
        generator,
      })) {
        n++;
        if (row.completion[0] === 'b') b++;
        expect(row.completion[1]).toBe('a');
      }
    }
    expect(Math.abs(b / n - 0.6)).toBeLessThan(4 * Math.sqrt((0.6 * 0.4) / n));
  });

  it('starts each row from its own random character without a prompt, and refuses bad options with ValueError', () => {
    const model = randomModel(4);
    const rows = generateBatch(model, tokenizer, {
      batchSize: 30,
      length: 3,
      sampling: { strategy: 'temperature' },
      generator: new Generator(1),
    });
    expect(rows).toHaveLength(30);
    expect(new Set(rows.map((r) => r.prompt)).size).toBeGreaterThan(5);
    expect(rows.every((r) => r.prompt.length === 1 && r.completion.length === 3)).toBe(true);
    expect(generateBatch(model, tokenizer, { batchSize: 2, prompt: 'a', length: 0 }).map((r) => r.text)).toEqual(['a', 'a']);
    expect(() => generateBatch(model, tokenizer, { batchSize: 0 })).toThrow(ValueError);
    expect(() => generateBatch(model, tokenizer, { batchSize: 2, prompt: ['ab', 'c'] })).toThrow(/one length/);
    expect(() => generateBatch(model, tokenizer, { batchSize: 2, prompt: ['ab'] })).toThrow(ValueError);
    expect(() => generateBatch(model, tokenizer, { batchSize: 2, sampling: { strategy: 'top-k', k: 0 } })).toThrow(ValueError);
  });
});
