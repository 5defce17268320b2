import { Generator, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { baumSweet, baumSweetCounter, baumSweetTask, bitLength, encodeBinary } from './baum-sweet.js';

/** A086747 by its recurrence: a(0) = 1, a(2n+1) = a(n), a(4n+2) = 0, a(4n) = a(n) — independent of the scan. */
function a086747(n: number): number {
  if (n === 0) return 1;
  if (n % 2 === 1) return a086747((n - 1) / 2);
  if (n % 4 === 2) return 0;
  return a086747(n / 4);
}

/** Decodes a row of symbols (0 pad, 1 bit 0, 2 bit 1) back to the number. */
function decode(row: number[]): number {
  return row.reduce((v, s) => (s === 0 ? v : v * 2 + (s - 1)), 0);
}

describe('baumSweet', () => {
  it('matches OEIS A086747 on 0..64 and its first published terms', () => {
    for (let n = 0; n <= 64; n++) expect(baumSweet(n), `n = ${n}`).toBe(a086747(n));
    expect(Array.from({ length: 17 }, (_, n) => baumSweet(n))).toEqual([1, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1]);
  });

  it('matches the recurrence on larger numbers', () => {
    const g = new Generator(1);
    for (let i = 0; i < 500; i++) {
      const n = g.integer(0, 1e12);
      expect(baumSweet(n)).toBe(a086747(n));
    }
  });
});

describe('bitLength and encodeBinary', () => {
  it('pads 10^L to the course widths (L = 4 gives 14 bits)', () => {
    expect(bitLength(10 ** 4)).toBe(14);
    expect(bitLength(10 ** 6)).toBe(20);
    expect(bitLength(1)).toBe(1);
  });

  it('writes most significant bit first, right-aligned, padding with symbol 0', () => {
    const out = new Int32Array(6);
    encodeBinary(6, out, 0, 6);
    expect(Array.from(out)).toEqual([0, 0, 0, 2, 2, 1]);
    expect(() => encodeBinary(64, new Int32Array(6), 0, 6)).toThrow(RangeError);
  });
});

describe('baumSweetCounter', () => {
  it('counts the Baum–Sweet numbers in 1..max exactly, for every max up to 300', () => {
    let brute = 0;
    for (let max = 1; max <= 300; max++) {
      brute += baumSweet(max);
      expect(baumSweetCounter(max).count, `max = ${max}`).toBe(brute);
    }
  });

  it('samples every Baum–Sweet number below 100 and nothing else, about uniformly', () => {
    const counter = baumSweetCounter(99);
    const valid = Array.from({ length: 99 }, (_, i) => i + 1).filter((n) => baumSweet(n) === 1);
    expect(counter.count).toBe(valid.length);
    const hits = new Map<number, number>();
    const g = new Generator(2);
    const draws = 200 * valid.length;
    for (let i = 0; i < draws; i++) {
      const n = counter.sample(g);
      hits.set(n, (hits.get(n) ?? 0) + 1);
    }
    expect([...hits.keys()].sort((a, b) => a - b)).toEqual(valid);
    for (const count of hits.values()) expect(Math.abs(count - 200)).toBeLessThan(60);
  });
});

describe('baumSweetTask', () => {
  it('has the course shapes: bitLength(10^L) steps, 3 symbols, 2 classes', () => {
    const task = baumSweetTask({ length: 4 });
    expect(task).toMatchObject({ name: 'baum-sweet', length: 4, inputLength: 14, numInputSymbols: 3, numClasses: 2 });
    const { inputs, targets } = task.sample(5, new Generator(0));
    expect(inputs.shape).toEqual([5, 14]);
    expect(inputs.dtype).toBe('int32');
    expect(targets.shape).toEqual([5]);
    expect(targets.dtype).toBe('int32');
  });

  it('labels every example with the Baum–Sweet value of the number it encodes, below 10^L', () => {
    const task = baumSweetTask({ length: 3 });
    const { inputs, targets } = task.sample(500, new Generator(3));
    const rows = inputs.toArray() as number[][];
    const labels = targets.toArray() as number[];
    rows.forEach((row, b) => {
      const firstDigit = row.findIndex((s) => s !== 0);
      expect(row.slice(0, firstDigit).every((s) => s === 0)).toBe(true);
      expect(row[firstDigit]).toBe(2); // a number ≥ 1 starts with bit 1
      expect(row.slice(firstDigit).every((s) => s === 1 || s === 2)).toBe(true);
      const n = decode(row);
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThan(1000);
      expect(labels[b]).toBe(baumSweet(n));
    });
  });

  it('balances the classes even at L = 12, where Baum–Sweet numbers are rare', () => {
    const { targets } = baumSweetTask({ length: 12 }).sample(2000, new Generator(4));
    const ones = targets.sum().item();
    expect(ones).toBeGreaterThan(900);
    expect(ones).toBeLessThan(1100);
  });

  it('is reproducible from the generator', () => {
    const task = baumSweetTask({ length: 5 });
    const a = task.sample(20, new Generator(9));
    const b = task.sample(20, new Generator(9));
    expect(Array.from(a.inputs.data)).toEqual(Array.from(b.inputs.data));
    expect(Array.from(a.targets.data)).toEqual(Array.from(b.targets.data));
  });

  it('rejects a length outside 1..15 and a bad batch size', () => {
    expect(() => baumSweetTask({ length: 0 })).toThrow(ValueError);
    expect(() => baumSweetTask({ length: 16 })).toThrow(ValueError);
    expect(() => baumSweetTask({ length: 2.5 })).toThrow(ValueError);
    expect(() => baumSweetTask({ length: 2 }).sample(-1)).toThrow(ValueError);
  });
});
