import { Generator, Tensor, ValueError, logSoftmax, noGrad } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { bigramModel } from '../test/bigram-model.js';
import { TextDataset } from './dataset.js';
import { evaluate } from './evaluate.js';
import { TextGenerationModel } from './model.js';
import { CharTokenizer } from './tokenizer.js';

// A bigram model of 'a' → b (0.75) | c (0.25), b → a, c → a.
const { model, tokenizer } = bigramModel(
  ['a', 'b', 'c'],
  [
    [0, 0.75, 0.25],
    [1, 0, 0],
    [1, 0, 0],
  ],
);

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

  it('with carryState, reads contiguous streams whose state carries across windows, as a step-by-step pass does', () => {
    const text = 'the cat sat on the mat and the rat ate the hat';
    const tok = CharTokenizer.fromText(text);
    const lm = new TextGenerationModel({
      vocabSize: tok.vocabSize,
      embeddingDim: 6,
      hiddenSize: 8,
      numLayers: 2,
      generator: new Generator(5),
    });
    const data = TextDataset.fromText(text, tok, { seqLength: 4 });
    const result = evaluate(lm, data, { batchSize: 3, carryState: true });
    // Reference: each of the 3 streams of ⌊45 / 3⌋ = 15 predictions, one character at a time.
    const ids = data.ids;
    const streamLength = Math.floor((ids.length - 1) / 3);
    let lossSum = 0;
    noGrad(() => {
      for (let b = 0; b < 3; b++) {
        let state: Parameters<TextGenerationModel['step']>[1];
        for (let t = 0; t < streamLength; t++) {
          const at = b * streamLength + t;
          const out = lm.step(new Tensor(Int32Array.of(ids[at]!), [1], 'int32'), state);
          state = out.state;
          lossSum -= logSoftmax(out.logits, 1).data[ids[at + 1]!]!;
        }
      }
    });
    expect(result.characters).toBe(3 * streamLength);
    expect(result.loss).toBeCloseTo(lossSum / (3 * streamLength), 5);
    // The zero-state windows give a different figure on the same text: the state matters.
    expect(Math.abs(evaluate(lm, data, { batchSize: 3 }).loss - result.loss)).toBeGreaterThan(1e-4);
    // One stream read as one window is the zero-state evaluation of that window.
    const single = TextDataset.fromText(text.slice(0, 11), tok, { seqLength: 10 });
    expect(evaluate(lm, single, { batchSize: 1, carryState: true }).loss).toBeCloseTo(evaluate(lm, single).loss, 6);
  });
});
