import { Generator, Tensor, nn, noGrad, randn, tensor, type FloatDType } from '@tensorloom/core-tensor';
import { GAT, GATConv, GATv2Conv, GCN, GCNConv, GINConv, GNN, SAGEConv } from '@tensorloom/gnn';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { onnxModelBytes } from '../src/index.js';
import { ONNX_HANDLERS } from '../src/onnx/export-onnx.js';
import { OnnxGraphBuilder } from '../src/onnx/graph-builder.js';
import { emitModule } from '../src/onnx/handler.js';
import { encodeModel } from '../src/onnx/proto.js';

const TOLERANCE = { float32: 1e-5, float64: 1e-10 };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

interface TestGraph {
  readonly name: string;
  readonly numNodes: number;
  readonly edges: ReadonlyArray<readonly [number, number]>;
}

/**
 * Random graphs with what the normalisations must get right: duplicate edges, self-loops (one
 * node with two), and node `numNodes − 1` isolated (no edge in or out).
 */
function randomGraph(name: string, numNodes: number, numEdges: number, seed: number): TestGraph {
  const generator = new Generator(seed);
  const edges: Array<[number, number]> = [];
  const connected = numNodes - 1;
  while (edges.length < numEdges) {
    const s = generator.integer(0, connected);
    const t = generator.integer(0, connected);
    if (s !== t) edges.push([s, t]);
  }
  edges.push(edges[0]!, edges[3]!); // duplicates
  edges.splice(2, 0, [1, 1]);
  edges.push([2, 2], [1, 1]); // node 1 has two loops
  return { name, numNodes, edges };
}

const GRAPHS: readonly TestGraph[] = [randomGraph('graph A', 7, 14, 1), randomGraph('graph B', 9, 20, 2), randomGraph('graph C', 5, 6, 3)];

const edgeIndex32 = (g: TestGraph): Tensor => tensor([g.edges.map(([s]) => s), g.edges.map(([, t]) => t)], { dtype: 'int32' });
const edgeIndex64 = (g: TestGraph): ort.Tensor =>
  new ort.Tensor('int64', BigInt64Array.from([...g.edges.map(([s]) => BigInt(s)), ...g.edges.map(([, t]) => BigInt(t))]), [
    2,
    g.edges.length,
  ]);
const features = (t: Tensor): ort.Tensor =>
  new ort.Tensor(t.dtype as 'float32', t.dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data), [...t.shape]);

/** Every parameter and buffer redrawn N(0, 0.5²): biases and attention biases are zero at init, and must count. */
function randomize<M extends nn.AnyModule>(model: M, seed: number): M {
  const generator = new Generator(seed);
  noGrad(() => {
    for (const [, t] of model.namedParameters()) for (let i = 0; i < t.data.length; i++) t.data[i] = 0.5 * generator.normal();
  });
  return model;
}

/** tensorloom's `eval()` forward and ONNX Runtime's on every test graph, compared. */
async function expectSameOnGraphs(model: GNN, bytes: Uint8Array, inChannels: number, dtype: FloatDType = 'float32'): Promise<void> {
  const session = await ort.InferenceSession.create(bytes);
  model.eval();
  for (const [k, graph] of GRAPHS.entries()) {
    const x = randn([graph.numNodes, inChannels], { generator: new Generator(100 + k), dtype });
    const expected = model.call(x, edgeIndex32(graph));
    const { logits } = await session.run({ x: features(x), edge_index: edgeIndex64(graph) });
    expect(logits!.dims, graph.name).toEqual(expected.shape);
    expect(maxAbsDiff(logits!.data as Float32Array, expected.data), graph.name).toBeLessThan(TOLERANCE[dtype]);
  }
}

/** The ONNX graph of one layer alone (inputs x, edge_index; output out), through the exporter's handlers. */
function layerBytes(layer: nn.AnyModule, dtype: FloatDType = 'float32'): Uint8Array {
  const graph = new OnnxGraphBuilder(dtype);
  const x = graph.input('x', dtype, ['num_nodes', 'channels']);
  const edges = graph.input('edge_index', 'int64', [2, 'num_edges']);
  const [out] = emitModule(graph, ONNX_HANDLERS, layer, '', [x, edges]);
  graph.output(out!, 'out', dtype, ['num_nodes', 'out_channels']);
  return encodeModel({
    irVersion: 8,
    opsetVersion: 18,
    producerName: 'test',
    producerVersion: '0',
    docString: '',
    graph: graph.build('layer'),
    metadata: {},
  });
}

async function expectLayerSame(layer: nn.AnyModule & { call(x: Tensor, e: Tensor): unknown }, inChannels: number): Promise<void> {
  const session = await ort.InferenceSession.create(layerBytes(layer));
  layer.eval();
  for (const [k, graph] of GRAPHS.entries()) {
    const x = randn([graph.numNodes, inChannels], { generator: new Generator(200 + k) });
    const expected = layer.call(x, edgeIndex32(graph)) as Tensor;
    const { out } = await session.run({ x: features(x), edge_index: edgeIndex64(graph) });
    expect(maxAbsDiff(out!.data as Float32Array, expected.data), `${layer.typeName} on ${graph.name}`).toBeLessThan(TOLERANCE.float32);
  }
}

describe('exportOnnx: graph models in ONNX Runtime', () => {
  it('GCN (the paper class) matches eval() on graphs with duplicate edges, self-loops and an isolated node', async () => {
    const model = randomize(new GCN({ inChannels: 6, outChannels: 3, cached: false, generator: new Generator(1) }), 2);
    await expectSameOnGraphs(model, onnxModelBytes(model), 6);
  });

  it('a cached GCN called on graph A exports a model that computes graph B from its edge_index', async () => {
    const cached = randomize(new GCN({ inChannels: 4, outChannels: 2, generator: new Generator(3) }), 4);
    const graphA = GRAPHS[0]!;
    cached.eval().call(randn([graphA.numNodes, 4], { generator: new Generator(5) }), edgeIndex32(graphA));
    const bytes = onnxModelBytes(cached);
    // The reference for the other graphs: the same weights, nothing held.
    const fresh = new GCN({ inChannels: 4, outChannels: 2, cached: false });
    fresh.loadStateDict(cached.stateDict());
    await expectSameOnGraphs(fresh, bytes, 4);
  });

  it('GAT (the paper class) with attentionBias matches eval() on every graph', async () => {
    const model = randomize(new GAT({ inChannels: 5, outChannels: 3, hiddenChannels: 4, heads: 2, attentionBias: true, cached: false }), 6);
    await expectSameOnGraphs(model, onnxModelBytes(model), 5);
  });

  it('GAT with 3 averaged output heads matches eval() on every graph', async () => {
    const model = randomize(new GAT({ inChannels: 5, outChannels: 4, hiddenChannels: 3, heads: 2, outHeads: 3, cached: false }), 7);
    await expectSameOnGraphs(model, onnxModelBytes(model), 5);
  });

  it('GNN stacks of GATv2 (tanh), SAGE (each aggregation) and GIN (identity act) match eval()', async () => {
    const stacks: GNN[] = [
      new GNN({ conv: 'gatv2', inChannels: 5, hiddenChannels: 3, outChannels: 2, heads: 2, outHeads: 2, act: 'tanh' }),
      new GNN({ conv: 'sage', aggr: 'mean', inChannels: 5, hiddenChannels: 4, outChannels: 3, numLayers: 3 }),
      new GNN({ conv: 'sage', aggr: 'max', inChannels: 5, hiddenChannels: 4, outChannels: 3, act: 'elu' }),
      new GNN({ conv: 'sage', aggr: 'sum', inChannels: 5, hiddenChannels: 4, outChannels: 3 }),
      new GNN({ conv: 'gin', inChannels: 5, hiddenChannels: 4, outChannels: 3, trainEps: true, act: 'identity' }),
    ];
    for (const [k, model] of stacks.entries()) {
      randomize(model, 10 + k);
      await expectSameOnGraphs(model, onnxModelBytes(model), 5);
    }
  });

  it('GCNConv options: improved, no self-loops, no normalisation, no bias', async () => {
    for (const options of [{ improved: true }, { addSelfLoops: false }, { normalize: false, bias: false }]) {
      await expectLayerSame(randomize(new GCNConv(4, 3, options), 20), 4);
    }
  });

  it('attention layers without self-loops, GATv2 with shared weights, SAGE normalised without root weight', async () => {
    await expectLayerSame(randomize(new GATConv(4, 3, { heads: 2, addSelfLoops: false, negativeSlope: 0.1 }), 21), 4);
    await expectLayerSame(randomize(new GATv2Conv(4, 3, { heads: 3, concat: false, shareWeights: true }), 22), 4);
    await expectLayerSame(randomize(new SAGEConv(4, 3, { normalize: true, rootWeight: false }), 23), 4);
    const mlp = new nn.Sequential(
      new nn.Linear({ inFeatures: 4, outFeatures: 5 }),
      new nn.ELU({ alpha: 0.7 }),
      new nn.Linear({ inFeatures: 5, outFeatures: 2 }),
    );
    await expectLayerSame(randomize(new GINConv(mlp, { eps: 0.3 }), 24), 4);
  });

  it("GIN's MLP goes through the leaf handlers: every activation, dropout, identity, softmax", async () => {
    const linear = (i: number, o: number) => new nn.Linear({ inFeatures: i, outFeatures: o });
    const mlp = new nn.Sequential(
      linear(4, 6),
      new nn.GELU(),
      new nn.GELU({ approximate: 'tanh' }),
      new nn.SiLU(),
      new nn.Softplus({ beta: 2, threshold: 1 }),
      new nn.LeakyReLU({ negativeSlope: 0.1 }),
      new nn.Dropout({ p: 0.5 }),
      linear(6, 5),
      new nn.ELU({ alpha: 0.5 }),
      new nn.Sigmoid(),
      new nn.Identity(),
      new nn.Tanh(),
      new nn.ReLU(),
      linear(5, 3),
      new nn.Softmax({ dim: 1 }),
      new nn.LogSoftmax({ dim: -1 }),
    );
    await expectLayerSame(randomize(new GINConv(mlp), 25), 4);
  });

  it('a graph without edges: every node only sees itself (GCN, GAT) or nothing (SAGE max gives 0 before the root weight)', async () => {
    const empty: TestGraph = { name: 'no edges', numNodes: 3, edges: [] };
    const models = [
      randomize(new GCN({ inChannels: 4, outChannels: 2, cached: false }), 40),
      randomize(new GAT({ inChannels: 4, outChannels: 2, hiddenChannels: 2, heads: 2, cached: false }), 41),
      randomize(new GNN({ conv: 'sage', aggr: 'max', inChannels: 4, hiddenChannels: 3, outChannels: 2 }), 42),
    ];
    for (const model of models) {
      const session = await ort.InferenceSession.create(onnxModelBytes(model));
      const x = randn([3, 4], { generator: new Generator(43) });
      const expected = model.eval().call(x, tensor([[], []], { dtype: 'int32', shape: [2, 0] }));
      const { logits } = await session.run({ x: features(x), edge_index: edgeIndex64(empty) });
      expect(maxAbsDiff(logits!.data as Float32Array, expected.data), model.typeName).toBeLessThan(TOLERANCE.float32);
    }
  });

  it('float64 GCN and GAT run in float64 and match to 1e-10', async () => {
    const gcn = randomize(new GCN({ inChannels: 4, outChannels: 3, cached: false, dtype: 'float64' }), 30);
    await expectSameOnGraphs(gcn, onnxModelBytes(gcn), 4, 'float64');
    const gat = randomize(
      new GAT({ inChannels: 4, outChannels: 3, hiddenChannels: 2, heads: 2, cached: false, attentionBias: true, dtype: 'float64' }),
      31,
    );
    await expectSameOnGraphs(gat, onnxModelBytes(gat), 4, 'float64');
  });
});
