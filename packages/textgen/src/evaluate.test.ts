import { ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { bigramModel } from '../test/bigram-model.js';
import { TextDataset } from './dataset.js';
import { evaluate } from './evaluate.js';

// A bigram model of 'a' → b (0.75) | c (0.25), b → a, c → a.
const { model, tokenizer } = bigramModel(['a', 'b', 'c'], [[0, 0.75, 0.25], [1, 0, 0], [1, 0, 0]]);

describe('evaluate', () => {
  it('is the mean −log p over every predicted character of the sequential pass, with accuracy and bits/char', () => {
    const text = 'abacabababacabab'; // 16 characters: T = 5 gives windows at 0, 5, 10 (15 targets)
    const data = TextDataset.fromText(text, tokenizer, { seqLength: 5 });
    const result = evaluate(model, data, { batchSize: 2 });
    // Targets text[1..15]: after each 'a' comes b or c; after b or c always a.
    let expected = 0;
    let correct = 0;
    for (let i = 1; i <= 15; i++) {
      const previous = text[i - 1]!;
      const next = text[i]!;
      const p = previous === 'a' ? (next === 'b' ? 0.75 : next === 'c' ? 0.25 : 0) : next === 'a' ? 1 : 0;
      expected -= Math.log(p);
      if ((previous === 'a' && next === 'b') || previous !== 'a') correct++;
    }
    expect(result.characters).toBe(15);
    expect(result.loss).toBeCloseTo(expected / 15, 6);
    expect(result.accuracy).toBeCloseTo(correct / 15, 12);
    expect(result.bitsPerChar).toBeCloseTo(result.loss / Math.LN2, 12);
    expect(result.perplexity).toBeCloseTo(Math.exp(result.loss), 10);
  });

  it('takes a string with its tokenizer and gives the same figures as the dataset', () => {
    const text = 'abababacabacababab';
    const fromText = evaluate(model, text, { tokenizer, seqLength: 4 });
    const fromData = evaluate(model, TextDataset.fromText(text, tokenizer, { seqLength: 4 }));
    expect(fromText).toEqual(fromData);
    expect(evaluate(model, TextDataset.fromText(text, tokenizer, { seqLength: 4 }), { batchSize: 1, maxBatches: 2 }).characters).toBe(8);
  });

  it('throws ValueError without a tokenizer for a string, or for a text shorter than one window', () => {
    expect(() => evaluate(model, 'abab')).toThrow(ValueError);
    expect(() => evaluate(model, 'ab', { tokenizer, seqLength: 5 })).toThrow(ValueError);
  });
});
