import { DTypeError, Generator, ShapeError, ValueError, noGrad, ones, zeros } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { MESSY_NODES, MESSY_PAIRS, edgeIndexOf, rand64 } from '../test/graphs.js';
import { GATv2Conv } from './gatv2-conv.js';

describe('GATv2Conv', () => {
  const edgeIndex = edgeIndexOf(MESSY_PAIRS);

  it('has the state dict of PyG: att [1, H, C], bias, lin_l and lin_r with biases', () => {
    const conv = new GATv2Conv(5, 3, { heads: 2 });
    expect(Object.entries(conv.stateDict()).map(([k, t]) => [k, t.shape])).toEqual([
      ['att', [1, 2, 3]],
      ['bias', [6]],
      ['lin_l.weight', [6, 5]],
      ['lin_l.bias', [6]],
      ['lin_r.weight', [6, 5]],
      ['lin_r.bias', [6]],
    ]);
    expect(Object.keys(new GATv2Conv(5, 3, { bias: false }).stateDict())).toEqual(['att', 'lin_l.weight', 'lin_r.weight']);
  });

  it('with shareWeights, lin_r is lin_l: listed under both names in the state dict, trained once', () => {
    const conv = new GATv2Conv(5, 3, { heads: 2, shareWeights: true });
    expect(conv.lin_r).toBe(conv.lin_l);
    const state = conv.stateDict();
    expect(Object.keys(state)).toEqual(['att', 'bias', 'lin_l.weight', 'lin_l.bias', 'lin_r.weight', 'lin_r.bias']);
    expect(conv.namedParameters().map(([k]) => k)).toEqual(['att', 'bias', 'lin_l.weight', 'lin_l.bias']);
  });

  it('returns attention that sums to 1 over each node’s incoming edges (one self-loop per node)', () => {
    const conv = new GATv2Conv(5, 3, { heads: 2, concat: false, dtype: 'float64' });
    const { out, attention } = conv.call(rand64([MESSY_NODES, 5], 1), edgeIndex, { returnAttentionWeights: true });
    expect(out.shape).toEqual([MESSY_NODES, 3]);
    const e = attention.edgeIndex.shape[1]!;
    const mass = Array.from({ length: MESSY_NODES }, () => [0, 0]);
    for (let k = 0; k < e; k++) for (let h = 0; h < 2; h++) mass[attention.edgeIndex.data[e + k]!]![h]! += attention.alpha.data[2 * k + h]!;
    expectClose(mass, ones([MESSY_NODES, 2]), { atol: 1e-12 });
  });

  it('ranks neighbours differently for different queries (dynamic attention), which GAT cannot', () => {
    // Nodes 0 and 1 both attend over sources 2 and 3 (no self-loops). With Θ = [1, −1]ᵀ and
    // a = [1, 1], e_ij = LeakyReLU(x_i + x_j) + LeakyReLU(−x_i − x_j) = 0.8·|x_i + x_j|: target 0
    // (x = 5) prefers source 2 (x = 1), target 1 (x = −5) prefers source 3 (x = −1). GAT's score
    // is monotone in a_srcᵀΘx_j for every target, so it must rank the sources the same way.
    const conv = new GATv2Conv(1, 2, { addSelfLoops: false, dtype: 'float64' });
    noGrad(() => {
      conv.lin_l.weight.data.set([1, -1]);
      conv.lin_r.weight.data.set([1, -1]);
      conv.lin_l.bias!.data.fill(0);
      conv.lin_r.bias!.data.fill(0);
      conv.att.data.set([1, 1]);
    });
    const x = rand64([4, 1], 0);
    noGrad(() => x.data.set([5, -5, 1, -1]));
    const { attention } = conv.call(
      x,
      edgeIndexOf([
        [2, 0],
        [3, 0],
        [2, 1],
        [3, 1],
      ]),
      { returnAttentionWeights: true },
    );
    const [a02, a03, a12, a13] = Array.from(attention.alpha.data);
    expect(a02!).toBeGreaterThan(a03!);
    expect(a13!).toBeGreaterThan(a12!);
  });

  it('passes gradcheck with several heads, with and without shared weights', () => {
    for (const shareWeights of [false, true]) {
      const conv = new GATv2Conv(3, 2, { heads: 2, shareWeights, dtype: 'float64', generator: new Generator(4) });
      const x = rand64([MESSY_NODES, 3], 5, true);
      expect(gradcheck((a) => conv.call(a!, edgeIndex), [x, ...conv.parameters()])).toBe(true);
    }
  });

  it('rejects bad input and options with typed errors', () => {
    const conv = new GATv2Conv(3, 2);
    expect(() => conv.call(zeros([2, 4]), edgeIndexOf([[0, 1]]))).toThrow(ShapeError);
    expect(() => conv.call(zeros([2, 3], { dtype: 'int32' }), edgeIndexOf([[0, 1]]))).toThrow(DTypeError);
    expect(() => new GATv2Conv(3, 2, { heads: 1.5 })).toThrow(ValueError);
  });
});
