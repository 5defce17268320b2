import { DTypeError, IndexError, ShapeError, tensor } from '@tensorloom/core-tensor';
import { gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { degree } from './degree.js';

const index = tensor([0, 1, 0, 3], { dtype: 'int32' });

describe('degree', () => {
  it('counts occurrences, zero for absent nodes', () => {
    const out = degree(index, { numNodes: 5 });
    expect(out.dtype).toBe('float32');
    expect(out.toArray()).toEqual([2, 1, 0, 1, 0]);
    expect(degree(index, { numNodes: 4, dtype: 'float64' }).dtype).toBe('float64');
  });

  it('sums weights when given, differentiably', () => {
    expect(degree(index, { numNodes: 4, weight: tensor([0.5, 2, 0.25, 1]) }).toArray()).toEqual([0.75, 2, 0, 1]);
    const w = tensor([0.5, 2, 0.25, 1], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((v) => degree(index, { numNodes: 4, weight: v }).square(), [w])).toBe(true);
  });

  it('rejects a float or 2-D index, ids out of range and misshaped weights', () => {
    expect(() => degree(tensor([0, 1]), { numNodes: 2 })).toThrow(DTypeError);
    expect(() => degree(tensor([[0, 1]], { dtype: 'int32' }), { numNodes: 2 })).toThrow(ShapeError);
    expect(() => degree(index, { numNodes: 3 })).toThrow(IndexError);
    expect(() => degree(index, { numNodes: 4, weight: tensor([1, 2]) })).toThrow(ShapeError);
  });
});
