import { Generator, IndexError, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { cooToCsr, permuteValues } from './csr.js';

const i32 = (values: number[]) => Int32Array.from(values);

describe('cooToCsr', () => {
  it('sorts by row then column, keeps duplicates in input order and empty rows', () => {
    const csr = cooToCsr(i32([2, 0, 2, 0, 2]), i32([1, 3, 0, 3, 1]), { shape: [4, 4] });
    expect([...csr.rowPtr]).toEqual([0, 2, 2, 5, 5]);
    expect([...csr.colIndex]).toEqual([3, 3, 0, 1, 1]);
    expect([...csr.permutation]).toEqual([1, 3, 2, 0, 4]);
    expect(csr.shape).toEqual([4, 4]);
  });

  it('agrees with a comparison sort on a random edge list', () => {
    const generator = new Generator(3);
    const n = 50;
    const count = 600;
    const row = Int32Array.from({ length: count }, () => generator.integer(0, n));
    const col = Int32Array.from({ length: count }, () => generator.integer(0, n));
    const csr = cooToCsr(row, col, { shape: [n, n] });
    const expected = [...row.keys()].sort((a, b) => row[a]! - row[b]! || col[a]! - col[b]! || a - b);
    expect([...csr.permutation]).toEqual(expected);
    expect([...csr.colIndex]).toEqual(expected.map((e) => col[e]));
  });

  it('handles an empty matrix and a rectangular one', () => {
    expect([...cooToCsr(i32([]), i32([]), { shape: [3, 3] }).rowPtr]).toEqual([0, 0, 0, 0]);
    expect([...cooToCsr(i32([0, 1]), i32([4, 0]), { shape: [2, 5] }).colIndex]).toEqual([4, 0]);
  });

  it('rejects out-of-range indices and unequal lengths', () => {
    expect(() => cooToCsr(i32([0, 3]), i32([0, 0]), { shape: [3, 3] })).toThrow(IndexError);
    expect(() => cooToCsr(i32([0]), i32([-1]), { shape: [3, 3] })).toThrow(IndexError);
    expect(() => cooToCsr(i32([0, 1]), i32([0]), { shape: [3, 3] })).toThrow(ValueError);
    expect(() => cooToCsr(i32([]), i32([]), { shape: [-1, 3] })).toThrow(ValueError);
  });

  it('permuteValues gathers values into CSR order', () => {
    expect([...permuteValues(Float32Array.from([10, 20, 30]), i32([2, 0, 1]))]).toEqual([30, 10, 20]);
  });
});
