/**
 * tensorloom's GCN and GAT epochs on Cora, written as a user would with the public layers:
 * `loadPlanetoid` and `normalizeFeatures` from @tensorloom/graph, `GCNConv` / `GATConv` from
 * @tensorloom/gnn, `dropout`, `relu` / `elu`, `crossEntropy` on the training rows (`indexSelect`),
 * `optim.Adam` with weight decay. With `features: 'sparse'` the features are a `SparseCSR` and the
 * input dropout is `sparseDropout` (one draw per non-zero), as `tensorloom gnn train` runs them.
 * PubMed's features are synthetic (`GnnSpec.syntheticFeatures`); tensorloom-scale.ts reuses the epoch.
 */
import * as core from '@tensorloom/core-tensor';
import { GATConv, GCNConv, sparseDropout, type NodeFeatures } from '@tensorloom/gnn';
import { join } from 'node:path';
import { normalizeFeatures } from '@tensorloom/graph';
import { loadPlanetoid } from '@tensorloom/graph/node';
import { timeRuns, type Timing } from '../measure.js';
import { fillSyntheticFeatures } from '../synthetic.js';
import type { GnnSpec, SyntheticFeatures } from '../workloads.js';
import type { RunContext, RunOutput } from './runner.js';

const { crossEntropy, dropout, elu, indexSelect, nn, optim, relu } = core;

type GraphConv = GCNConv | GATConv;

/**
 * The bench's two-layer node classifier: `conv2(dropout(act(conv1(dropout(x)))))`. GCN: `GCNConv`
 * with `cached` (the normalised adjacency is built once, as PyG's example and the PyTorch side do),
 * ReLU. GAT: `GATConv` with `heads` concatenated heads and ELU, then `outHeads` averaged heads,
 * attention dropout in both.
 */
export class BenchGnn extends nn.Module<[NodeFeatures, core.Tensor], core.Tensor> {
  readonly spec: GnnSpec;
  readonly conv1: GraphConv;
  readonly conv2: GraphConv;

  constructor(spec: GnnSpec, sizes: { inChannels: number; numClasses: number }) {
    super();
    this.spec = spec;
    if (spec.model === 'gcn') {
      this.conv1 = this.registerModule('conv1', new GCNConv(sizes.inChannels, spec.hidden, { cached: true }));
      this.conv2 = this.registerModule('conv2', new GCNConv(spec.hidden, sizes.numClasses, { cached: true }));
    } else {
      // cached: the edge set (self-loops, CSR, its transpose) is built once, as the PyTorch side builds it before timing.
      const attention = { dropout: spec.attentionDropout, cached: true };
      this.conv1 = this.registerModule('conv1', new GATConv(sizes.inChannels, spec.hidden, { heads: spec.heads, ...attention }));
      this.conv2 = this.registerModule(
        'conv2',
        new GATConv(spec.hidden * spec.heads, sizes.numClasses, { heads: spec.outHeads, concat: false, ...attention }),
      );
    }
  }

  /** x `[N, F]` (a Tensor, or a SparseCSR for `features: 'sparse'`), edgeIndex int32 `[2, E]` → logits `[N, classes]`. */
  forward(x: NodeFeatures, edgeIndex: core.Tensor): core.Tensor {
    const training = { training: this.training };
    const act = this.spec.model === 'gcn' ? relu : elu;
    const dropped = x instanceof core.Tensor ? dropout(x, this.spec.dropout, training) : sparseDropout(x, this.spec.dropout, training);
    const hidden = act(this.conv1.call(dropped, edgeIndex));
    return this.conv2.call(dropout(hidden, this.spec.dropout, training), edgeIndex);
  }
}

/** What an epoch needs besides the model: the recipe's optimiser settings and the data. */
export interface GnnEpochData {
  x: NodeFeatures;
  edgeIndex: core.Tensor;
  trainIndex: core.Tensor;
  /** Labels of the training nodes. */
  yTrain: core.Tensor;
}

/**
 * One full-batch training epoch of `model` as a function returning the loss: forward on every node,
 * cross-entropy on the training rows, backward, Adam with weight decay (the optimiser is made once).
 */
export function gnnEpoch(model: BenchGnn, data: GnnEpochData, recipe: { lr: number; weightDecay: number }): () => number {
  model.train();
  const optimizer = new optim.Adam(model.parameters(), { lr: recipe.lr, weightDecay: recipe.weightDecay });
  return () => {
    optimizer.zeroGrad();
    const loss = crossEntropy(indexSelect(model.call(data.x, data.edgeIndex), 0, data.trainIndex), data.yTrain);
    loss.backward();
    optimizer.step();
    return loss.item();
  };
}

/** Times full-batch training epochs of `model` (`gnnEpoch`). */
export async function timeGnnEpochs(
  model: BenchGnn,
  data: GnnEpochData,
  recipe: { name: string; lr: number; weightDecay: number },
  context: RunContext,
): Promise<Timing> {
  const epoch = gnnEpoch(model, data, recipe);
  let lastLoss = NaN;
  const timing = await timeRuns(
    () => {
      lastLoss = epoch();
    },
    context.timing,
    ({ phase, index, seconds }) => context.log(`${phase} epoch ${index + 1}: ${seconds.toFixed(1)} s (loss ${lastLoss.toFixed(3)})`),
  );
  if (!Number.isFinite(lastLoss)) throw new Error(`${recipe.name} loss is ${lastLoss}`);
  return timing;
}

/**
 * Times full-batch training epochs of `spec` on its dataset. With `syntheticFeatures` (PubMed) the
 * folder's graph, labels and split are read and the features are drawn (src/synthetic.ts).
 */
export async function runTensorloomGnn(spec: GnnSpec, context: RunContext): Promise<RunOutput> {
  if (context.dataRoot === undefined) throw new Error(`${spec.dataset}: no data root was given to the runner`);
  const folder = join(context.dataRoot, spec.dataset);
  const synthetic = spec.syntheticFeatures;
  const data = synthetic === undefined ? loadPlanetoid(folder) : loadPlanetoid(folder, { features: 'random', numRandomFeatures: 1 });
  let dense: core.Tensor;
  if (synthetic === undefined) dense = normalizeFeatures(data.x);
  else {
    dense = core.Tensor.empty([data.numNodes, synthetic.numFeatures], 'float32');
    fillSyntheticFeatures(dense.data as Float32Array, data.numNodes, synthetic);
  }
  const x: NodeFeatures = spec.features === 'sparse' ? core.SparseCSR.fromDense(dense) : dense;
  const model = new BenchGnn(spec, { inChannels: dense.shape[1]!, numClasses: data.numClasses });
  const epochData = { x, edgeIndex: data.edgeIndex, trainIndex: data.trainIndex, yTrain: indexSelect(data.y, 0, data.trainIndex) };
  const timing = await timeGnnEpochs(model, epochData, spec, context);
  return { value: 1 / timing.bestSeconds, timing, ...(synthetic === undefined ? {} : { note: syntheticNote(synthetic) }) };
}

/** The result note of a workload on synthetic features. */
export function syntheticNote(features: SyntheticFeatures): string {
  return (
    `synthetic features (${features.numFeatures} columns, ${Math.round(features.density * 100)}% non-zero, LCG seed ` +
    `${features.seed}, row-normalised) on the real graph: our PubMed copy has no features`
  );
}
