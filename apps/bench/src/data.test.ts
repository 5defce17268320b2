import { describe, expect, it } from 'vitest';
import { lcgFloats, lcgNext, lcgTokens, tokenBatches, transposeInt } from './data.js';

describe('the data stream', () => {
  it('is the 32-bit LCG that python/bench_torch.py computes too', () => {
    expect(lcgNext(0)).toBe(1013904223);
    expect(lcgNext(1)).toBe(1015568748);
    // Values printed by bench_torch.lcg_floats(10000, 2) and lcg_tokens(10000, 80, 3).
    const floats = lcgFloats(10000, 2);
    expect(floats[0]).toBeCloseTo(-0.52631384, 7);
    expect(floats[4096]).toBeCloseTo(0.59491915, 7);
    expect(floats[9999]).toBeCloseTo(-0.51640797, 7);
    const tokens = lcgTokens(10000, 80, 3);
    expect(Array.from(tokens.subarray(0, 5))).toEqual([18, 44, 69, 62, 30]);
    expect(tokens[9999]).toBe(42);
  });

  it('keeps floats in [-1, 1) and tokens in [0, vocab)', () => {
    const floats = lcgFloats(5000, 7);
    expect(floats.every((x) => x >= -1 && x < 1)).toBe(true);
    const tokens = lcgTokens(5000, 80, 7);
    expect(tokens.every((t) => t >= 0 && t < 80)).toBe(true);
  });

  it('cuts batches whose targets are the inputs shifted by one', () => {
    const [first, second] = tokenBatches({ batch: 3, seq: 5, vocab: 80, count: 2 });
    expect(first!.inputs).toHaveLength(15);
    for (let b = 0; b < 3; b++) {
      for (let t = 0; t + 1 < 5; t++) expect(first!.targets[b * 5 + t]).toBe(first!.inputs[b * 5 + t + 1]);
    }
    expect(Array.from(second!.inputs)).not.toEqual(Array.from(first!.inputs));
  });

  it('transposes an int matrix', () => {
    expect(Array.from(transposeInt(Int32Array.from([1, 2, 3, 4, 5, 6]), 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
