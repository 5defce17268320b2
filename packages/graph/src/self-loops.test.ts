import { DTypeError, IndexError, ShapeError, tensor } from '@tensorloom/core-tensor';
import { gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { addRemainingSelfLoops, addSelfLoops, containsSelfLoops, removeSelfLoops } from './self-loops.js';

const int = (rows: number[][]) => tensor(rows, { dtype: 'int32' });
// 0 → 1, 1 → 1 (a loop, weight 3), 1 → 0, 2 → 2 twice (weights 5 then 6); node 3 isolated.
const edges = int([
  [0, 1, 1, 2, 2],
  [1, 1, 0, 2, 2],
]);
const weights = tensor([1, 3, 2, 5, 6]);

describe('addSelfLoops', () => {
  it('appends one loop per node after every edge, existing loops kept (A + I)', () => {
    const out = addSelfLoops(edges, { numNodes: 4, edgeWeight: weights, fillValue: 0.5 });
    expect(out.edgeIndex.toArray()).toEqual([
      [0, 1, 1, 2, 2, 0, 1, 2, 3],
      [1, 1, 0, 2, 2, 0, 1, 2, 3],
    ]);
    expect(out.edgeWeight?.toArray()).toEqual([1, 3, 2, 5, 6, 0.5, 0.5, 0.5, 0.5]);
  });

  it('returns null weights when none came in and works on an empty edge index', () => {
    const out = addSelfLoops(int([[], []]), { numNodes: 2 });
    expect(out.edgeIndex.toArray()).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(out.edgeWeight).toBeNull();
  });
});

describe('addRemainingSelfLoops', () => {
  it('moves existing loops to the end, keeps their weight (the last of several) and fills the rest', () => {
    const out = addRemainingSelfLoops(edges, { numNodes: 4, edgeWeight: weights, fillValue: 2 });
    expect(out.edgeIndex.toArray()).toEqual([
      [0, 1, 0, 1, 2, 3],
      [1, 0, 0, 1, 2, 3],
    ]);
    expect(out.edgeWeight?.toArray()).toEqual([1, 2, 2, 3, 6, 2]);
  });

  it('is differentiable in the weights', () => {
    const w = tensor([1, 3, 2, 5, 6], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((v) => addRemainingSelfLoops(edges, { numNodes: 4, edgeWeight: v }).edgeWeight!.square(), [w])).toBe(true);
  });
});

describe('removeSelfLoops', () => {
  it('drops every loop and keeps the rest in order', () => {
    const out = removeSelfLoops(edges, { edgeWeight: weights });
    expect(out.edgeIndex.toArray()).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(out.edgeWeight?.toArray()).toEqual([1, 2]);
    expect(removeSelfLoops(edges).edgeWeight).toBeNull();
  });
});

describe('containsSelfLoops', () => {
  it('tells whether some edge is a loop', () => {
    expect(containsSelfLoops(edges)).toBe(true);
    expect(containsSelfLoops(removeSelfLoops(edges).edgeIndex)).toBe(false);
  });
});

describe('self-loop input checks', () => {
  it('name bad edge indices and weights with typed errors', () => {
    expect(() => addSelfLoops(tensor([[0], [1]]), { numNodes: 2 })).toThrow(DTypeError);
    expect(() => addSelfLoops(int([[0, 1, 2]]), { numNodes: 3 })).toThrow(ShapeError);
    expect(() => addSelfLoops(edges, { numNodes: 2 })).toThrow(IndexError);
    expect(() => addRemainingSelfLoops(edges, { numNodes: 4, edgeWeight: tensor([1]) })).toThrow(ShapeError);
    expect(() => removeSelfLoops(edges, { edgeWeight: tensor([1, 2, 3, 4, 5], { dtype: 'int32' }) })).toThrow(DTypeError);
  });
});
