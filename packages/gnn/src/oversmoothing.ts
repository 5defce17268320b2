/**
 * Over-smoothing measures (the course's §3.1b: with depth, message passing makes the nodes'
 * representations alike until they cannot be told apart). Two standard figures, per layer:
 *
 * - the mean pairwise cosine similarity of the node representations (the complement of Chen et
 *   al.'s MAD, "mean average distance", over all pairs), which rises towards 1;
 * - the Dirichlet energy with GCN's normalised Laplacian (Cai & Wang 2020), which falls towards 0,
 *   and its scale-free form, the Rayleigh quotient `E(X) / ‖X‖²_F`.
 *
 * They are measurements, not losses: they read the tensors' values (in float64) and build no graph.
 */
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape, noGrad, type Tensor } from '@tensorloom/core-tensor';

/**
 * The mean cosine similarity over all ordered pairs of distinct rows of `x` [N, F]:
 *
 * ```
 * (1 / (N(N−1))) Σ_{i≠j} cos(x_i, x_j),   cos(a, b) = a·b / (‖a‖‖b‖)
 * ```
 *
 * computed in O(N·F) as `(‖Σ_i u_i‖² − Σ_i ‖u_i‖²) / (N(N−1))` with `u_i = x_i / ‖x_i‖`. A zero
 * row has similarity 0 with every row (as `torch.nn.functional.cosine_similarity`). In [−1, 1];
 * NaN for fewer than two rows. 1 − this is the global MAD without its zero-distance filter.
 *
 * @example meanCosineSimilarity(tensor([[1, 0], [1, 0], [0, 1]]))  // (1 + 0 + 0)·2 / 6 = 1/3
 */
export function meanCosineSimilarity(x: Tensor): number {
  const [n, f] = checkRepresentation('meanCosineSimilarity', x);
  if (n < 2) return NaN;
  const values = x.data;
  const total = new Float64Array(f);
  let unitRows = 0;
  for (let i = 0; i < n; i++) {
    const base = i * f;
    let norm = 0;
    for (let k = 0; k < f; k++) norm += values[base + k]! * values[base + k]!;
    if (norm === 0) continue;
    const scale = 1 / Math.sqrt(norm);
    for (let k = 0; k < f; k++) total[k]! += values[base + k]! * scale;
    unitRows++;
  }
  let squared = 0;
  for (let k = 0; k < f; k++) squared += total[k]! * total[k]!;
  return (squared - unitRows) / (n * (n - 1));
}

/**
 * The Dirichlet energy of node signals `x` [N, F] on the graph of `edgeIndex` [2, E], with GCN's
 * normalised Laplacian `Δ̃ = I − D̃^{-1/2} (A + I) D̃^{-1/2}`:
 *
 * ```
 * E(X) = tr(Xᵀ Δ̃ X) = ½ Σ_{(i,j) ∈ E} ‖x_i / √d̃_i − x_j / √d̃_j‖²,   d̃_i = 1 + |{j : (j, i) ∈ E}|
 * ```
 *
 * (each undirected edge appears in both directions in `edgeIndex`, hence the ½). Self-loops in
 * `edgeIndex` are ignored: every node has exactly one, as in `gcnNorm`. 0 when every row is
 * proportional to `√d̃_i` times one vector, the fixed point of repeated GCN propagation.
 *
 * @example dirichletEnergy(x, dataset.edgeIndex)
 */
export function dirichletEnergy(x: Tensor, edgeIndex: Tensor): number {
  const [n, f] = checkRepresentation('dirichletEnergy', x);
  const { source, target } = checkEdges('dirichletEnergy', edgeIndex, n);
  const invSqrtDegree = new Float64Array(n).fill(1);
  for (let e = 0; e < source.length; e++) if (source[e] !== target[e]) invSqrtDegree[target[e]!]! += 1;
  for (let i = 0; i < n; i++) invSqrtDegree[i] = 1 / Math.sqrt(invSqrtDegree[i]!);
  const values = x.data;
  let energy = 0;
  for (let e = 0; e < source.length; e++) {
    const i = source[e]!;
    const j = target[e]!;
    if (i === j) continue;
    const si = invSqrtDegree[i]!;
    const sj = invSqrtDegree[j]!;
    for (let k = 0; k < f; k++) {
      const d = values[i * f + k]! * si - values[j * f + k]! * sj;
      energy += d * d;
    }
  }
  return energy / 2;
}

/** The over-smoothing figures of one representation (one layer's output). */
export interface OversmoothingLayer {
  /** 0 = the input features (for a model), else the layer's position (1-based); for a list, the list position. */
  layer: number;
  /** See `meanCosineSimilarity`. Rises with over-smoothing. */
  meanCosineSimilarity: number;
  /** See `dirichletEnergy`. Falls with over-smoothing (but also with the scale of the signals). */
  dirichletEnergy: number;
  /** `dirichletEnergy / ‖X‖²_F`, free of the signals' scale; in [0, 2). NaN for an all-zero X. */
  rayleighQuotient: number;
}

/** A model that can hand out its node representation after each of its layers (as `GNN` does). */
export interface LayerwiseModel {
  /** The representation after each layer, in order (the last is the model's output). */
  representations(x: Tensor, edgeIndex: Tensor): Tensor[];
  training: boolean;
  train(mode?: boolean): unknown;
  eval(): unknown;
}

export interface OversmoothingOptions {
  /** The input features: required when measuring a model, not allowed with a list of tensors. */
  x?: Tensor;
}

/**
 * Over-smoothing per layer: the mean pairwise cosine similarity, the Dirichlet energy and the
 * Rayleigh quotient of each representation.
 *
 * - `source` a list of representations `[N, F_l]` (reported as layers 0, 1, …), or a
 *   `LayerwiseModel` (a `GNN`, `GCN`, `GAT`) with `options.x` the input features: the model runs
 *   once in evaluation mode without gradients (its mode is restored), and the report holds the
 *   input (layer 0) and the output of every layer (1..L).
 * - `edgeIndex` int32 `[2, E]`, the graph the figures are measured on.
 *
 * @example
 * const model = new GNN({ conv: 'gcn', inChannels: 34, hiddenChannels: 16, outChannels: 16, numLayers: 32 });
 * oversmoothing(model, data.edgeIndex, { x: data.x }).map((l) => l.meanCosineSimilarity)  // rising with depth
 */
export function oversmoothing(
  source: readonly Tensor[] | LayerwiseModel,
  edgeIndex: Tensor,
  options: OversmoothingOptions = {},
): OversmoothingLayer[] {
  let representations: readonly Tensor[];
  if (Array.isArray(source)) {
    if (options.x !== undefined) throw new ValueError('oversmoothing: options.x is for a model; a list of representations needs none');
    representations = source as readonly Tensor[];
  } else {
    const model = source as LayerwiseModel;
    if (typeof model.representations !== 'function')
      throw new ValueError('oversmoothing: expected a list of tensors or a model with representations(x, edgeIndex)');
    const { x } = options;
    if (x === undefined) throw new ValueError('oversmoothing: measuring a model needs the input features as options.x');
    const wasTraining = model.training;
    model.eval();
    try {
      representations = [x, ...noGrad(() => model.representations(x, edgeIndex))];
    } finally {
      model.train(wasTraining);
    }
  }
  return representations.map((h, layer) => {
    const energy = dirichletEnergy(h, edgeIndex);
    let squaredNorm = 0;
    for (const v of h.data) squaredNorm += v * v;
    return {
      layer,
      meanCosineSimilarity: meanCosineSimilarity(h),
      dirichletEnergy: energy,
      rayleighQuotient: squaredNorm === 0 ? NaN : energy / squaredNorm,
    };
  });
}

function checkRepresentation(op: string, x: Tensor): [number, number] {
  if (x.dtype === 'int32') throw new DTypeError(`${op}: expected float32 or float64 node representations, got int32`);
  if (x.ndim !== 2) throw new ShapeError(`${op}: expected node representations [numNodes, features], got ${fmtShape(x.shape)}`);
  return [x.shape[0]!, x.shape[1]!];
}

function checkEdges(op: string, edgeIndex: Tensor, n: number): { source: Int32Array; target: Int32Array } {
  if (edgeIndex.dtype !== 'int32') throw new DTypeError(`${op}: edgeIndex must be int32, got ${edgeIndex.dtype}`);
  if (edgeIndex.ndim !== 2 || edgeIndex.shape[0] !== 2)
    throw new ShapeError(`${op}: edgeIndex must be [2, numEdges], got ${fmtShape(edgeIndex.shape)}`);
  const data = edgeIndex.data as Int32Array;
  const e = edgeIndex.shape[1]!;
  for (const node of data) {
    if (!(node >= 0 && node < n)) throw new IndexError(`${op}: edgeIndex holds node ${node}, outside [0, ${n}) (the rows of x)`);
  }
  return { source: data.subarray(0, e), target: data.subarray(e, 2 * e) };
}
