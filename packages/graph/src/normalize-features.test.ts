import { DTypeError, ShapeError, tensor } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { normalizeFeatures } from './normalize-features.js';

describe('normalizeFeatures', () => {
  it('divides each row by its sum and leaves zero rows at zero', () => {
    const x = tensor([
      [1, 1, 0, 2],
      [0, 0, 0, 0],
      [0, 3, 0, 0],
    ]);
    const out = normalizeFeatures(x);
    expectClose(out, [
      [0.25, 0.25, 0, 0.5],
      [0, 0, 0, 0],
      [0, 1, 0, 0],
    ]);
    expect(x.data[0]).toBe(1);
  });

  it('keeps the dtype and scales fractional rows up to sum 1', () => {
    const out = normalizeFeatures(tensor([[0.1, 0.3]], { dtype: 'float64' }));
    expect(out.dtype).toBe('float64');
    expectClose(out, [[0.25, 0.75]], { rtol: 1e-12 });
  });

  it('rejects integer and non-matrix input', () => {
    expect(() => normalizeFeatures(tensor([[1]], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => normalizeFeatures(tensor([1, 2]))).toThrow(ShapeError);
  });
});
