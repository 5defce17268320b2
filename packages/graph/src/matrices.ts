/**
 * The course's matrices as core-tensor `SparseCSR`s (call `.toDense()` for dense tensors):
 * A, Ã = A + I, D̃, Â = D̃^-1/2 Ã D̃^-1/2 and the random-walk D̃^-1 Ã.
 *
 * Orientation: every matrix here is an *aggregation* matrix, `M[i][j] ≠ 0` when j sends a message
 * to i (an edge j → i), so that `spmm(M, X)` is one round of message passing, `Â·X`. For undirected
 * graphs (both directions in the edge index) this is the usual symmetric adjacency; for directed
 * graphs it is the transpose of `to_dense_adj`'s `A[source][target]` (use `.transpose()`).
 */
import { SparseCSR, ValueError, div, indexSelect, mul, ne, where, type FloatDType, type Tensor } from '@tensorloom/core-tensor';
import { degree } from './degree.js';
import { gcnNorm } from './gcn-norm.js';
import { addRemainingSelfLoops, addSelfLoops, type WeightedEdges } from './self-loops.js';
import { checkFloatDType, newFloatArray, readEdgeIndex, readEdgeWeight, wrapFloat, wrapInt32 } from './tensors.js';

/** What happens to self-loops before the matrix is built. */
export type SelfLoopMode = 'none' | 'add' | 'remaining';

export interface AdjacencyOptions {
  /** N: the matrix is `[N, N]`. */
  numNodes: number;
  /** `[E]` float edge weights (default: implicit ones). Differentiable. */
  edgeWeight?: Tensor | null;
  /**
   * `'none'` (default): A as given. `'add'`: A + fill·I, a loop per node on top of any already
   * there (`addSelfLoops`). `'remaining'`: a loop only where none is (`addRemainingSelfLoops`).
   */
  selfLoops?: SelfLoopMode;
  /** Weight of the added loops (default 1). */
  fillValue?: number;
  /** Merge repeated (i, j) entries into one holding their sum (default false: kept apart; products sum them anyway). */
  sumDuplicates?: boolean;
}

function withLoops(
  op: string,
  edgeIndex: Tensor,
  numNodes: number,
  edgeWeight: Tensor | null,
  mode: SelfLoopMode,
  fillValue: number,
): WeightedEdges {
  switch (mode) {
    case 'none':
      return { edgeIndex, edgeWeight };
    case 'add':
      return addSelfLoops(edgeIndex, { numNodes, edgeWeight, fillValue });
    case 'remaining':
      return addRemainingSelfLoops(edgeIndex, { numNodes, edgeWeight, fillValue });
    default:
      throw new ValueError(`${op}: selfLoops must be 'none', 'add' or 'remaining', got ${String(mode)}`);
  }
}

/** The aggregation matrix of a weighted edge list: entry (target, source) per edge, values in edge order. */
function aggregationCsr(edgeIndex: Tensor, numNodes: number, values: Tensor | null, sumDuplicates = false): SparseCSR {
  const { row, col } = readEdgeIndex('aggregationMatrix', edgeIndex, numNodes);
  return SparseCSR.fromCoo(col, row, { shape: [numNodes, numNodes], values, sumDuplicates });
}

/**
 * The adjacency matrix `A` (`M[i][j]` = weight of edge j → i, implicit ones without weights), or
 * `Ã = A + I` with `selfLoops: 'add'`. CSR entries keep one per edge unless `sumDuplicates`;
 * `permutation[k]` is the edge of CSR entry k.
 *
 * Shapes: edgeIndex int32 `[2, E]`, edgeWeight `[E]` → `SparseCSR [N, N]`.
 * @example adjacency(seed.edgeIndex, { numNodes: 6, selfLoops: 'add' }).toDense()   // the course's Ã
 */
export function adjacency(edgeIndex: Tensor, options: AdjacencyOptions): SparseCSR {
  const op = 'adjacency';
  const { numNodes, selfLoops = 'none', fillValue = 1, sumDuplicates = false } = options;
  const { numEdges } = readEdgeIndex(op, edgeIndex, numNodes);
  let weight = readEdgeWeight(op, options.edgeWeight, numEdges);
  // Implicit ones cannot carry loops of another weight: spell the ones out.
  if (weight === null && selfLoops !== 'none' && fillValue !== 1) weight = ones(numEdges, 'float32');
  const looped = withLoops(op, edgeIndex, numNodes, weight, selfLoops, fillValue);
  return aggregationCsr(looped.edgeIndex, numNodes, looped.edgeWeight, sumDuplicates);
}

export interface NormalizedAdjacencyOptions {
  /** N: the matrix is `[N, N]`. */
  numNodes: number;
  /** `[E]` float edge weights (default ones). Differentiable. */
  edgeWeight?: Tensor | null;
  /** `'sym'` (default): `D̃^-1/2 Ã D̃^-1/2` (GCN). `'rw'`: `D̃^-1 Ã`, the mean over incoming messages. */
  normalization?: 'sym' | 'rw';
  /** Self-loops before normalising (default `'remaining'`, as `gcnNorm`); see {@link AdjacencyOptions}. */
  selfLoops?: SelfLoopMode;
  /** Loops weigh 2 (`Ã = A + 2I`, default false). */
  improved?: boolean;
  /** Values' dtype without `edgeWeight` (default `'float32'`). */
  dtype?: FloatDType;
}

/**
 * The normalised adjacency: `Â = D̃^-1/2 Ã D̃^-1/2` (`'sym'`, entry `w_ji / √(d̃_i d̃_j)`, exactly
 * `gcnNorm`'s coefficients) or `D̃^-1 Ã` (`'rw'`, entry `w_ji / d̃_i`), with `d̃_i` the weighted
 * in-degree of i in Ã and zero-degree rows left zero.
 *
 * Shapes: edgeIndex int32 `[2, E]`, edgeWeight `[E]` → `SparseCSR [N, N]`.
 * @example spmm(normalizedAdjacency(data.edgeIndex, { numNodes: data.numNodes }), x)   // Â·X
 */
export function normalizedAdjacency(edgeIndex: Tensor, options: NormalizedAdjacencyOptions): SparseCSR {
  const op = 'normalizedAdjacency';
  const { numNodes, normalization = 'sym', selfLoops = 'remaining', improved = false } = options;
  const { numEdges } = readEdgeIndex(op, edgeIndex, numNodes);
  const weight = readEdgeWeight(op, options.edgeWeight, numEdges) ?? ones(numEdges, checkFloatDType(op, options.dtype ?? 'float32'));
  const looped = withLoops(op, edgeIndex, numNodes, weight, selfLoops, improved ? 2 : 1);
  const loopedWeight = looped.edgeWeight!;
  if (normalization === 'sym') {
    const normed = gcnNorm(looped.edgeIndex, { numNodes, edgeWeight: loopedWeight, addSelfLoops: false });
    return aggregationCsr(normed.edgeIndex, numNodes, normed.edgeWeight);
  }
  if (normalization !== 'rw') throw new ValueError(`${op}: normalization must be 'sym' or 'rw', got ${String(normalization)}`);
  const target = wrapInt32(readEdgeIndex(op, looped.edgeIndex).col.slice());
  const deg = degree(target, { numNodes, weight: loopedWeight });
  const nonzero = ne(deg, 0);
  const inverse = where(nonzero, div(1, where(nonzero, deg, 1)), 0);
  return aggregationCsr(looped.edgeIndex, numNodes, mul(loopedWeight, indexSelect(inverse, 0, target)));
}

function ones(count: number, dtype: FloatDType): Tensor {
  return wrapFloat(newFloatArray(dtype, count).fill(1), dtype);
}

/**
 * A diagonal `[N, N]` `SparseCSR` holding `values` (`[N]`), e.g. D̃ from the degree vector.
 * @example diagonalMatrix(tensor([4, 3, 2])).toDense()   // [[4, 0, 0], [0, 3, 0], [0, 0, 2]]
 */
export function diagonalMatrix(values: Tensor): SparseCSR {
  const n = values.shape[0] ?? 0;
  if (values.ndim !== 1) throw new ValueError(`diagonalMatrix: values must be 1-D [N], got rank ${values.ndim}`);
  const rowPtr = new Int32Array(n + 1);
  const colIndex = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    rowPtr[i + 1] = i + 1;
    colIndex[i] = i;
  }
  return new SparseCSR({ rowPtr, colIndex, values, shape: [n, n] });
}

/** The course's GCN quantities for one graph. */
export interface GCNMatrices {
  /** A, the adjacency. */
  readonly adjacency: SparseCSR;
  /** Ã = A + fill·I (a loop only where none is, as `gcnNorm`). */
  readonly adjacencyWithSelfLoops: SparseCSR;
  /** `[N]`: d̃_i = Σ_j Ã_ij. */
  readonly degree: Tensor;
  /** D̃ = diag(d̃). */
  readonly degreeMatrix: SparseCSR;
  /** Â = D̃^-1/2 Ã D̃^-1/2. */
  readonly normalized: SparseCSR;
  /** D̃^-1 Ã. */
  readonly randomWalk: SparseCSR;
}

/**
 * A, Ã, d̃, D̃, Â and D̃^-1 Ã at once (for teaching and inspection; a model needs only `gcnNorm`).
 *
 * Shapes: edgeIndex int32 `[2, E]` → `[N, N]` matrices and the `[N]` degree vector.
 * @example
 * const { adjacencyWithSelfLoops, normalized } = gcnMatrices(seed.edgeIndex, { numNodes: 6 });
 * adjacencyWithSelfLoops.toDense().toArray();   // the course's Ã
 */
export function gcnMatrices(
  edgeIndex: Tensor,
  options: { numNodes: number; edgeWeight?: Tensor | null; improved?: boolean; dtype?: FloatDType },
): GCNMatrices {
  const op = 'gcnMatrices';
  const { numNodes, improved = false } = options;
  const dtype = checkFloatDType(op, options.dtype ?? 'float32');
  const { numEdges } = readEdgeIndex(op, edgeIndex, numNodes);
  const edgeWeight = readEdgeWeight(op, options.edgeWeight, numEdges) ?? ones(numEdges, dtype);
  const base = { numNodes, edgeWeight, improved };
  const fillValue = improved ? 2 : 1;
  const adjacencyWithSelfLoops = adjacency(edgeIndex, { numNodes, edgeWeight, selfLoops: 'remaining', fillValue });
  const looped = addRemainingSelfLoops(edgeIndex, { numNodes, edgeWeight, fillValue });
  const target = wrapInt32(readEdgeIndex(op, looped.edgeIndex).col.slice());
  const deg = degree(target, { numNodes, weight: looped.edgeWeight });
  return {
    adjacency: adjacency(edgeIndex, { numNodes, edgeWeight }),
    adjacencyWithSelfLoops,
    degree: deg,
    degreeMatrix: diagonalMatrix(deg),
    normalized: normalizedAdjacency(edgeIndex, { ...base, normalization: 'sym' }),
    randomWalk: normalizedAdjacency(edgeIndex, { ...base, normalization: 'rw' }),
  };
}
