/**
 * What the forecaster tests share (nothing outside the tests imports this): a small recurrent graph
 * cell with one or two state tensors, and small temporal signals built by hand.
 */
import { Generator, Tensor, add, linear, matmul, mul, randn, tanh, tensor, type FloatDType } from '@tensorloom/core-tensor';
import { createTemporalSignal, type TemporalSignal } from '@tensorloom/graph';
import { RecurrentGraphCell } from './graph-cell.js';

/**
 * `c' = ½·c + tanh(Â·x·Wᵀ + h·Uᵀ + b)`, `h' = tanh(c')` (state `['h', 'c']`), or with one state
 * `h' = tanh(Â·x·Wᵀ + h·Uᵀ + b)`, where `Â[i, j]` is the weight of the edge j → i over i's in-degree + 1.
 */
export class TinyGraphCell extends RecurrentGraphCell<Tensor> {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stateNames: readonly string[];

  constructor(inChannels: number, outChannels: number, options: { states?: 1 | 2; dtype?: FloatDType; seed?: number } = {}) {
    super();
    const { states = 1, dtype = 'float64', seed = 0 } = options;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.stateNames = states === 1 ? ['h'] : ['h', 'c'];
    const generator = new Generator(seed);
    const draw = (shape: number[]) => mul(randn(shape, { dtype, generator }), 0.5).detach();
    this.registerParameter('weight', draw([outChannels, inChannels]));
    this.registerParameter('hidden_weight', draw([outChannels, outChannels]));
    this.registerParameter('bias', draw([outChannels]));
  }

  protected prepareGraph(edgeIndex: Tensor, edgeWeight: Tensor | null, numNodes: number): Tensor {
    const adjacency = new Float64Array(numNodes * numNodes);
    const degree = new Float64Array(numNodes).fill(1);
    const index = edgeIndex.data;
    const edges = edgeIndex.shape[1]!;
    for (let e = 0; e < edges; e++) degree[index[edges + e]!]! += edgeWeight === null ? 1 : edgeWeight.data[e]!;
    for (let e = 0; e < edges; e++) {
      const [source, target] = [index[e]!, index[edges + e]!];
      adjacency[target * numNodes + source]! += (edgeWeight === null ? 1 : edgeWeight.data[e]!) / degree[target]!;
    }
    return tensor(adjacency, { shape: [numNodes, numNodes], dtype: this.dtype });
  }

  protected stepOn(x: Tensor, graph: Tensor, state: readonly Tensor[]): Tensor[] {
    const [h, c] = state as [Tensor, Tensor | undefined];
    const gate = tanh(
      add(
        matmul(graph, linear(x, this.getParameter('weight')!)),
        linear(h, this.getParameter('hidden_weight')!, this.getParameter('bias')),
      ),
    );
    if (c === undefined) return [gate];
    const cNext = add(mul(c, 0.5), gate);
    return [tanh(cNext), cNext];
  }
}

/** A 5-node graph: a directed ring 0 → 1 → … → 4 → 0 and the chord 2 → 0. */
export const RING_EDGES = [
  [0, 1, 2, 3, 4, 2],
  [1, 2, 3, 4, 0, 0],
];

/**
 * A signal on the ring whose targets follow from the features: each node's next value is a damped
 * mean of its own last value and its in-neighbours' (so a forecaster can learn it), from a seeded
 * random start. `steps` snapshots of `lags` lags, float64 unless told.
 */
export function ringSignal(steps: number, options: { lags?: number; seed?: number; dtype?: FloatDType } = {}): TemporalSignal {
  const { lags = 3, seed = 0, dtype = 'float64' } = options;
  const nodes = 5;
  const generator = new Generator(seed);
  const noise = randn([steps + lags, nodes], { dtype: 'float64', generator }).data;
  const series = new Float64Array((steps + lags) * nodes);
  for (let n = 0; n < nodes; n++) series[n] = noise[n]!;
  for (let t = 1; t < steps + lags; t++) {
    for (let n = 0; n < nodes; n++) {
      const from = RING_EDGES[0]!.filter((_, e) => RING_EDGES[1]![e] === n);
      const mean = (series[(t - 1) * nodes + n]! + from.reduce((s, j) => s + series[(t - 1) * nodes + j]!, 0)) / (1 + from.length);
      series[t * nodes + n] = 0.8 * mean + 0.2 * noise[t * nodes + n]!;
    }
  }
  const features = new Float64Array(steps * nodes * lags);
  const targets = new Float64Array(steps * nodes);
  for (let t = 0; t < steps; t++) {
    for (let n = 0; n < nodes; n++) {
      for (let l = 0; l < lags; l++) features[(t * nodes + n) * lags + l] = series[(t + l) * nodes + n]!;
      targets[t * nodes + n] = series[(t + lags) * nodes + n]!;
    }
  }
  return createTemporalSignal({
    edgeIndex: tensor(RING_EDGES, { dtype: 'int32' }),
    features: tensor(features, { shape: [steps, nodes, lags], dtype }),
    targets: tensor(targets, { shape: [steps, nodes], dtype }),
    nodeNames: ['A', 'B', 'C', 'D', 'E'],
  });
}
