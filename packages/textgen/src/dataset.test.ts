import { Generator, IndexError, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { TextDataset, prepareCorpus, splitDataset } from './dataset.js';
import { CharTokenizer } from './tokenizer.js';

const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('TextDataset windows', () => {
  it('targets are the inputs shifted by one: text[o+1 : o+T+1]', () => {
    const text = 'the quick brown fox jumps over the lazy dog';
    const tokenizer = CharTokenizer.fromText(text);
    const data = TextDataset.fromText(text, tokenizer, { seqLength: 7 });
    expect(data.numWindows).toBe(text.length - 7);
    for (let o = 0; o < data.numWindows; o++) {
      const { inputs, targets } = data.window(o);
      expect(tokenizer.decode(inputs)).toBe(text.slice(o, o + 7));
      expect(tokenizer.decode(targets)).toBe(text.slice(o + 1, o + 8));
    }
  });

  it('batches windows into int32 [B, T] tensors, batch-first', () => {
    const data = new TextDataset(range(50), { seqLength: 4 });
    const { inputs, targets, offsets } = data.batch([0, 10, 45]);
    expect(inputs.dtype).toBe('int32');
    expect(inputs.shape).toEqual([3, 4]);
    expect(targets.shape).toEqual([3, 4]);
    expect(inputs.toArray()).toEqual([
      [0, 1, 2, 3],
      [10, 11, 12, 13],
      [45, 46, 47, 48],
    ]);
    expect(targets.toArray()).toEqual([
      [1, 2, 3, 4],
      [11, 12, 13, 14],
      [46, 47, 48, 49],
    ]);
    expect(Array.from(offsets)).toEqual([0, 10, 45]);
  });

  it('draws random offsets from the generator: uniform over every window, the same for the same seed', () => {
    const data = new TextDataset(range(20), { seqLength: 5 }); // windows 0..14
    const a = data.randomOffsets(3000, new Generator(1));
    expect(data.randomOffsets(3000, new Generator(1))).toEqual(a);
    expect(data.randomOffsets(3000, new Generator(2))).not.toEqual(a);
    const counts = new Array<number>(15).fill(0);
    for (const o of a) counts[o]!++;
    expect(Math.min(...a)).toBe(0);
    expect(Math.max(...a)).toBe(14); // the last window, whose target is the last character
    for (const c of counts) expect(Math.abs(c - 200)).toBeLessThan(60); // ±4 standard deviations
    const batch = data.randomBatch(8, new Generator(3));
    expect(batch.inputs.shape).toEqual([8, 5]);
    expect(Array.from(batch.inputs.data.subarray(0, 5))).toEqual(Array.from(data.window(batch.offsets[0]!).inputs));
  });

  it('the sequential pass takes non-overlapping windows at 0, T, 2T, … with a smaller last batch', () => {
    const data = new TextDataset(range(23), { seqLength: 5 }); // windows at 0, 5, 10, 15 (17 + 5 = 22 ≤ 22)
    expect(data.numSequentialWindows).toBe(4);
    const batches = [...data.sequentialBatches(3)];
    expect(batches.map((b) => Array.from(b.offsets))).toEqual([[0, 5, 10], [15]]);
    expect(batches[1]!.targets.toArray()).toEqual([[16, 17, 18, 19, 20]]);
    expect(data.numSequentialBatches(3)).toBe(2);
    expect([...data.sequentialBatches(1, { maxBatches: 2 })]).toHaveLength(2);
    // Every character after the first is a target exactly once when N − 1 is a multiple of T.
    const exact = new TextDataset(range(21), { seqLength: 5 });
    const targets = [...exact.sequentialBatches(10)].flatMap((b) => Array.from(b.targets.data));
    expect(targets).toEqual(Array.from(range(21)).slice(1));
  });

  it('throws typed errors for bad sizes and offsets', () => {
    expect(() => new TextDataset(range(10), { seqLength: 0 })).toThrow(ValueError);
    const data = new TextDataset(range(10), { seqLength: 4 });
    expect(() => data.window(6)).toThrow(IndexError);
    expect(() => data.batch([-1])).toThrow(IndexError);
    expect(() => data.randomBatch(0)).toThrow(ValueError);
    expect(() => new TextDataset(range(4), { seqLength: 4 }).randomBatch(1)).toThrow(ValueError);
    expect(new TextDataset(range(4), { seqLength: 4 }).numSequentialWindows).toBe(0);
  });
});

describe('splitDataset and prepareCorpus', () => {
  it('holds out the last 10 % of the text by default', () => {
    const { train, validation } = splitDataset(new TextDataset(range(1000), { seqLength: 30 }));
    expect(train.length).toBe(900);
    expect(validation!.length).toBe(100);
    expect(train.ids[899]).toBe(899);
    expect(validation!.ids[0]).toBe(900);
    expect(validation!.seqLength).toBe(30);
  });

  it('gives no validation part for fraction 0 and refuses parts too short for one window', () => {
    const data = new TextDataset(range(100), { seqLength: 30 });
    expect(splitDataset(data, { validationFraction: 0 }).validation).toBeUndefined();
    expect(() => splitDataset(data, { validationFraction: 0.1 })).toThrow(ValueError); // 10 < 31
    expect(() => splitDataset(data, { validationFraction: 1 })).toThrow(ValueError);
    expect(() => splitDataset(data, { validationFraction: -0.1 })).toThrow(ValueError);
  });

  it('builds the vocabulary from the whole text, so validation characters are known', () => {
    const text = `${'abc '.repeat(50)}xyz!`;
    const { tokenizer, train, validation, dataset } = prepareCorpus(text, { seqLength: 4, validationFraction: 0.05 });
    expect(tokenizer.chars).toContain('z');
    expect(dataset.length).toBe(text.length);
    expect(train.length + validation!.length).toBe(text.length);
    expect(tokenizer.decode(validation!.ids).endsWith('xyz!')).toBe(true);
  });
});
