/**
 * tensorloom's `gcn-scale` epochs: the graph file the orchestrator wrote (src/powerlaw.ts) read
 * straight into an int32 `[2, E]` tensor's storage, the LCG features and labels written into their
 * tensors in place (src/synthetic.ts), then the GCN epoch of tensorloom-gnn.ts.
 */
import * as core from '@tensorloom/core-tensor';
import { readGraphFileInto, readGraphHeader } from '../powerlaw.js';
import { fillScaleFeatures, fillScaleLabels, scaleTrainNodes } from '../synthetic.js';
import type { GnnScaleSpec, GnnSpec } from '../workloads.js';
import type { RunContext, RunOutput } from './runner.js';
import { BenchGnn, timeGnnEpochs } from './tensorloom-gnn.js';

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

/** Times GCN epochs on the power-law graph of `spec` (`context.graphFile`). */
export async function runTensorloomScale(spec: GnnScaleSpec, context: RunContext): Promise<RunOutput> {
  const file = context.graphFile;
  if (file === undefined) throw new Error(`${spec.name}: no graph file was given to the runner`);
  const header = readGraphHeader(file);
  if (header === undefined || header.numNodes !== spec.nodes)
    throw new Error(`${spec.name}: ${file} is not the graph of ${spec.nodes} nodes`);
  const { numNodes, numEdges } = header;
  const edgeIndex = core.Tensor.empty([2, numEdges], 'int32');
  const edges = edgeIndex.data as Int32Array;
  readGraphFileInto(file, edges.subarray(0, numEdges), edges.subarray(numEdges));
  const x = core.Tensor.empty([numNodes, spec.features], 'float32');
  fillScaleFeatures(x.data as Float32Array, spec);
  const y = core.Tensor.empty([numNodes], 'int32');
  fillScaleLabels(y.data as Int32Array, spec);
  const train = scaleTrainNodes(spec);
  const trainIndex = core.tensor(train, { dtype: 'int32', shape: [train.length] });
  const gcn = gcnSpecOf(spec);
  const model = new BenchGnn(gcn, { inChannels: spec.features, numClasses: spec.classes });
  const epochData = { x, edgeIndex, trainIndex, yTrain: core.indexSelect(y, 0, trainIndex) };
  const timing = await timeGnnEpochs(model, epochData, gcn, context);
  return { value: 1 / timing.bestSeconds, timing, graph: { nodes: numNodes, edges: numEdges } };
}
