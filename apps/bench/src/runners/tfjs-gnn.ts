/**
 * TensorFlow.js's GCN and GAT epochs on Cora. TF.js has no graph layers and no sparse-dense
 * product (`tf.sparse` has reshapes and segment reductions without gradients), so:
 *
 * - GCN: `Â (X W) + b` with `Â = D^-1/2 (A + I) D^-1/2` built once as a *dense* `[N, N]` matrix
 *   (29 MiB for Cora) and `tf.matMul`. The per-edge form (`tf.gather` of the source rows, then
 *   `tf.unsortedSegmentSum` into the targets) is what GAT needs, but TF.js cpu's UnsortedSegmentSum
 *   builds a mask over all E edges for each of the N segments (O(N·E·C), about two minutes for
 *   one `[10556, 16]` sum on Cora), so a GCN epoch that way takes longer than the job's budget.
 * - GAT: per edge, as a TF.js user must (no dense `[heads, N, N]` attention fits): scores
 *   `a_srcᵀWx_j + a_dstᵀWx_i` per node, gathered per edge (`tf.gather`), LeakyReLU(0.2), a softmax
 *   over each target's incoming edges with `tf.unsortedSegmentSum` (`exp(e − max e)`, one max per
 *   head over all edges: TF.js has no segment max, and any per-target constant cancels in the
 *   softmax), attention dropout, `tf.unsortedSegmentSum` of the weighted messages. The gradient of
 *   `tf.gather` is an UnsortedSegmentSum too: on a backend without that kernel (wasm, 4.22) the job
 *   is skipped with a notice; on cpu it runs at the speed above.
 * - The loss: cross-entropy over all nodes weighted by the training mask (mean over the 140
 *   training nodes, as Kipf & Welling's TensorFlow code does it): picking the training rows with
 *   `tf.gather` would need UnsortedSegmentSum in the backward pass.
 * - Weight decay: Adam's coupled L2 term (PyTorch's `weight_decay`) is the gradient of
 *   `λ/2 Σ‖θ‖²`, added to the loss (`tf.train.adam` has no weight decay).
 */
import { findDataRoot, readPlanetoid } from '../planetoid.js';
import { timeRuns } from '../measure.js';
import type { GnnSpec } from '../workloads.js';
import { UnavailableError, type RunContext, type RunOutput } from './runner.js';

type Tf = typeof import('@tensorflow/tfjs');
type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor1D = import('@tensorflow/tfjs').Tensor1D;
type Variable = import('@tensorflow/tfjs').Variable;

/** The kernels per-edge message passing (GAT) and its gradient need. */
export const TFJS_EDGE_KERNELS = ['GatherV2', 'UnsortedSegmentSum'] as const;

/** The edges of the workload, self-loops appended, as int32 tensors. */
interface EdgeTensors {
  source: Tensor1D;
  target: Tensor1D;
  numNodes: number;
}

function glorot(tf: Tf, shape: number[]): Variable {
  // Fan-in and fan-out of the last two axes (for [1, H, C] attention vectors: H and C, as PyG).
  const fanIn = shape.at(-2) ?? 1;
  const fanOut = shape.at(-1) ?? 1;
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.variable(tf.randomUniform(shape, -limit, limit));
}

/** `Â = D^-1/2 (A + I) D^-1/2` dense, row i holding the edges j → i; d counts incoming edges. */
export function denseGcnAdjacency(source: Int32Array, target: Int32Array, numNodes: number): Float32Array {
  const degree = new Float32Array(numNodes);
  for (const t of target) degree[t]! += 1;
  const adjacency = new Float32Array(numNodes * numNodes);
  source.forEach((s, e) => {
    const t = target[e]!;
    adjacency[t * numNodes + s]! += 1 / Math.sqrt(degree[s]! * degree[t]!);
  });
  return adjacency;
}

/** One GCN layer: `Â (h W) + b`. */
function gcnLayer(tf: Tf, adjacency: Tensor, inChannels: number, outChannels: number) {
  const weight = glorot(tf, [inChannels, outChannels]);
  const bias = tf.variable(tf.zeros([outChannels]));
  return {
    variables: [weight, bias],
    apply(h: Tensor): Tensor {
      return tf.add(tf.matMul(adjacency, tf.matMul(h, weight)), bias);
    },
  };
}

/** One GAT layer with `heads` heads of `channels`, concatenated or averaged. */
function gatLayer(
  tf: Tf,
  edges: EdgeTensors,
  options: { inChannels: number; channels: number; heads: number; concat: boolean; attentionDropout: number },
) {
  const { inChannels, channels, heads, concat, attentionDropout } = options;
  const n = edges.numNodes;
  const weight = glorot(tf, [inChannels, heads * channels]);
  const attSrc = glorot(tf, [1, heads, channels]);
  const attDst = glorot(tf, [1, heads, channels]);
  const bias = tf.variable(tf.zeros([concat ? heads * channels : channels]));
  return {
    variables: [weight, attSrc, attDst, bias],
    apply(x: Tensor): Tensor {
      const h = tf.reshape(tf.matMul(x, weight), [n, heads, channels]);
      const scoreSrc = tf.sum(tf.mul(h, attSrc), -1);
      const scoreDst = tf.sum(tf.mul(h, attDst), -1);
      const scores = tf.leakyRelu(tf.add(tf.gather(scoreSrc, edges.source), tf.gather(scoreDst, edges.target)), 0.2);
      const exp = tf.exp(tf.sub(scores, tf.max(scores, 0)));
      const denominator = tf.unsortedSegmentSum(exp, edges.target, n);
      let alpha = tf.div(exp, tf.gather(denominator, edges.target));
      if (attentionDropout > 0) alpha = tf.dropout(alpha, attentionDropout);
      const messages = tf.mul(tf.gather(h, edges.source), tf.expandDims(alpha, -1));
      const out = tf.unsortedSegmentSum(messages, edges.target, n);
      return tf.add(concat ? tf.reshape(out, [n, heads * channels]) : tf.mean(out, 1), bias);
    },
  };
}

/** Times full-batch training epochs of `spec` on its dataset with TF.js's active backend. */
export async function runTfjsGnn(tf: Tf, spec: GnnSpec, context: RunContext): Promise<RunOutput> {
  if (spec.features === 'sparse') {
    throw new UnavailableError('TF.js has no sparse × dense product (its dense-feature figures are in the dense rows)');
  }
  const backend = tf.getBackend();
  const missing = TFJS_EDGE_KERNELS.filter((kernel) => tf.getKernel(kernel, backend) === undefined);
  if (spec.model === 'gat' && missing.length > 0) {
    throw new UnavailableError(
      `TF.js ${backend} has no ${missing.join(', ')} kernel (per-edge attention, and the gradient of tf.gather, need it)`,
    );
  }
  const root = context.dataRoot ?? findDataRoot();
  if (root === null) throw new UnavailableError(`${spec.dataset} data not found (set TENSORLOOM_DATA)`);
  const data = readPlanetoid(root, spec.dataset);
  const n = data.numNodes;
  const loops = Int32Array.from({ length: n }, (_, i) => i);
  const source = Int32Array.from([...data.source, ...loops]);
  const target = Int32Array.from([...data.target, ...loops]);
  const x = tf.tensor2d(data.x, [n, data.numFeatures]);
  // One-hot labels of the training nodes (zero rows elsewhere) and the mask that weighs them.
  const labelData = new Float32Array(n * data.numClasses);
  const maskData = new Float32Array(n);
  for (const node of data.train) {
    labelData[node * data.numClasses + data.y[node]!] = 1;
    maskData[node] = 1;
  }
  const labels = tf.tensor2d(labelData, [n, data.numClasses]);
  const trainMask = tf.tensor1d(maskData);

  let layers: { variables: Variable[]; apply: (h: Tensor) => Tensor }[];
  let act: (h: Tensor) => Tensor;
  if (spec.model === 'gcn') {
    const adjacency = tf.tensor2d(denseGcnAdjacency(source, target, n), [n, n]);
    layers = [gcnLayer(tf, adjacency, data.numFeatures, spec.hidden), gcnLayer(tf, adjacency, spec.hidden, data.numClasses)];
    act = (h) => tf.relu(h);
  } else {
    const edges: EdgeTensors = { source: tf.tensor1d(source, 'int32'), target: tf.tensor1d(target, 'int32'), numNodes: n };
    const attentionDropout = spec.attentionDropout;
    layers = [
      gatLayer(tf, edges, { inChannels: data.numFeatures, channels: spec.hidden, heads: spec.heads, concat: true, attentionDropout }),
      gatLayer(tf, edges, {
        inChannels: spec.hidden * spec.heads,
        channels: data.numClasses,
        heads: spec.outHeads,
        concat: false,
        attentionDropout,
      }),
    ];
    act = (h) => tf.elu(h);
  }
  const variables = layers.flatMap((layer) => layer.variables);
  const [first, second] = layers as [(typeof layers)[number], (typeof layers)[number]];
  const lossOf = (): import('@tensorflow/tfjs').Scalar => {
    const hidden = act(first.apply(tf.dropout(x, spec.dropout)));
    const logits = second.apply(tf.dropout(hidden, spec.dropout));
    // Mean over the nodes of non-zero weight (tf.losses' default reduction).
    const loss = tf.losses.softmaxCrossEntropy(labels, logits, trainMask);
    const l2 = tf.addN(variables.map((v) => tf.sum(tf.square(v))));
    return tf.add(loss, tf.mul(l2, spec.weightDecay / 2));
  };
  const optimizer = tf.train.adam(spec.lr);
  let lastLoss = NaN;
  const epoch = (): void => {
    const loss = optimizer.minimize(lossOf, true, variables);
    lastLoss = loss ? loss.dataSync()[0]! : NaN;
    loss?.dispose();
  };
  const timing = await timeRuns(epoch, context.timing, ({ phase, index, seconds }) =>
    context.log(`${phase} epoch ${index + 1}: ${seconds.toFixed(1)} s (loss ${lastLoss.toFixed(3)})`),
  );
  if (!Number.isFinite(lastLoss)) throw new Error(`${spec.name} loss is ${lastLoss}`);
  const note =
    spec.model === 'gcn'
      ? `Â as a dense [N, N] matrix (no sparse-dense product in TF.js; ` +
        `${backend === 'cpu' ? 'its cpu UnsortedSegmentSum is O(N·E)' : `no UnsortedSegmentSum on ${backend}`})`
      : 'attention softmax shifted by one max per head over all edges (TF.js has no segment max)';
  return { value: 1 / timing.bestSeconds, timing, note };
}
