import { Generator, ValueError, manualSeed, randn, sum, tensor } from '@tensorloom/core-tensor';
import { gradcheck } from '@tensorloom/core-tensor/testing';
import { karateClub } from '@tensorloom/graph';
import { describe, expect, it, vi } from 'vitest';
import { Edges } from './edges.js';
import { GATConv } from './gat-conv.js';
import { GAT, GCN, GNN, type ConvKind } from './models.js';
import { trainNodeClassifier } from './node-classification.js';
import { oversmoothing } from './oversmoothing.js';

/** `heads` for the attention convolutions, which alone take it. */
const headsFor = (conv: ConvKind, heads: number) => (conv === 'gat' || conv === 'gatv2' ? { heads } : {});

const shapes = (model: GNN) => Object.fromEntries(model.namedParameters().map(([name, p]) => [name, p.shape]));

describe('GCN', () => {
  it("is Kipf & Welling's 2-layer, 16-hidden network with PyG's parameter names", () => {
    const model = new GCN({ inChannels: 1433, outChannels: 7 });
    expect(shapes(model)).toEqual({
      'convs.0.bias': [16],
      'convs.0.lin.weight': [16, 1433],
      'convs.1.bias': [7],
      'convs.1.lin.weight': [7, 16],
    });
    expect(model.dropout).toBe(0.5);
    expect(model.inputDropout).toBe(0.5);
    expect(model.act).toBe('relu');
  });
});

describe('GAT', () => {
  it('has 8 concatenated heads of 8 and a 1-head output layer by default', () => {
    const model = new GAT({ inChannels: 20, outChannels: 3 });
    expect(shapes(model)).toEqual({
      'convs.0.att_src': [1, 8, 8],
      'convs.0.att_dst': [1, 8, 8],
      'convs.0.bias': [64],
      'convs.0.lin.weight': [64, 20],
      'convs.1.att_src': [1, 1, 3],
      'convs.1.att_dst': [1, 1, 3],
      'convs.1.bias': [3],
      'convs.1.lin.weight': [3, 64],
    });
    expect(model.act).toBe('elu');
    expect(model.dropout).toBe(0.6);
  });

  it("'per-head' dropout placement moves the dropout into the GATConvs and leaves eval unchanged", () => {
    const make = (dropoutPlacement: 'layer-input' | 'per-head') =>
      new GAT({ inChannels: 20, outChannels: 3, dropoutPlacement, generator: new Generator(4) });
    const perHead = make('per-head');
    const convs = [...perHead.convs] as GATConv[];
    expect(convs.map((c) => [c.perHeadInputDropout, c.featureDropout, c.dropout])).toEqual([
      [0.6, 0.6, 0.6],
      [0.6, 0.6, 0.6],
    ]);
    expect(([...make('layer-input').convs] as GATConv[]).map((c) => [c.perHeadInputDropout, c.featureDropout])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    const x = randn([5, 20], { generator: new Generator(0) });
    const edgeIndex = tensor(
      [
        [0, 1, 2, 3],
        [1, 2, 3, 4],
      ],
      { dtype: 'int32' },
    );
    expect(Array.from(perHead.eval().call(x, edgeIndex).data)).toEqual(Array.from(make('layer-input').eval().call(x, edgeIndex).data));
    // @ts-expect-error dropoutPlacement belongs to conv 'gat' (JavaScript callers get a ValueError)
    expect(() => new GNN({ conv: 'gcn', inChannels: 4, hiddenChannels: 4, outChannels: 2, dropoutPlacement: 'per-head' })).toThrow(
      ValueError,
    );
    expect(
      () => new GNN({ conv: 'gat', inChannels: 4, hiddenChannels: 4, outChannels: 2, dropoutPlacement: 'inside' as 'per-head' }),
    ).toThrow(ValueError);
  });

  it('attentionBias gives every GATConv the score biases, and only GAT can have them', () => {
    const model = new GAT({ inChannels: 20, outChannels: 3, attentionBias: true, dropoutPlacement: 'per-head' });
    expect(([...model.convs] as GATConv[]).map((c) => c.attentionBias)).toEqual([true, true]);
    expect(
      model
        .namedParameters()
        .map(([name, p]) => [name, p.shape])
        .filter(([name]) => String(name).includes('att_')),
    ).toEqual([
      ['convs.0.att_src', [1, 8, 8]],
      ['convs.0.att_dst', [1, 8, 8]],
      ['convs.0.att_src_bias', [8]],
      ['convs.0.att_dst_bias', [8]],
      ['convs.1.att_src', [1, 1, 3]],
      ['convs.1.att_dst', [1, 1, 3]],
      ['convs.1.att_src_bias', [1]],
      ['convs.1.att_dst_bias', [1]],
    ]);
    expect(([...new GAT({ inChannels: 20, outChannels: 3 }).convs] as GATConv[]).map((c) => c.att_src_bias)).toEqual([null, null]);
    // @ts-expect-error attentionBias belongs to conv 'gat'
    expect(() => new GNN({ conv: 'gatv2', inChannels: 4, hiddenChannels: 4, outChannels: 2, attentionBias: true })).toThrow(
      /attentionBias applies to conv 'gat', not 'gatv2'/,
    );
  });

  it('averages 8 output heads for the PubMed setting', () => {
    const model = new GAT({ inChannels: 20, outChannels: 3, outHeads: 8 });
    const p = shapes(model);
    expect(p['convs.1.lin.weight']).toEqual([24, 64]);
    expect(p['convs.1.bias']).toEqual([3]);
    const x = randn([5, 20], { generator: new Generator(0) });
    const edgeIndex = tensor(
      [
        [0, 1, 2, 3],
        [1, 2, 3, 4],
      ],
      { dtype: 'int32' },
    );
    expect(model.eval().call(x, edgeIndex).shape).toEqual([5, 3]);
  });
});

describe('GNN', () => {
  const x = randn([6, 5], { generator: new Generator(1) });
  const edgeIndex = tensor(
    [
      [0, 1, 1, 2, 3, 4, 5, 0],
      [1, 0, 2, 1, 4, 3, 0, 5],
    ],
    { dtype: 'int32' },
  );

  it.each<[ConvKind, number]>([
    ['gcn', 4],
    ['gat', 8],
    ['gatv2', 8],
    ['sage', 4],
    ['gin', 4],
  ])('stacks %s layers with the right widths', (conv, hiddenWidth) => {
    const model = new GNN({ conv, inChannels: 5, hiddenChannels: 4, outChannels: 3, numLayers: 3, ...headsFor(conv, 2) });
    expect(model.convs.length).toBe(3);
    const hs = model.eval().representations(x, edgeIndex);
    expect(hs.map((h) => h.shape)).toEqual([
      [6, hiddenWidth],
      [6, hiddenWidth],
      [6, 3],
    ]);
    expect(Array.from(model.call(x, edgeIndex).data)).toEqual(Array.from(hs[2]!.data));
  });

  it('applies dropout in training mode only', () => {
    manualSeed(2);
    const model = new GNN({ conv: 'gcn', inChannels: 5, hiddenChannels: 8, outChannels: 3, dropout: 0.5 });
    const a = model.eval().call(x, edgeIndex);
    const b = model.call(x, edgeIndex);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    const c = model.train().call(x, edgeIndex);
    expect(Array.from(c.data)).not.toEqual(Array.from(a.data));
  });

  it('draws the same weights and masks from the same generator seed', () => {
    const run = () => {
      const model = new GNN({
        conv: 'gat',
        inChannels: 5,
        hiddenChannels: 4,
        outChannels: 3,
        heads: 2,
        attentionDropout: 0.3,
        generator: new Generator(7),
      });
      return Array.from(model.call(x, edgeIndex).data);
    };
    expect(run()).toEqual(run());
  });

  it('is differentiable end to end (float64 gradcheck of a GCN stack)', () => {
    const model = new GNN({
      conv: 'gcn',
      inChannels: 5,
      hiddenChannels: 4,
      outChannels: 2,
      dropout: 0,
      act: 'tanh',
      dtype: 'float64',
      generator: new Generator(3),
    });
    const x64 = randn([6, 5], { generator: new Generator(4), dtype: 'float64' });
    const weight = model.convs.at(0).getParameter('lin.weight')!;
    // gradcheck perturbs the weight in place; the model reads it on every call.
    expect(gradcheck(() => sum(model.call(x64, edgeIndex)), [weight])).toBe(true);
  });

  it('rejects bad options with a ValueError', () => {
    const base = { inChannels: 5, hiddenChannels: 4, outChannels: 3 };
    expect(() => new GNN({ ...base, conv: 'cheb' as ConvKind })).toThrow(ValueError);
    expect(() => new GNN({ ...base, conv: 'gcn', numLayers: 0 })).toThrow(ValueError);
    expect(() => new GNN({ ...base, conv: 'gcn', hiddenChannels: 2.5 })).toThrow(ValueError);
    expect(() => new GNN({ ...base, conv: 'gcn', dropout: 1.5 })).toThrow(ValueError);
    expect(() => new GNN({ ...base, conv: 'gcn', act: 'gelu' as never })).toThrow(ValueError);
    expect(() => new GNN({ ...base, conv: 'gat', heads: 0 })).toThrow(ValueError);
  });
});

describe('the edge set of a GAT during training', () => {
  it('is built in the first epoch only when cached (the GAT model and recipe default), in every epoch when not', () => {
    const data = karateClub();
    const builds = vi.spyOn(Edges, 'fromEdgeIndex');
    try {
      const counts: number[] = [];
      for (const cached of [true, false]) {
        builds.mockClear();
        manualSeed(0);
        const model = new GAT({ inChannels: data.numFeatures, outChannels: data.numClasses, heads: 2, cached });
        const perEpoch: number[] = [];
        trainNodeClassifier(model, data, { epochs: 4, onEpoch: () => perEpoch.push(builds.mock.calls.length) });
        counts.push(builds.mock.calls.length);
        // Cached: nothing is built after the first epoch, and the two layers share one edge set. Not
        // cached: every epoch (a training and an evaluation forward of both layers) builds the edge
        // sets again, four times as many as a cached model builds in all.
        if (cached) expect(new Set(perEpoch).size).toBe(1);
        else for (let e = 1; e < 4; e++) expect(perEpoch[e]! - perEpoch[e - 1]!).toBe(4 * counts[0]!);
      }
      expect(counts[0]).toBeGreaterThan(0);
      expect([...new GAT({ inChannels: 3, outChannels: 2 }).convs].map((conv) => (conv as GATConv).cached)).toEqual([true, true]);
    } finally {
      builds.mockRestore();
    }
  });
});

describe('training on the karate club (2 labelled leaders, 32 members to classify)', () => {
  const data = karateClub();

  it('GCN classifies at least 90% of the other members in every seed', () => {
    for (const seed of [0, 1, 2]) {
      manualSeed(seed);
      const model = new GCN({ inChannels: data.numFeatures, outChannels: data.numClasses });
      const result = trainNodeClassifier(model, data, { epochs: 100 });
      expect(result.trainAccuracy).toBe(1);
      expect(result.testAccuracy).toBeGreaterThanOrEqual(0.9);
      expect(result.bestEpoch).toBe(100); // no validation nodes: the last weights are kept
    }
  });

  it('GAT classifies at least 90% of the other members in every seed', () => {
    for (const seed of [0, 1, 2]) {
      manualSeed(seed);
      const model = new GAT({ inChannels: data.numFeatures, outChannels: data.numClasses, dropout: 0.5, attentionDropout: 0.5 });
      const result = trainNodeClassifier(model, data, { epochs: 200, lr: 0.01 });
      expect(result.trainAccuracy).toBe(1);
      expect(result.testAccuracy).toBeGreaterThanOrEqual(0.9);
    }
  });

  it.each<ConvKind>(['gatv2', 'sage', 'gin'])('GNN with %s learns the club split too', (conv) => {
    manualSeed(0);
    const model = new GNN({ conv, inChannels: data.numFeatures, hiddenChannels: 16, outChannels: data.numClasses, ...headsFor(conv, 4) });
    const result = trainNodeClassifier(model, data, { epochs: 100 });
    expect(result.trainAccuracy).toBe(1);
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0.8);
  });
});

describe('over-smoothing of an untrained deep GCN', () => {
  it('makes the members alike as layers are added', () => {
    const data = karateClub({ features: 'random' });
    manualSeed(0);
    const model = new GNN({ conv: 'gcn', inChannels: data.numFeatures, hiddenChannels: 16, outChannels: 16, numLayers: 32, dropout: 0 });
    const report = oversmoothing(model, data.edgeIndex, { x: data.x });
    expect(report).toHaveLength(33);
    const depths = [0, 1, 2, 4, 8, 16, 32];
    const similarity = depths.map((d) => report[d]!.meanCosineSimilarity);
    for (let k = 1; k < similarity.length; k++) expect(similarity[k]).toBeGreaterThan(similarity[k - 1]!);
    expect(similarity[0]).toBeLessThan(0.05);
    expect(similarity.at(-1)).toBeGreaterThan(0.99);
    expect(report[32]!.rayleighQuotient).toBeLessThan(report[1]!.rayleighQuotient / 100);
  });
});
