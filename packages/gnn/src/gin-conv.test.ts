import { DTypeError, Generator, ShapeError, nn, noGrad, zeros } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { MESSY_NODES, MESSY_PAIRS, edgeIndexOf, rand64 } from '../test/graphs.js';
import { GINConv } from './gin-conv.js';

const mlp = (seed: number) =>
  new nn.Sequential(
    new nn.Linear({ inFeatures: 3, outFeatures: 4, dtype: 'float64', generator: new Generator(seed) }),
    new nn.Tanh(),
    new nn.Linear({ inFeatures: 4, outFeatures: 2, dtype: 'float64', generator: new Generator(seed + 1) }),
  );

describe('GINConv', () => {
  const edgeIndex = edgeIndexOf(MESSY_PAIRS);

  it('computes nn((1 + ε) x_i + Σ_j x_j)', () => {
    const conv = new GINConv(new nn.Identity(), { eps: 0.5, dtype: 'float64' });
    const x = rand64([3, 2], 0);
    noGrad(() => x.data.set([1, 2, 3, 4, 5, 6]));
    const out = conv.call(
      x,
      edgeIndexOf([
        [0, 1],
        [2, 1],
        [0, 1],
      ]),
    );
    expectClose(out, [
      [1.5, 3],
      [4.5 + 1 + 5 + 1, 6 + 2 + 6 + 2],
      [7.5, 9],
    ]);
  });

  it('keeps ε as a buffer, or as a parameter with trainEps; both are `eps` [1] in the state dict before nn.*', () => {
    const fixed = new GINConv(mlp(1));
    expect(Object.keys(fixed.stateDict())).toEqual(['eps', 'nn.0.weight', 'nn.0.bias', 'nn.2.weight', 'nn.2.bias']);
    expect(fixed.namedParameters().map(([k]) => k)).not.toContain('eps');
    const trained = new GINConv(mlp(1), { eps: 0.1, trainEps: true });
    expect(Object.keys(trained.stateDict())[0]).toBe('eps');
    expect(trained.namedParameters().map(([k]) => k)).toContain('eps');
    noGrad(() => trained.eps.data.fill(7));
    trained.resetParameters();
    expect(trained.eps.data[0]).toBeCloseTo(0.1, 6);
  });

  it('passes gradcheck in x, ε and the network on a graph with a loop, a duplicate and an isolated node', () => {
    const conv = new GINConv(mlp(2), { eps: 0.2, trainEps: true, dtype: 'float64' });
    const x = rand64([MESSY_NODES, 3], 3, true);
    expect(gradcheck((a) => conv.call(a!, edgeIndex), [x, ...conv.parameters()])).toBe(true);
  });

  it('rejects bad input with typed errors', () => {
    const conv = new GINConv(mlp(1));
    expect(() => conv.call(zeros([2, 3], { dtype: 'int32' }), edgeIndexOf([[0, 1]]))).toThrow(DTypeError);
    expect(() => conv.call(zeros([3]), edgeIndexOf([[0, 1]]))).toThrow(ShapeError);
  });
});
