import { DTypeError, IndexError, ValueError, tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { gcnNorm } from './gcn-norm.js';

// Four nodes: 0 → 1 twice (a duplicate), 1 → 0 (weight 2), a loop on 1 (weight 3), 2 → 1 (0.5);
// node 3 isolated.
const edgeIndex = tensor(
  [
    [0, 1, 0, 1, 2],
    [1, 0, 1, 1, 1],
  ],
  { dtype: 'int32' },
);
const edgeWeight = tensor([1, 2, 1, 3, 0.5], { dtype: 'float64' });
const s = Math.sqrt;

describe('gcnNorm', () => {
  it('matches the hand-computed D̃^-1/2 Ã D̃^-1/2 with a kept loop, a duplicate, an isolated node and weights', () => {
    const out = gcnNorm(edgeIndex, { numNodes: 4, edgeWeight });
    // add_remaining_self_loops: non-loops first, then one loop per node; node 1 keeps its weight 3.
    expect(out.edgeIndex.toArray()).toEqual([
      [0, 1, 0, 2, 0, 1, 2, 3],
      [1, 0, 1, 1, 0, 1, 2, 3],
    ]);
    // In-degrees in Ã: d0 = 2 + 1 = 3, d1 = 1 + 1 + 0.5 + 3 = 5.5, d2 = 1, d3 = 1.
    expectClose(out.edgeWeight, [1 / s(16.5), 2 / s(16.5), 1 / s(16.5), 0.5 / s(5.5), 1 / 3, 3 / 5.5, 1, 1], { rtol: 1e-12 });
  });

  it('uses loops of weight 2 when improved (existing loops keep theirs)', () => {
    const out = gcnNorm(edgeIndex, { numNodes: 4, edgeWeight, improved: true });
    // d0 = 2 + 2 = 4, d1 = 5.5, d2 = 2, d3 = 2.
    expectClose(out.edgeWeight, [1 / s(22), 2 / s(22), 1 / s(22), 0.5 / s(11), 0.5, 3 / 5.5, 1, 1], { rtol: 1e-12 });
  });

  it('without self-loops leaves zero-degree sources at 0 instead of infinity', () => {
    const out = gcnNorm(edgeIndex, { numNodes: 4, edgeWeight, addSelfLoops: false });
    expect(out.edgeIndex).toBe(edgeIndex);
    // d0 = 2, d1 = 5.5, d2 = 0 (no edge into 2): the edge 2 → 1 gets 0.
    expectClose(out.edgeWeight, [1 / s(11), 2 / s(11), 1 / s(11), 3 / 5.5, 0], { rtol: 1e-12 });
  });

  it('defaults to unit weights (float32) and can sum degrees at the source instead', () => {
    const out = gcnNorm(edgeIndex, { numNodes: 4 });
    expect(out.edgeWeight.dtype).toBe('float32');
    // d0 = 1 + 1 = 2, d1 = 1 + 1 + 1 + 1 = 4 (its loop kept with weight 1), d2 = d3 = 1.
    expectClose(out.edgeWeight, [1 / s(8), 1 / s(8), 1 / s(8), 1 / s(4), 1 / 2, 1 / 4, 1, 1], { rtol: 1e-6 });
    const reversed = gcnNorm(edgeIndex, { numNodes: 4, edgeWeight, flow: 'target_to_source' });
    // Out-degrees in Ã: d0 = 1 + 1 + 1 = 3, d1 = 2 + 3 = 5, d2 = 0.5 + 1 = 1.5, d3 = 1.
    expectClose(reversed.edgeWeight, [1 / s(15), 2 / s(15), 1 / s(15), 0.5 / s(7.5), 1 / 3, 3 / 5, 1 / 1.5, 1], { rtol: 1e-12 });
  });

  it('gives the same values through the differentiable path, and correct gradients', () => {
    const w = tensor([1, 2, 1, 3, 0.5], { dtype: 'float64', requiresGrad: true });
    const differentiable = gcnNorm(edgeIndex, { numNodes: 4, edgeWeight: w, improved: true });
    expect(differentiable.edgeWeight.requiresGrad).toBe(true);
    expectClose(differentiable.edgeWeight, gcnNorm(edgeIndex, { numNodes: 4, edgeWeight, improved: true }).edgeWeight, { rtol: 1e-12 });
    expect(gradcheck((v) => gcnNorm(edgeIndex, { numNodes: 4, edgeWeight: v }).edgeWeight, [w])).toBe(true);
    expect(gradcheck((v) => gcnNorm(edgeIndex, { numNodes: 4, edgeWeight: v, addSelfLoops: false }).edgeWeight, [w])).toBe(true);
  });

  it('handles a graph without edges (every node gets its loop with coefficient 1)', () => {
    const out = gcnNorm(tensor([[], []], { dtype: 'int32' }), { numNodes: 3 });
    expect(out.edgeWeight.toArray()).toEqual([1, 1, 1]);
  });

  it('rejects bad inputs with typed errors', () => {
    expect(() => gcnNorm(edgeIndex, { numNodes: 2 })).toThrow(IndexError);
    expect(() => gcnNorm(edgeIndex, { numNodes: 4, dtype: 'int32' as never })).toThrow(DTypeError);
    expect(() => gcnNorm(edgeIndex, { numNodes: 4, flow: 'sideways' as never })).toThrow(ValueError);
    expect(() => gcnNorm(edgeIndex, { numNodes: -1 })).toThrow(ValueError);
  });
});
