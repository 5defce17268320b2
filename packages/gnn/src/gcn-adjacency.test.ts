import { Generator, Tensor, noGrad, tensor, type FloatDType } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MESSY_NODES, MESSY_PAIRS, edgeIndexOf, rand64, weights64 } from '../test/graphs.js';
import { GcnAdjacency, sharedGcnAdjacency, type GcnAdjacencyOptions } from './gcn-adjacency.js';
import { GCNConv, type GCNConvOptions } from './gcn-conv.js';

const BASE: GcnAdjacencyOptions = { numNodes: MESSY_NODES, edgeWeight: null, improved: false, addSelfLoops: true, dtype: 'float64' };

/** A float64 GCNConv with weights from `seed`, so two built alike have equal parameters. */
function conv(options: GCNConvOptions, seed = 3): GCNConv {
  const layer = new GCNConv(3, 2, { dtype: 'float64', generator: new Generator(seed), ...options });
  noGrad(() => layer.bias!.data.set([0.25, -0.5]));
  return layer;
}

/** The output and the gradients of x and of every parameter for the loss Σ out · r. */
function run(layer: GCNConv, x: Tensor, edgeIndex: Tensor, edgeWeight: Tensor | null): number[][] {
  layer.zeroGrad();
  const input = x.detach().requiresGrad_();
  const out = layer.call(input, edgeIndex, { edgeWeight });
  const r = rand64(out.shape as number[], 11);
  out.mul(r).sum().backward();
  return [Array.from(out.data), Array.from(input.grad!.data), ...layer.parameters().map((p) => Array.from(p.grad!.data))];
}

describe('sharedGcnAdjacency', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives one object for the same edge index, weights and options, another for any difference', () => {
    const edgeIndex = edgeIndexOf(MESSY_PAIRS);
    const weight = weights64(MESSY_PAIRS.length, 1);
    const first = sharedGcnAdjacency(edgeIndex, BASE);
    expect(sharedGcnAdjacency(edgeIndex, { ...BASE })).toBe(first);
    const variants: GcnAdjacencyOptions[] = [
      { ...BASE, improved: true },
      { ...BASE, addSelfLoops: false },
      { ...BASE, dtype: 'float32' as FloatDType },
      { ...BASE, numNodes: MESSY_NODES + 1 },
      { ...BASE, edgeWeight: weight },
    ];
    const others = variants.map((options) => sharedGcnAdjacency(edgeIndex, options));
    expect(new Set([first, ...others]).size).toBe(variants.length + 1);
    expect(sharedGcnAdjacency(edgeIndex, { ...BASE, edgeWeight: weight })).toBe(others[4]);
    // An equal edge index in another tensor is another key (identity, not contents).
    expect(sharedGcnAdjacency(edgeIndexOf(MESSY_PAIRS), BASE)).not.toBe(first);
  });

  it('holds the normalised Â and its transpose, and nothing of the COO order', () => {
    const adjacency = GcnAdjacency.build(edgeIndexOf(MESSY_PAIRS), BASE);
    const dense = adjacency.matrix.toDense().toArray() as number[][];
    const transposed = adjacency.transposed.toDense().toArray() as number[][];
    expectClose(
      transposed,
      dense.map((row, i) => row.map((_, j) => dense[j]![i]!)),
    );
    expect(adjacency.matrix.permutation).toBeNull();
    expect(adjacency.transposed.permutation).toBeNull();
    // Node 5 is isolated: only its self-loop, normalised by its degree 1.
    expect(dense[5]).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('is built once for two cached GCNConv layers over one edge index, again for other options', () => {
    const build = vi.spyOn(GcnAdjacency, 'build');
    const edgeIndex = edgeIndexOf(MESSY_PAIRS);
    const x = rand64([MESSY_NODES, 3], 5);
    conv({ cached: true }).call(x, edgeIndex);
    conv({ cached: true }, 9).call(x, edgeIndex);
    expect(build).toHaveBeenCalledTimes(1);
    conv({ cached: true, improved: true }).call(x, edgeIndex);
    conv({ cached: true }).call(x, edgeIndexOf(MESSY_PAIRS));
    expect(build).toHaveBeenCalledTimes(3);
    // Not cached: the layer normalises on every call and shares nothing.
    conv({}).call(x, edgeIndex);
    expect(build).toHaveBeenCalledTimes(3);
  });

  it.each([
    ['plain', {}, false],
    ['improved', { improved: true }, false],
    ['without self-loops', { addSelfLoops: false }, false],
    ['with edge weights', {}, true],
  ] as const)('gives a cached layer the values and gradients of an uncached one (%s)', (_, options, weighted) => {
    const edgeIndex = edgeIndexOf(MESSY_PAIRS);
    const x = rand64([MESSY_NODES, 3], 7);
    const weight = weighted ? weights64(MESSY_PAIRS.length, 2) : null;
    const expected = run(conv(options), x, edgeIndex, weight);
    const cached = conv({ cached: true, ...options });
    // Twice: the first call builds the adjacency, the second reuses it.
    for (let step = 0; step < 2; step++) {
      const got = run(cached, x, edgeIndex, weight);
      got.forEach((values, k) => expectClose(values, expected[k]!, { atol: 1e-12 }));
    }
  });

  it('passes gradcheck in x and every parameter through the shared adjacency', () => {
    const layer = conv({ cached: true });
    const edgeIndex = edgeIndexOf(MESSY_PAIRS);
    const x = rand64([MESSY_NODES, 3], 4, true);
    expect(gradcheck((a) => layer.call(a!, edgeIndex), [x, ...layer.parameters()])).toBe(true);
  });

  it('multiplies float32 features in float32', () => {
    const adjacency = sharedGcnAdjacency(edgeIndexOf(MESSY_PAIRS), { ...BASE, dtype: 'float32' });
    const h = tensor(
      Array.from({ length: MESSY_NODES }, (_, i) => [i, 1]),
      { dtype: 'float32' },
    );
    const out = adjacency.multiply(h);
    expect(out.dtype).toBe('float32');
    expectClose(out, adjacency.matrix.toDense({ dtype: 'float32' }).matmul(h), { atol: 1e-6 });
  });
});
