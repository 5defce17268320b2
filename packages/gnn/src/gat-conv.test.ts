import { DTypeError, Generator, IndexError, ShapeError, ValueError, noGrad, ones, zeros, type Tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it, vi } from 'vitest';
import { MESSY_NODES, MESSY_PAIRS, edgeIndexOf, rand64 } from '../test/graphs.js';
import { attentionAggregate, attentionEdges } from './attention.js';
import { GATConv } from './gat-conv.js';
import { Edges } from './edges.js';

/** Σ_e alpha[e, h] over the edges into each node: [N, H]. */
function attentionMass(edgeIndex: Tensor, alpha: Tensor, numNodes: number): number[][] {
  const heads = alpha.shape[1]!;
  const mass = Array.from({ length: numNodes }, () => new Array<number>(heads).fill(0));
  const e = edgeIndex.shape[1]!;
  for (let k = 0; k < e; k++) for (let h = 0; h < heads; h++) mass[edgeIndex.data[e + k]!]![h]! += alpha.data[k * heads + h]!;
  return mass;
}

describe('GATConv', () => {
  const edgeIndex = edgeIndexOf(MESSY_PAIRS);

  it('has the state dict of PyG: att_src, att_dst [1, H, C], bias, lin.weight [H·C, in]', () => {
    const conv = new GATConv(5, 3, { heads: 4 });
    expect(Object.entries(conv.stateDict()).map(([k, t]) => [k, t.shape])).toEqual([
      ['att_src', [1, 4, 3]],
      ['att_dst', [1, 4, 3]],
      ['bias', [12]],
      ['lin.weight', [12, 5]],
    ]);
    expect(new GATConv(5, 3, { heads: 4, concat: false }).bias!.shape).toEqual([3]);
    expect(Object.keys(new GATConv(5, 3, { bias: false }).stateDict())).toEqual(['att_src', 'att_dst', 'lin.weight']);
  });

  it('concatenates the heads to [N, H·C] or averages them to [N, C]', () => {
    const x = rand64([MESSY_NODES, 5], 1);
    const concat = new GATConv(5, 3, { heads: 2, dtype: 'float64', generator: new Generator(2) });
    const mean = new GATConv(5, 3, { heads: 2, concat: false, dtype: 'float64', generator: new Generator(2) });
    const a = concat.call(x, edgeIndex);
    const b = mean.call(x, edgeIndex);
    expect(a.shape).toEqual([MESSY_NODES, 6]);
    expect(b.shape).toEqual([MESSY_NODES, 3]);
    // Same weights (same generator): the mean of the two concatenated halves.
    const halves = a.toArray() as number[][];
    expectClose(
      b,
      halves.map((row) => [0, 1, 2].map((c) => (row[c]! + row[3 + c]!) / 2)),
      { atol: 1e-12 },
    );
  });

  it('returns attention over every node’s incoming edges that sums to 1, with one self-loop per node', () => {
    const conv = new GATConv(5, 3, { heads: 3 });
    const { out, attention } = conv.call(rand64([MESSY_NODES, 5], 3).float(), edgeIndex, { returnAttentionWeights: true });
    expect(out.shape).toEqual([MESSY_NODES, 9]);
    // The existing loop 2 → 2 is replaced; every node, the isolated 5 included, gets one loop at the end.
    const pairs = MESSY_PAIRS.filter(([s, t]) => s !== t);
    const loops = Array.from({ length: MESSY_NODES }, (_, i) => [i, i] as [number, number]);
    expect(attention.edgeIndex.toArray()).toEqual(edgeIndexOf([...pairs, ...loops]).toArray());
    expect(attention.alpha.shape).toEqual([pairs.length + MESSY_NODES, 3]);
    expectClose(attentionMass(attention.edgeIndex, attention.alpha, MESSY_NODES), ones([MESSY_NODES, 3]), { atol: 1e-6 });
    // Node 5 only attends to itself.
    expectClose(Array.from(attention.alpha.data).slice(-3), [1, 1, 1]);
  });

  it('attends uniformly when all nodes have the same features', () => {
    const conv = new GATConv(4, 2, { heads: 2, dtype: 'float64' });
    const { attention } = conv.call(ones([MESSY_NODES, 4], { dtype: 'float64' }), edgeIndex, { returnAttentionWeights: true });
    const inDegree = new Array<number>(MESSY_NODES).fill(0);
    const targets = Array.from(attention.edgeIndex.data).slice(attention.edgeIndex.shape[1]!);
    for (const t of targets) inDegree[t]!++;
    expectClose(
      attention.alpha,
      targets.map((t) => [1 / inDegree[t]!, 1 / inDegree[t]!]),
      { atol: 1e-12 },
    );
  });

  it('without self-loops, gives a node with no incoming edge only the bias', () => {
    const conv = new GATConv(5, 3, { addSelfLoops: false, dtype: 'float64' });
    noGrad(() => conv.bias!.data.set([1, 2, 3]));
    const out = conv.call(rand64([MESSY_NODES, 5], 4), edgeIndex).toArray() as number[][];
    expectClose(out[5]!, [1, 2, 3]);
  });

  it('passes gradcheck with several heads (concat and mean) on a graph with a loop, a duplicate and an isolated node', () => {
    for (const concat of [true, false]) {
      const conv = new GATConv(3, 2, { heads: 2, concat, dtype: 'float64', generator: new Generator(5) });
      noGrad(() => conv.bias!.data.set(concat ? [0.1, 0.2, 0.3, 0.4] : [0.1, 0.2]));
      const x = rand64([MESSY_NODES, 3], 6, true);
      expect(gradcheck((a) => conv.call(a!, edgeIndex), [x, ...conv.parameters()])).toBe(true);
    }
  });

  it('passes gradcheck of the attention coefficients without self-loops', () => {
    const conv = new GATConv(3, 2, { heads: 2, addSelfLoops: false, negativeSlope: 0.1, dtype: 'float64', generator: new Generator(7) });
    const x = rand64([MESSY_NODES, 3], 8, true);
    expect(gradcheck((a) => conv.call(a!, edgeIndex, { returnAttentionWeights: true }).attention.alpha, [x, ...conv.parameters()])).toBe(
      true,
    );
  });

  it('drops attention coefficients reproducibly in training and not at all in eval', () => {
    const x = rand64([MESSY_NODES, 5], 9).float();
    const make = () => new GATConv(5, 3, { heads: 2, dropout: 0.5, generator: new Generator(10) });
    const a = make().call(x, edgeIndex, { returnAttentionWeights: true });
    const b = make().call(x, edgeIndex, { returnAttentionWeights: true });
    expect(Array.from(a.attention.alpha.data)).toEqual(Array.from(b.attention.alpha.data));
    const { attention } = make().eval().call(x, edgeIndex, { returnAttentionWeights: true });
    expectClose(attentionMass(attention.edgeIndex, attention.alpha, MESSY_NODES), ones([MESSY_NODES, 2]), { atol: 1e-6 });
    // In training each coefficient is dropped (0) or kept and scaled by 1 / (1 − p) = 2.
    const dropped = Array.from(a.attention.alpha.data).map((v, k) => (v === 0 ? 0 : v / attention.alpha.data[k]!));
    expect(dropped.some((r) => r === 0)).toBe(true);
    expect(dropped.some((r) => r !== 0)).toBe(true);
    for (const r of dropped) if (r !== 0) expect(r).toBeCloseTo(2, 5);
  });

  it('inputDropout draws a separate mask for every head, on dense and on sparse inputs', () => {
    // One channel per head, every weight 1: head h outputs the sum of its kept, rescaled inputs.
    const features = 400;
    const conv = new GATConv(features, 1, {
      heads: 3,
      perHeadInputDropout: 0.5,
      addSelfLoops: false,
      bias: false,
      generator: new Generator(3),
    });
    conv.lin.weight.data.fill(1);
    conv.att_src.data.fill(0);
    conv.att_dst.data.fill(0);
    const loop = edgeIndexOf([[0, 0]]);
    for (const x of [ones([1, features]), ones([1, features]).requiresGrad_()]) {
      const heads = Array.from(conv.call(x, loop).data);
      expect(new Set(heads).size).toBe(3);
      for (const v of heads) {
        expect(v % 2).toBe(0); // kept inputs count 1 / (1 − p) = 2 each
        expect(Math.abs(v - features)).toBeLessThan(5 * Math.sqrt(features)); // E = features, sd = √features
      }
    }
    const sparse = zeros([1, features]);
    sparse.data[7] = 1;
    const hits = Array.from({ length: 200 }, () => Array.from(conv.call(sparse, loop).data)).flat();
    expect(new Set(hits)).toEqual(new Set([0, 2]));
    expect(Math.abs(hits.filter((v) => v === 2).length / hits.length - 0.5)).toBeLessThan(0.1);
    expect(Array.from(conv.eval().call(ones([1, features]), loop).data)).toEqual([features, features, features]);
  });

  it('featureDropout drops the weighed features, not those the scores come from', () => {
    const x = rand64([MESSY_NODES, 5], 11);
    const make = (featureDropout: number) =>
      new GATConv(5, 3, { heads: 2, featureDropout, dtype: 'float64', generator: new Generator(12) });
    const plain = make(0).call(x, edgeIndex, { returnAttentionWeights: true });
    const dropped = make(0.5).call(x, edgeIndex, { returnAttentionWeights: true });
    expect(Array.from(dropped.attention.alpha.data)).toEqual(Array.from(plain.attention.alpha.data));
    expect(Array.from(dropped.out.data)).not.toEqual(Array.from(plain.out.data));
    const all = make(1);
    all.bias!.data.fill(0.25);
    expect(new Set(all.call(x, edgeIndex).data)).toEqual(new Set([0.25]));
    expectClose(make(0.5).eval().call(x, edgeIndex), plain.out, { atol: 0 });
  });

  it('passes gradcheck with per-head input dropout and feature dropout (masks re-drawn from one seed)', () => {
    const generator = new Generator(0);
    const conv = new GATConv(4, 2, { heads: 2, perHeadInputDropout: 0.3, featureDropout: 0.3, dropout: 0.2, dtype: 'float64', generator });
    const x = rand64([MESSY_NODES, 4], 13);
    const sparseInput = rand64([MESSY_NODES, 4], 14);
    for (let k = 0; k < sparseInput.data.length; k += 3) sparseInput.data[k] = 0;
    // x needs a gradient (the dense path); sparseInput does not (the sparse path).
    expect(gradcheck((a) => (generator.manualSeed(1), conv.call(a!, edgeIndex)), [x, ...conv.parameters()])).toBe(true);
    expect(gradcheck(() => (generator.manualSeed(1), conv.call(sparseInput, edgeIndex)), [...conv.parameters()])).toBe(true);
  });

  it('attentionBias adds a bias per head to each half of the score, inside the LeakyReLU', () => {
    const heads = 2;
    const make = (attentionBias: boolean) =>
      new GATConv(3, 2, { heads, attentionBias, negativeSlope: 0.2, dtype: 'float64', generator: new Generator(15) });
    const conv = make(true);
    expect(Object.entries(conv.stateDict()).map(([k, t]) => [k, t.shape])).toEqual([
      ['att_src', [1, 2, 2]],
      ['att_dst', [1, 2, 2]],
      ['att_src_bias', [2]],
      ['att_dst_bias', [2]],
      ['bias', [4]],
      ['lin.weight', [4, 3]],
    ]);
    const x = rand64([MESSY_NODES, 3], 16);
    // Zero at the start: the same layer as without.
    expect(Array.from(conv.att_src_bias!.data)).toEqual([0, 0]);
    expectClose(conv.call(x, edgeIndex), make(false).call(x, edgeIndex), { atol: 0 });
    noGrad(() => {
      conv.att_src_bias!.data.set([0.3, -0.7]);
      conv.att_dst_bias!.data.set([-0.1, 0.4]);
    });
    const { attention } = conv.call(x, edgeIndex, { returnAttentionWeights: true });
    // By hand: e_ij = LeakyReLU(a_dst·Θx_i + b_dst + a_src·Θx_j + b_src), softmax over each i's edges.
    const weight = conv.lin.weight.toArray() as number[][];
    const rows = x.toArray() as number[][];
    const theta = rows.map((row) => weight.map((w) => w.reduce((acc, v, k) => acc + v * row[k]!, 0)));
    const half = (a: Tensor, node: number, h: number) => [0, 1].reduce((acc, c) => acc + a.data[h * 2 + c]! * theta[node]![h * 2 + c]!, 0);
    const e = attention.edgeIndex.shape[1]!;
    const expected: number[][] = [];
    for (let h = 0; h < heads; h++) {
      const score = (k: number) => {
        const j = attention.edgeIndex.data[k]!;
        const i = attention.edgeIndex.data[e + k]!;
        const s = half(conv.att_dst, i, h) + conv.att_dst_bias!.data[h]! + half(conv.att_src, j, h) + conv.att_src_bias!.data[h]!;
        return s > 0 ? s : 0.2 * s;
      };
      for (let k = 0; k < e; k++) {
        const target = attention.edgeIndex.data[e + k]!;
        let total = 0;
        for (let m = 0; m < e; m++) if (attention.edgeIndex.data[e + m] === target) total += Math.exp(score(m));
        (expected[k] ??= [])[h] = Math.exp(score(k)) / total;
      }
    }
    expectClose(attention.alpha, expected, { atol: 1e-12 });
    // The biases matter: the attention differs from the bias-free layer's.
    const plain = make(false).call(x, edgeIndex, { returnAttentionWeights: true });
    expect(Math.max(...Array.from(attention.alpha.data).map((v, k) => Math.abs(v - plain.attention.alpha.data[k]!)))).toBeGreaterThan(1e-3);
    expect(conv.toString()).toContain('attentionBias=true');
  });

  it('passes gradcheck with the attention biases', () => {
    const conv = new GATConv(3, 2, { heads: 2, attentionBias: true, dtype: 'float64', generator: new Generator(17) });
    noGrad(() => {
      conv.att_src_bias!.data.set([0.2, -0.3]);
      conv.att_dst_bias!.data.set([-0.4, 0.1]);
    });
    const x = rand64([MESSY_NODES, 3], 18, true);
    expect(gradcheck((a) => conv.call(a!, edgeIndex), [x, ...conv.parameters()])).toBe(true);
    expect(gradcheck((a) => conv.call(a!, edgeIndex, { returnAttentionWeights: true }).attention.alpha, [x, ...conv.parameters()])).toBe(
      true,
    );
  });

  it('rejects bad input and options with typed errors', () => {
    expect(() => new GATConv(3, 2, { perHeadInputDropout: -0.1 })).toThrow(ValueError);
    expect(() => new GATConv(3, 2, { featureDropout: 2 })).toThrow(ValueError);
    expect(() => new GATConv(3, 2, { attentionBias: 'yes' as unknown as boolean })).toThrow(/attentionBias must be a boolean, got yes/);
    const conv = new GATConv(3, 2);
    expect(() => conv.call(zeros([2, 4]), edgeIndexOf([[0, 1]]))).toThrow(ShapeError);
    expect(() => conv.call(zeros([2, 3], { dtype: 'int32' }), edgeIndexOf([[0, 1]]))).toThrow(DTypeError);
    expect(() => conv.call(zeros([2, 3]), edgeIndexOf([[0, 2]]))).toThrow(IndexError);
    expect(() => conv.call(zeros([2, 3]), edgeIndexOf([[0, 1]]).float())).toThrow(DTypeError);
    expect(() => new GATConv(3, 2, { heads: 0 })).toThrow(ValueError);
    expect(() => new GATConv(3, 2, { dropout: 1.5 })).toThrow(ValueError);
  });
});

describe("attention edge sets and the heads' block-diagonal adjacency", () => {
  const edgeIndex = edgeIndexOf(MESSY_PAIRS);

  it('attentionAggregate weighs every head by its own coefficients: Σ_e alpha[e, h] · x[source_e, h, :]', () => {
    const edges = Edges.fromEdgeIndex('test', edgeIndex, { numNodes: MESSY_NODES });
    const [heads, channels, e] = [3, 2, edgeIndex.shape[1]!];
    const x = rand64([MESSY_NODES, heads, channels], 5);
    const alpha = rand64([e, heads], 6);
    const out = attentionAggregate(edges, x, alpha);
    expect(out.shape).toEqual([MESSY_NODES, heads, channels]);
    const expected = new Float64Array(MESSY_NODES * heads * channels);
    for (let k = 0; k < e; k++) {
      const [j, i] = [edgeIndex.data[k]!, edgeIndex.data[e + k]!];
      for (let h = 0; h < heads; h++)
        for (let c = 0; c < channels; c++)
          expected[(i * heads + h) * channels + c]! += alpha.data[k * heads + h]! * x.data[(j * heads + h) * channels + c]!;
    }
    expectClose(out, expected, { atol: 1e-12 });
    // Node 5 has no incoming edge: zeros; the duplicate 0 → 1 counts twice.
    expect(Array.from(out.data.slice(5 * heads * channels))).toEqual(new Array(heads * channels).fill(0));
  });

  it('passes gradcheck in x and in the coefficients', () => {
    const edges = Edges.fromEdgeIndex('test', edgeIndex, { numNodes: MESSY_NODES });
    const x = rand64([MESSY_NODES, 2, 3], 7, true);
    const alpha = rand64([edgeIndex.shape[1]!, 2], 8, true);
    expect(gradcheck((a, b) => attentionAggregate(edges, a, b), [x, alpha])).toBe(true);
    expect(() => edges.headAdjacency(rand64([3, 2], 9))).toThrow(ShapeError);
  });

  it('with cached: true builds its edge set on the first forward only; without, on every forward', () => {
    const index = edgeIndexOf(MESSY_PAIRS);
    const x = rand64([MESSY_NODES, 4], 10);
    const builds = vi.spyOn(Edges, 'fromEdgeIndex');
    try {
      for (const cached of [false, true]) {
        builds.mockClear();
        const conv = new GATConv(4, 2, { heads: 2, cached, dtype: 'float64', generator: new Generator(3) });
        const first = conv.call(x, index);
        const perForward = builds.mock.calls.length;
        expect(perForward).toBeGreaterThan(0);
        for (let epoch = 0; epoch < 3; epoch++) expectClose(conv.call(x, index), first.data, { atol: 0 });
        expect(builds.mock.calls.length).toBe(cached ? perForward : 4 * perForward);
        expect(conv.hasCache).toBe(cached);
      }
    } finally {
      builds.mockRestore();
    }
  });

  it('with cached: true shares one edge set between layers over one edge index, whatever their head counts', () => {
    const index = edgeIndexOf(MESSY_PAIRS);
    const x = rand64([MESSY_NODES, 4], 12);
    const layer = (heads: number, cached: boolean): GATConv =>
      new GATConv(4, 2, { heads, cached, dtype: 'float64', generator: new Generator(heads) });
    const builds = vi.spyOn(Edges, 'fromEdgeIndex');
    try {
      const [a, b] = [layer(2, true), layer(3, true)];
      const firstA = a.call(x, index);
      const perLayer = builds.mock.calls.length;
      const firstB = b.call(x, index);
      expect(builds.mock.calls.length).toBe(perLayer);
      // Alternating layers of 2 and 3 heads over the shared edges: each keeps its own head structure.
      for (let step = 0; step < 2; step++) {
        expectClose(a.call(x, index), firstA.data, { atol: 0 });
        expectClose(b.call(x, index), firstB.data, { atol: 0 });
      }
      expectClose(firstA, layer(2, false).call(x, index), { atol: 0 });
      expectClose(firstB, layer(3, false).call(x, index), { atol: 0 });
      // Another edge index tensor (equal contents): another edge set.
      const before = builds.mock.calls.length;
      layer(2, true).call(x, edgeIndexOf(MESSY_PAIRS));
      expect(builds.mock.calls.length).toBe(before + perLayer);
    } finally {
      builds.mockRestore();
    }
  });

  it('with cached: true keeps the first graph until clearCache(), and refuses another node count', () => {
    const index = edgeIndexOf(MESSY_PAIRS);
    const conv = new GATConv(4, 2, { heads: 2, cached: true, dtype: 'float64', generator: new Generator(3) });
    const x = rand64([MESSY_NODES, 4], 10);
    const before = conv.call(x, index);
    const moved = edgeIndexOf([[4, 1], ...MESSY_PAIRS.slice(1)]);
    expectClose(conv.call(x, moved), before.data, { atol: 0 });
    conv.clearCache();
    const after = conv.call(x, moved);
    expectClose(after, new GATConv(4, 2, { heads: 2, dtype: 'float64', generator: new Generator(3) }).call(x, moved), { atol: 0 });
    expect(Array.from(after.data)).not.toEqual(Array.from(before.data));
    expect(() => conv.call(rand64([MESSY_NODES + 1, 4], 1), moved)).toThrow(ShapeError);
    expect(attentionEdges('test', index, MESSY_NODES, false).numEdges).toBe(MESSY_PAIRS.length);
  });

  it('returns a copy of the edge index it attended over, so changing it changes nothing kept', () => {
    const index = edgeIndexOf(MESSY_PAIRS);
    const conv = new GATConv(4, 2, { heads: 2, dtype: 'float64', generator: new Generator(3) });
    const x = rand64([MESSY_NODES, 4], 11);
    const { out, attention } = conv.call(x, index, { returnAttentionWeights: true });
    attention.edgeIndex.data.fill(0);
    expectClose(conv.call(x, index), out.data, { atol: 0 });
  });
});
