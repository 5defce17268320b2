/**
 * tensorloom's graph layers against PyTorch references of PyTorch Geometric's layers: the fixtures
 * in test/fixtures/ were written by make_fixtures.py (see the README there). Each case loads the
 * state dict strictly under PyG's names, runs forward and backward, and compares the output and
 * the gradients of x and of every parameter (and of the edge weights, and the attention
 * coefficients, where the case has them), float32 on both sides, to
 * |actual − expected| ≤ 1e-6 + 1e-5·|expected|.
 *
 * Set TENSORLOOM_PARITY_REPORT=1 to print the largest errors per group.
 */
import { nn } from '@tensorloom/core-tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { GATConv, GATv2Conv, GatedGraphConv, GCNConv, GINConv, SAGEConv } from '../src/layers.js';
import { ParityReport, checkCase, inputsOf, loadFixture, need } from './parity-support.js';

const report = new ParityReport();
afterAll(() => report.print());

const gcn = await loadFixture('gcn_conv.safetensors');
const gat = await loadFixture('gat_conv.safetensors');
const gatv2 = await loadFixture('gatv2_conv.safetensors');
const sage = await loadFixture('sage_conv.safetensors');
const ginGated = await loadFixture('gin_gated_graph_conv.safetensors');

describe('GCNConv matches PyTorch (gcn_conv.safetensors)', () => {
  const { tensors, cases } = gcn;
  const all = Object.values(cases);

  it(
    'covers self-loops present, duplicate edges, isolated nodes, edge ' + 'weights, improved, no self-loops, no normalisation and no bias',
    () => {
      expect(all.some((c) => c.graph === 'messy' && !c.edgeWeight)).toBe(true);
      expect(all.some((c) => c.graph === 'messy' && c.edgeWeight)).toBe(true);
      expect(all.some((c) => c.options.improved === true && c.edgeWeight)).toBe(true);
      expect(all.some((c) => c.options.addSelfLoops === false)).toBe(true);
      expect(all.some((c) => c.options.normalize === false)).toBe(true);
      expect(all.some((c) => c.options.bias === false)).toBe(true);
    },
  );

  it.each(Object.keys(cases))('GCNConv case %s: output and the gradients of x, every parameter and the edge weights', (name) => {
    const testCase = cases[name]!;
    const layer = new GCNConv(need(tensors, name, 'x').shape[1]!, need(tensors, name, 'out').shape[1]!, testCase.options);
    const { x, edgeIndex, edgeWeight } = inputsOf(tensors, name, testCase);
    checkCase(report, 'GCNConv', layer, tensors, name, testCase, () => layer.call(x, edgeIndex, { edgeWeight }), x);
    if (edgeWeight) report.compare('GCNConv', `${name} grad of edge_weight`, edgeWeight.grad, need(tensors, name, 'grad.edge_weight'));
  });
});

describe('GATConv matches PyTorch (gat_conv.safetensors)', () => {
  const { tensors, cases } = gat;
  const all = Object.values(cases);

  it('covers one and several heads, concat and mean, with and without self-loops, self-loops present, duplicate edges and no bias', () => {
    expect(all.some((c) => (c.options.heads ?? 1) === 1)).toBe(true);
    expect(all.some((c) => (c.options.heads as number) > 1 && c.options.concat !== false)).toBe(true);
    expect(all.some((c) => (c.options.heads as number) > 1 && c.options.concat === false)).toBe(true);
    expect(all.some((c) => c.options.addSelfLoops === false && c.graph === 'messy')).toBe(true);
    expect(all.some((c) => c.options.addSelfLoops === false && c.graph === 'plain')).toBe(true);
    expect(all.some((c) => c.options.bias === false)).toBe(true);
  });

  it.each(Object.keys(cases))('GATConv case %s: output, attention coefficients and the gradients of x and every parameter', (name) => {
    const testCase = cases[name]!;
    const heads = (testCase.options.heads as number | undefined) ?? 1;
    const layer = new GATConv(need(tensors, name, 'x').shape[1]!, need(tensors, name, 'att_src').shape[2]!, testCase.options);
    expect(layer.heads).toBe(heads);
    const { x, edgeIndex } = inputsOf(tensors, name, testCase);
    checkCase(
      report,
      'GATConv',
      layer,
      tensors,
      name,
      testCase,
      () => {
        const result = layer.call(x, edgeIndex, { returnAttentionWeights: true });
        expect(Array.from(result.attention.edgeIndex.data)).toEqual(Array.from(need(tensors, name, 'attention.edge_index').data));
        report.compare('GATConv', `${name} attention`, result.attention.alpha, need(tensors, name, 'attention.alpha'));
        return result.out;
      },
      x,
    );
  });
});

describe('GATv2Conv matches PyTorch (gatv2_conv.safetensors)', () => {
  const { tensors, cases } = gatv2;

  it('covers concat, mean, shared weights and no self-loops without bias', () => {
    const all = Object.values(cases);
    expect(all.some((c) => c.options.concat === false)).toBe(true);
    expect(all.some((c) => c.options.shareWeights === true)).toBe(true);
    expect(all.some((c) => c.options.addSelfLoops === false && c.options.bias === false)).toBe(true);
  });

  it.each(Object.keys(cases))('GATv2Conv case %s: output, attention coefficients and the gradients of x and every parameter', (name) => {
    const testCase = cases[name]!;
    const layer = new GATv2Conv(need(tensors, name, 'x').shape[1]!, need(tensors, name, 'att').shape[2]!, testCase.options);
    const { x, edgeIndex } = inputsOf(tensors, name, testCase);
    checkCase(
      report,
      'GATv2Conv',
      layer,
      tensors,
      name,
      testCase,
      () => {
        const result = layer.call(x, edgeIndex, { returnAttentionWeights: true });
        expect(Array.from(result.attention.edgeIndex.data)).toEqual(Array.from(need(tensors, name, 'attention.edge_index').data));
        report.compare('GATv2Conv', `${name} attention`, result.attention.alpha, need(tensors, name, 'attention.alpha'));
        return result.out;
      },
      x,
    );
  });
});

describe('SAGEConv matches PyTorch (sage_conv.safetensors)', () => {
  const { tensors, cases } = sage;

  it('covers the mean, max and sum aggregations, normalize and no root weight without bias', () => {
    const aggregations = new Set(Object.values(cases).map((c) => c.options.aggr ?? 'mean'));
    expect([...aggregations].sort()).toEqual(['max', 'mean', 'sum']);
    expect(Object.values(cases).some((c) => c.options.normalize === true)).toBe(true);
    expect(Object.values(cases).some((c) => c.options.rootWeight === false && c.options.bias === false)).toBe(true);
  });

  it.each(Object.keys(cases))('SAGEConv case %s: output and the gradients of x and every parameter', (name) => {
    const testCase = cases[name]!;
    const layer = new SAGEConv(need(tensors, name, 'x').shape[1]!, need(tensors, name, 'out').shape[1]!, testCase.options);
    const { x, edgeIndex } = inputsOf(tensors, name, testCase);
    checkCase(report, 'SAGEConv', layer, tensors, name, testCase, () => layer.call(x, edgeIndex), x);
  });
});

describe('GINConv and GatedGraphConv match PyTorch (gin_gated_graph_conv.safetensors)', () => {
  const { tensors, cases } = ginGated;
  const names = (layer: string) => Object.keys(cases).filter((name) => cases[name]!.layer === layer);

  it.each(names('GINConv'))('GINConv case %s: output and the gradients of x, eps and the MLP', (name) => {
    const testCase = cases[name]!;
    const hidden = need(tensors, name, 'nn.0.weight').shape[0]!;
    const mlp = new nn.Sequential(
      new nn.Linear({ inFeatures: need(tensors, name, 'x').shape[1]!, outFeatures: hidden }),
      new nn.ReLU(),
      new nn.Linear({ inFeatures: hidden, outFeatures: need(tensors, name, 'out').shape[1]! }),
    );
    const layer = new GINConv(mlp, testCase.options);
    const { x, edgeIndex } = inputsOf(tensors, name, testCase);
    checkCase(report, 'GINConv', layer, tensors, name, testCase, () => layer.call(x, edgeIndex), x);
  });

  it.each(names('GatedGraphConv'))('GatedGraphConv case %s: output and the gradients of x, the weights and the GRU cell', (name) => {
    const testCase = cases[name]!;
    const { outChannels, numLayers } = testCase.options as { outChannels: number; numLayers: number };
    const layer = new GatedGraphConv(outChannels, numLayers);
    const { x, edgeIndex, edgeWeight } = inputsOf(tensors, name, testCase);
    checkCase(report, 'GatedGraphConv', layer, tensors, name, testCase, () => layer.call(x, edgeIndex, { edgeWeight }), x);
    if (edgeWeight)
      report.compare('GatedGraphConv', `${name} grad of edge_weight`, edgeWeight.grad, need(tensors, name, 'grad.edge_weight'));
  });
});
