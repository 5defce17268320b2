import { Generator, ValueError, argmax, tensor } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { bigramModel } from '../../test/bigram-model.js';
import { UnknownCharacterError } from '../errors.js';
import { TextGenerationModel } from '../model.js';
import { CharTokenizer } from '../tokenizer.js';
import { generate, streamGenerate } from './generate.js';

const tokenizer = CharTokenizer.fromText('abcdefghij ');
const randomModel = (seed: number) =>
  new TextGenerationModel({ vocabSize: tokenizer.vocabSize, embeddingDim: 6, hiddenSize: 12, generator: new Generator(seed) });

describe('generate', () => {
  it('greedy picks the argmax of the model at every step, conditioned on the prompt and all generated characters', () => {
    const model = randomModel(1);
    const result = generate(model, tokenizer, { prompt: 'bad cafe', length: 20 });
    expect(result.prompt).toBe('bad cafe');
    expect(result.completion).toHaveLength(20);
    expect(result.text).toBe(`bad cafe${result.completion}`);
    // One forward over the whole text: the prediction at each position is the next character.
    const ids = tokenizer.encode(result.text);
    const { logits } = model.eval().call(tensor(ids, { shape: [1, ids.length], dtype: 'int32' }));
    const predicted = argmax(logits.reshape([ids.length, -1]), 1).data;
    for (let t = 8; t < ids.length; t++) expect(predicted[t - 1]).toBe(ids[t]);
  });

  it('the same seed gives the same text, another seed another text', () => {
    const model = randomModel(2);
    const options = { length: 40, sampling: { strategy: 'temperature', temperature: 1.5 } as const };
    const a = generate(model, tokenizer, { ...options, generator: new Generator(7) });
    expect(generate(model, tokenizer, { ...options, generator: new Generator(7) }).text).toBe(a.text);
    expect(generate(model, tokenizer, { ...options, generator: new Generator(8) }).text).not.toBe(a.text);
  });

  it('starts from a random vocabulary character without a prompt, as the course does', () => {
    const model = randomModel(3);
    const starts = new Set<string>();
    const generator = new Generator(4);
    for (let i = 0; i < 30; i++) {
      const { prompt, completion, text } = generate(model, tokenizer, { length: 5, generator });
      expect(prompt).toHaveLength(1);
      expect(tokenizer.chars).toContain(prompt);
      expect(text).toBe(prompt + completion);
      starts.add(prompt);
    }
    expect(starts.size).toBeGreaterThan(5);
  });

  it('samples the model’s next-character distribution: a bigram model after "a" gives b 60 % and c 40 %', () => {
    const { model, tokenizer: chars } = bigramModel(
      ['a', 'b', 'c'],
      [
        [0, 0.6, 0.4],
        [1, 0, 0],
        [1, 0, 0],
      ],
    );
    const generator = new Generator(5);
    let b = 0;
    const n = 1500;
    for (let i = 0; i < n; i++)
      if (generate(model, chars, { prompt: 'a', length: 1, sampling: { strategy: 'temperature' }, generator }).completion === 'b') b++;
    expect(Math.abs(b / n - 0.6)).toBeLessThan(4 * Math.sqrt((0.6 * 0.4) / n));
    // logProb is the model's own log-probability of the completion.
    const greedy = generate(model, chars, { prompt: 'a', length: 2 });
    expect(greedy.completion).toBe('ba');
    expect(greedy.logProb).toBeCloseTo(Math.log(0.6), 6);
  });

  it('streams the same characters as generate, one at a time', async () => {
    const model = randomModel(6);
    const options = { prompt: 'hi', length: 25, sampling: { strategy: 'top-k', k: 3 } as const };
    const chars: string[] = [];
    for await (const char of streamGenerate(model, tokenizer, { ...options, generator: new Generator(9) })) chars.push(char);
    expect(chars).toHaveLength(25);
    expect(chars.join('')).toBe(generate(model, tokenizer, { ...options, generator: new Generator(9) }).completion);
  });

  it('leaves the model in the mode it found it', () => {
    const model = randomModel(7);
    generate(model, tokenizer, { length: 3 });
    expect(model.training).toBe(true);
    model.eval();
    generate(model, tokenizer, { length: 3 });
    expect(model.training).toBe(false);
  });

  it('throws typed errors for a bad length, prompt or tokenizer', () => {
    const model = randomModel(8);
    expect(() => generate(model, tokenizer, { length: -1 })).toThrow(ValueError);
    expect(() => generate(model, tokenizer, { prompt: '' })).toThrow(ValueError);
    expect(() => generate(model, tokenizer, { prompt: 'xyz' })).toThrow(UnknownCharacterError);
    expect(() => generate(model, CharTokenizer.fromText('ab'), {})).toThrow(ValueError);
    expect(() => generate(model, tokenizer, { sampling: { strategy: 'top-k', k: 0 } })).toThrow(ValueError);
    expect(generate(model, tokenizer, { prompt: 'a', length: 0 }).completion).toBe('');
  });
});
