import { DTypeError, IndexError, ShapeError, ValueError, tensor, zeros } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { rand64 } from '../test/graphs.js';
import { globalAddPool, globalMaxPool, globalMeanPool } from './pool.js';

describe('global pooling', () => {
  const x = tensor([
    [1, -2],
    [3, 4],
    [-5, 6],
    [7, 0],
  ]);
  const batch = tensor([0, 0, 1, 0], { dtype: 'int32' });

  it('sums, averages and takes the maximum of the nodes of each graph', () => {
    expectClose(globalAddPool(x, batch), [
      [11, 2],
      [-5, 6],
    ]);
    expectClose(globalMeanPool(x, batch), [
      [11 / 3, 2 / 3],
      [-5, 6],
    ]);
    expectClose(globalMaxPool(x, batch), [
      [7, 4],
      [-5, 6],
    ]);
  });

  it('pools everything into one graph without a batch vector', () => {
    expectClose(globalAddPool(x), [[6, 8]]);
    expectClose(globalMeanPool(x, null), [[1.5, 2]]);
    expectClose(globalMaxPool(x), [[7, 6]]);
  });

  it('gives zeros for a graph without nodes when size asks for more graphs', () => {
    for (const pool of [globalAddPool, globalMeanPool, globalMaxPool]) {
      const out = pool(x, batch, { size: 4 });
      expect(out.shape).toEqual([4, 2]);
      expectClose((out.toArray() as number[][]).slice(2), [
        [0, 0],
        [0, 0],
      ]);
    }
  });

  it('passes gradcheck for each pooling', () => {
    const b = tensor([0, 1, 0, 2, 1], { dtype: 'int32' });
    for (const pool of [globalAddPool, globalMeanPool, globalMaxPool]) {
      expect(gradcheck((a) => pool(a!, b), [rand64([5, 3], 1, true)])).toBe(true);
      expect(gradcheck((a) => pool(a!), [rand64([5, 3], 2, true)])).toBe(true);
    }
  });

  it('rejects bad input with typed errors', () => {
    expect(() => globalAddPool(x, tensor([0, 0, 1]))).toThrow(DTypeError);
    expect(() => globalAddPool(x, tensor([0, 0, 1], { dtype: 'int32' }))).toThrow(ShapeError);
    expect(() => globalAddPool(x, tensor([0, 0, 1, -1], { dtype: 'int32' }))).toThrow(IndexError);
    expect(() => globalAddPool(x, batch, { size: 1 })).toThrow(IndexError);
    expect(() => globalMeanPool(zeros([4], { dtype: 'float32' }), batch)).toThrow(ShapeError);
    expect(() => globalMaxPool(zeros([4, 2], { dtype: 'int32' }), batch)).toThrow(DTypeError);
    expect(() => globalAddPool(x, null, { size: 3 })).toThrow(ValueError);
  });
});
