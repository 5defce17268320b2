/**
 * tensorloom's `gcn-scale` epochs: the graph file the orchestrator wrote (src/powerlaw.ts) read
 * straight into an int32 `[2, E]` tensor's storage, the LCG features and labels written into their
 * tensors in place (src/synthetic.ts), then the GCN epoch of tensorloom-gnn.ts. The setup is apart
 * (`loadScaleSetup`) so that a profile (apps/bench/.prof/gcn-mem.mts) trains on the same data.
 */
import * as core from '@tensorloom/core-tensor';
import { readGraphFileInto, readGraphHeader } from '../powerlaw.js';
import { fillScaleFeatures, fillScaleLabels, scaleTrainNodes } from '../synthetic.js';
import type { GnnScaleSpec, GnnSpec } from '../workloads.js';
import type { RunContext, RunOutput } from './runner.js';
import { BenchGnn, timeGnnEpochs, type GnnEpochData } from './tensorloom-gnn.js';

/** The `GnnSpec` of the two-layer GCN a `gcn-scale` workload trains (what `BenchGnn` builds). */
export function gcnSpecOf(spec: GnnScaleSpec): GnnSpec {
  return {
    kind: 'gnn',
    name: spec.name,
    model: 'gcn',
    dataset: '',
    hidden: spec.hidden,
    heads: 1,
    outHeads: 1,
    dropout: spec.dropout,
    attentionDropout: 0,
    lr: spec.lr,
    weightDecay: spec.weightDecay,
    features: 'dense',
  };
}

/** What a `gcn-scale` run trains on: the model and an epoch's data. */
export interface ScaleSetup {
  model: BenchGnn;
  data: GnnEpochData;
  graph: { nodes: number; edges: number };
}

/**
 * Reads the graph file of `spec` into an int32 `[2, E]` tensor and writes the features and the
 * training labels into their tensors, keeping nothing else: the labels of all nodes are dropped once
 * the training rows are taken (at 10⁶ nodes the features are 512 MB and the edges 80 MB; PyTorch's
 * side holds the same two).
 */
export function loadScaleSetup(spec: GnnScaleSpec, file: string): ScaleSetup {
  const header = readGraphHeader(file);
  if (header === undefined || header.numNodes !== spec.nodes)
    throw new Error(`${spec.name}: ${file} is not the graph of ${spec.nodes} nodes`);
  const { numNodes, numEdges } = header;
  const edgeIndex = core.Tensor.empty([2, numEdges], 'int32');
  const edges = edgeIndex.data as Int32Array;
  readGraphFileInto(file, edges.subarray(0, numEdges), edges.subarray(numEdges));
  const x = core.Tensor.empty([numNodes, spec.features], 'float32');
  fillScaleFeatures(x.data as Float32Array, spec);
  const train = scaleTrainNodes(spec);
  const trainIndex = core.tensor(train, { dtype: 'int32', shape: [train.length] });
  const yTrain = core.indexSelect(trainLabels(spec), 0, trainIndex);
  const model = new BenchGnn(gcnSpecOf(spec), { inChannels: spec.features, numClasses: spec.classes });
  return { model, data: { x, edgeIndex, trainIndex, yTrain }, graph: { nodes: numNodes, edges: numEdges } };
}

/** The labels of every node (a temporary: only the training rows are kept). */
function trainLabels(spec: GnnScaleSpec): core.Tensor {
  const y = core.Tensor.empty([spec.nodes], 'int32');
  fillScaleLabels(y.data as Int32Array, spec);
  return y;
}

/** Times GCN epochs on the power-law graph of `spec` (`context.graphFile`). */
export async function runTensorloomScale(spec: GnnScaleSpec, context: RunContext): Promise<RunOutput> {
  const file = context.graphFile;
  if (file === undefined) throw new Error(`${spec.name}: no graph file was given to the runner`);
  const { model, data, graph } = loadScaleSetup(spec, file);
  const timing = await timeGnnEpochs(model, data, gcnSpecOf(spec), context);
  return { value: 1 / timing.bestSeconds, timing, graph };
}
