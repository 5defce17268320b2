import { DTypeError, Generator, ShapeError, ValueError, concat, matmul, select, tensor, zeros } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { GRUCell } from '@tensorloom/rnn';
import { describe, expect, it } from 'vitest';
import { MESSY_NODES, MESSY_PAIRS, edgeIndexOf, rand64, weights64 } from '../test/graphs.js';
import { GatedGraphConv } from './gated-graph-conv.js';

describe('GatedGraphConv', () => {
  const edgeIndex = edgeIndexOf(MESSY_PAIRS);

  it('has the state dict of PyG: weight [L, out, out] and the GRU cell rnn.*', () => {
    const conv = new GatedGraphConv(4, 3);
    expect(Object.entries(conv.stateDict()).map(([k, t]) => [k, t.shape])).toEqual([
      ['weight', [3, 4, 4]],
      ['rnn.weight_ih', [12, 4]],
      ['rnn.weight_hh', [12, 4]],
      ['rnn.bias_ih', [12]],
      ['rnn.bias_hh', [12]],
    ]);
    expect(conv.rnn).toBeInstanceOf(GRUCell);
    expect(Object.keys(new GatedGraphConv(4, 1, { bias: false }).stateDict())).toEqual(['weight', 'rnn.weight_ih', 'rnn.weight_hh']);
  });

  it('zero-pads x, then runs one GRU step per layer on the summed messages h·W_l', () => {
    const conv = new GatedGraphConv(4, 2, { dtype: 'float64', generator: new Generator(1) });
    const x = rand64([3, 2], 2);
    const pairs: Array<[number, number]> = [
      [0, 1],
      [2, 1],
      [1, 0],
    ];
    const out = conv.call(x, edgeIndexOf(pairs));
    let h = concat([x, zeros([3, 2], { dtype: 'float64' })], 1);
    for (let layer = 0; layer < 2; layer++) {
      const m = matmul(h, select(conv.weight, 0, layer)).toArray() as number[][];
      const aggregated = [0, 1, 2].map((i) =>
        [0, 1, 2, 3].map((c) => pairs.filter(([, t]) => t === i).reduce((s, [j]) => s + m[j]![c]!, 0)),
      );
      h = conv.rnn.call(tensor(aggregated, { dtype: 'float64' }), h);
    }
    expectClose(out, h, { atol: 1e-12 });
  });

  it('passes gradcheck in x, the weights, the GRU cell and the edge weights', () => {
    const conv = new GatedGraphConv(3, 2, { dtype: 'float64', generator: new Generator(3) });
    const x = rand64([MESSY_NODES, 2], 4, true);
    const w = weights64(MESSY_PAIRS.length, 5, true);
    expect(gradcheck((a, b) => conv.call(a!, edgeIndex, { edgeWeight: b! }), [x, w, ...conv.parameters()])).toBe(true);
  });

  it('rejects more input features than outChannels, and bad input, with typed errors', () => {
    const conv = new GatedGraphConv(3, 1);
    expect(() => conv.call(zeros([2, 4]), edgeIndexOf([[0, 1]]))).toThrow(ValueError);
    expect(() => conv.call(zeros([2, 3], { dtype: 'int32' }), edgeIndexOf([[0, 1]]))).toThrow(DTypeError);
    expect(() => conv.call(zeros([2, 3]), edgeIndexOf([[0, 1]]), { edgeWeight: zeros([3]) })).toThrow(ShapeError);
    expect(() => new GatedGraphConv(3, 0)).toThrow(ValueError);
  });
});
