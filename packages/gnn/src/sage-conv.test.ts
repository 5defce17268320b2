import { DTypeError, Generator, IndexError, ShapeError, ValueError, noGrad, sqrt, sum, zeros } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { MESSY_NODES, MESSY_PAIRS, edgeIndexOf, rand64 } from '../test/graphs.js';
import { SAGEConv } from './sage-conv.js';

describe('SAGEConv', () => {
  const edgeIndex = edgeIndexOf(MESSY_PAIRS);

  it('has the state dict of PyG: lin_l with bias, lin_r without', () => {
    expect(Object.entries(new SAGEConv(5, 3).stateDict()).map(([k, t]) => [k, t.shape])).toEqual([
      ['lin_l.weight', [3, 5]],
      ['lin_l.bias', [3]],
      ['lin_r.weight', [3, 5]],
    ]);
    expect(Object.keys(new SAGEConv(5, 3, { rootWeight: false, bias: false }).stateDict())).toEqual(['lin_l.weight']);
    expect(new SAGEConv(5, 3).aggr).toBe('mean');
  });

  it('computes Θ_l · mean_j x_j + b + Θ_r x_i with identity maps', () => {
    const conv = new SAGEConv(2, 2, { dtype: 'float64' });
    noGrad(() => {
      conv.lin_l.weight.data.set([1, 0, 0, 1]);
      conv.lin_l.bias!.data.set([10, 20]);
      conv.lin_r!.weight.data.set([2, 0, 0, 2]);
    });
    const x = rand64([3, 2], 0);
    noGrad(() => x.data.set([1, 2, 3, 4, 5, 6]));
    // Node 1 receives from 0 and 2; node 0 from 1; node 2 from nothing.
    const out = conv.call(
      x,
      edgeIndexOf([
        [0, 1],
        [2, 1],
        [1, 0],
      ]),
    );
    expectClose(out, [
      [3 + 10 + 2, 4 + 20 + 4],
      [3 + 10 + 6, 4 + 20 + 8],
      [0 + 10 + 10, 0 + 20 + 12],
    ]);
  });

  it('normalises each output row to unit L2 norm with normalize', () => {
    const conv = new SAGEConv(5, 3, { normalize: true, dtype: 'float64' });
    const out = conv.call(rand64([MESSY_NODES, 5], 1), edgeIndex);
    expectClose(sqrt(sum(out.mul(out), -1)), new Array<number>(MESSY_NODES).fill(1), { atol: 1e-12 });
  });

  it.each(['mean', 'max', 'sum'] as const)('passes gradcheck with the %s aggregation', (aggr) => {
    const conv = new SAGEConv(3, 2, { aggr, dtype: 'float64', generator: new Generator(2) });
    const x = rand64([MESSY_NODES, 3], 3, true);
    expect(gradcheck((a) => conv.call(a!, edgeIndex), [x, ...conv.parameters()])).toBe(true);
  });

  it('passes gradcheck with normalize, and gives a zero row a zero gradient instead of NaN', () => {
    const conv = new SAGEConv(3, 2, { normalize: true, dtype: 'float64', generator: new Generator(4) });
    const x = rand64([MESSY_NODES, 3], 5, true);
    expect(gradcheck((a) => conv.call(a!, edgeIndex), [x, ...conv.parameters()])).toBe(true);
    const bare = new SAGEConv(3, 2, { normalize: true, rootWeight: false, bias: false, dtype: 'float64' });
    const y = rand64([MESSY_NODES, 3], 6, true);
    bare.call(y, edgeIndex).sum().backward();
    expect(Array.from(y.grad!.data).every(Number.isFinite)).toBe(true);
  });

  it('rejects bad input and options with typed errors', () => {
    const conv = new SAGEConv(3, 2);
    expect(() => conv.call(zeros([2, 4]), edgeIndexOf([[0, 1]]))).toThrow(ShapeError);
    expect(() => conv.call(zeros([2, 3], { dtype: 'int32' }), edgeIndexOf([[0, 1]]))).toThrow(DTypeError);
    expect(() => conv.call(zeros([2, 3]), edgeIndexOf([[3, 1]]))).toThrow(IndexError);
    expect(() => new SAGEConv(3, 2, { aggr: 'lstm' as 'mean' })).toThrow(ValueError);
  });
});
