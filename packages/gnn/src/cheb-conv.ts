/**
 * `ChebConv`: the Chebyshev spectral graph convolution of Defferrard et al. (2016), PyTorch
 * Geometric's `ChebConv`, and the scaled Laplacian it filters with, built once per graph
 * (`chebLaplacian`) so that a layer, or the several layers of a recurrent cell, can reuse it.
 */
import {
  DTypeError,
  ShapeError,
  SparseCSR,
  Tensor,
  ValueError,
  concat,
  div,
  fmtShape,
  full,
  indexSelect,
  linear,
  max,
  mul,
  ne,
  neg,
  nn,
  noGrad,
  ones,
  reciprocal,
  spmm,
  sub,
  where,
  type FloatDType,
  type Generator,
} from '@tensorloom/core-tensor';
import { degree, gcnNorm, removeSelfLoops } from '@tensorloom/graph';
import { checkEdgeIndex, checkEdgeWeight } from './edges.js';
import { checkChannels, GraphLinear } from './linear.js';
import { MessagePassing } from './message-passing.js';
import { checkNodeFeatures, denseFeatures, featureDtype, type NodeFeatures } from './node-features.js';

/**
 * How the graph Laplacian is normalised (PyG's `normalization`): `'sym'` `L = I − D^-1/2 A D^-1/2`,
 * `'rw'` `L = I − D^-1 A`, null `L = D − A`.
 */
export type ChebNormalization = 'sym' | 'rw' | null;

/** Options of {@link chebLaplacian}. */
export interface ChebLaplacianOptions {
  /** N, the number of nodes. */
  numNodes: number;
  /** One weight per edge, `[E]`. Default: all ones. Differentiable. */
  edgeWeight?: Tensor | null;
  /** The normalisation. Default 'sym'. */
  normalization?: ChebNormalization;
  /**
   * λ_max, the largest eigenvalue of L (or a bound on it). Default: 2 for 'sym' and 'rw' (PyG
   * estimates `2 · max_ij L_ij`, which is 2 for these normalisations when the edge weights are
   * non-negative); for null, PyG's estimate `2 · max_ij L_ij`, twice the largest weighted degree.
   */
  lambdaMax?: number;
  /** dtype of L̂ when no edge weights are given. Default 'float32'. */
  dtype?: FloatDType;
}

/**
 * The scaled Laplacian `L̂ = 2L / λ_max − I` of one graph as sparse matrices, built by
 * {@link chebLaplacian} and passed to `ChebConv.forwardOn` or {@link chebTerms}.
 */
export interface ChebLaplacian {
  readonly numNodes: number;
  readonly normalization: ChebNormalization;
  /** The λ_max used. */
  readonly lambdaMax: number;
  readonly dtype: FloatDType;
  /** L̂ `[N, N]` in CSR form, rows = targets: `(L̂ X)_i = Σ_{j → i} L̂_ij X_j` (plus the diagonal). */
  readonly matrix: SparseCSR;
  /** 2L̂, the same structure with doubled values (the Chebyshev recursion's `2L̂ T_{k−1}`). */
  readonly doubled: SparseCSR;
}

/**
 * PyG's scaled Laplacian of `ChebConv.__norm__` (`get_laplacian`, then `2L/λ_max − I`):
 * ```
 * self-loops are removed; d_i = Σ_{e : source(e) = i} w_e       (the degree over the source row)
 * 'sym':  L_ij = −w_ji / √(d_j d_i),   L_ii = 1
 * 'rw':   L_ij = −w_ji / d_j,          L_ii = 1
 * null:   L_ij = −w_ji,                L_ii = d_i
 * L̂ = 2L / λ_max − I
 * ```
 * for each edge j → i (row i of L̂ gathers from the sources j; duplicate edges add up; a node of
 * degree 0 contributes 0, not ∞). With 'sym' or 'rw' and λ_max = 2 the diagonal of L̂ is zero and
 * left out of the matrix. Differentiable in `edgeWeight`. Throws IndexError, ShapeError or
 * DTypeError for a bad edge index or edge weights, ValueError for a bad normalisation or λ_max.
 *
 * @example
 * const laplacian = chebLaplacian(edgeIndex, { numNodes: 20, edgeWeight });
 * conv.forwardOn(x, laplacian)  // as conv.call(x, edgeIndex, { edgeWeight }), without rebuilding L̂
 */
export function chebLaplacian(edgeIndex: Tensor, options: ChebLaplacianOptions): ChebLaplacian {
  return buildChebLaplacian('chebLaplacian', edgeIndex, options);
}

/** {@link chebLaplacian}, its errors naming `op`. With `dtype`, edge weights of another dtype are a DTypeError. */
export function buildChebLaplacian(op: string, edgeIndex: Tensor, options: ChebLaplacianOptions): ChebLaplacian {
  const { numNodes, normalization = 'sym' } = options;
  checkNormalization(op, normalization);
  if (options.lambdaMax !== undefined) checkLambdaMax(op, options.lambdaMax);
  checkEdgeIndex(op, edgeIndex, numNodes);
  const given = options.edgeWeight ?? null;
  const dtype = (options.dtype ?? given?.dtype ?? 'float32') as FloatDType;
  checkEdgeWeight(op, given, edgeIndex.shape[1]!, dtype);
  const loopFree = removeSelfLoops(edgeIndex, { edgeWeight: given ?? ones([edgeIndex.shape[1]!], { dtype }) });
  const weight = loopFree.edgeWeight!;
  const numEdges = weight.shape[0]!;
  const data = loopFree.edgeIndex.data as Int32Array;
  const source = data.slice(0, numEdges);
  const target = data.slice(numEdges);

  // L's off-diagonal entries (one per edge) and its diagonal.
  let offDiagonal: Tensor;
  let diagonal: Tensor | null = null; // null: the identity's ones
  if (normalization === 'sym') {
    const norm = gcnNorm(loopFree.edgeIndex, { numNodes, edgeWeight: weight, addSelfLoops: false, flow: 'target_to_source' });
    offDiagonal = neg(norm.edgeWeight);
  } else {
    const deg = degree(new Tensor(source, [numEdges], 'int32'), { numNodes, weight });
    if (normalization === 'rw') {
      const nonzero = ne(deg, 0);
      const inverse = where(nonzero, reciprocal(where(nonzero, deg, 1)), 0);
      offDiagonal = neg(mul(indexSelect(inverse, 0, new Tensor(source, [numEdges], 'int32')), weight));
    } else {
      offDiagonal = neg(weight);
      diagonal = deg;
    }
  }

  // 2 / λ_max: a number, or for null without λ_max PyG's estimate 2 · max L (a differentiable scalar).
  let scale: number | Tensor;
  let lambdaMax: number;
  if (options.lambdaMax !== undefined || diagonal === null) {
    lambdaMax = options.lambdaMax ?? 2;
    scale = 2 / lambdaMax;
  } else {
    const entries = concat([offDiagonal, diagonal]);
    const estimate = entries.size === 0 ? full([], 0, { dtype }) : mul(max(entries), 2);
    lambdaMax = estimate.item();
    if (!(lambdaMax > 0 && Number.isFinite(lambdaMax)))
      throw new ValueError(`${op}: the estimate 2 · max L of λ_max is ${lambdaMax} (a graph without weighted edges); pass lambdaMax`);
    scale = div(2, estimate);
  }
  const values = [scale === 1 ? offDiagonal : mul(offDiagonal, scale)];
  const rows = [target];
  const cols = [source];
  const diagonalValues =
    diagonal === null
      ? scale === 1
        ? null // 2/λ − 1 = 0: the diagonal adds nothing
        : full([numNodes], (scale as number) - 1, { dtype })
      : sub(mul(diagonal, scale), 1);
  if (diagonalValues !== null) {
    const nodes = Int32Array.from({ length: numNodes }, (_, i) => i);
    values.push(diagonalValues);
    rows.push(nodes);
    cols.push(nodes);
  }
  const matrix = SparseCSR.fromCoo(concatInt32(rows), concatInt32(cols), {
    shape: [numNodes, numNodes],
    values: values.length === 1 ? values[0]! : concat(values),
  });
  return { numNodes, normalization, lambdaMax, dtype, matrix, doubled: matrix.withValues(mul(matrix.values!, 2)) };
}

function concatInt32(parts: readonly Int32Array[]): Int32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The Chebyshev terms `[T_0, …, T_{K−1}]` of x `[N, F]` (each `[N, F]`):
 * `T_0 = x`, `T_1 = L̂ x`, `T_k = 2 L̂ T_{k−1} − T_{k−2}` — K − 1 sparse products and K − 2
 * subtractions. With K = 1 the Laplacian is not used (it may be null).
 */
export function chebTerms(x: Tensor, laplacian: ChebLaplacian | null, K: number): Tensor[] {
  const terms = [x];
  if (K === 1) return terms;
  if (laplacian === null) throw new ValueError(`chebTerms: K = ${K} needs the Laplacian, got null`);
  terms.push(spmm(laplacian.matrix, x));
  for (let k = 2; k < K; k++) terms.push(sub(spmm(laplacian.doubled, terms[k - 1]!), terms[k - 2]!));
  return terms;
}

/** Options of {@link ChebConv}. */
export interface ChebConvOptions {
  /** The Laplacian's normalisation: 'sym', 'rw' or null. Default 'sym'. */
  normalization?: ChebNormalization;
  /** Learn an additive bias. Default true. */
  bias?: boolean;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial weights. Default: the global one. */
  generator?: Generator;
}

/** Options of {@link ChebConv.forward}. */
export interface ChebConvForwardOptions {
  /** One weight per edge, `[E]`, of the layer's dtype. Default: all ones. */
  edgeWeight?: Tensor | null;
  /** λ_max (see {@link ChebLaplacianOptions.lambdaMax}). Default 2 ('sym', 'rw'). */
  lambdaMax?: number;
}

/**
 * The Chebyshev spectral convolution of order K:
 * ```
 * X' = Σ_{k=0}^{K−1} T_k · Θ_kᵀ + b,    T_0 = X,  T_1 = L̂ X,  T_k = 2 L̂ T_{k−1} − T_{k−2}
 * ```
 * with the scaled Laplacian `L̂ = 2L / λ_max − I` of {@link chebLaplacian} (normalisation 'sym'
 * by default, λ_max = 2, self-loops removed first). K = 1 ignores the graph (`X Θ_0ᵀ + b`).
 *
 * - Options: `normalization` ('sym'), `bias` (true), `dtype` ('float32'), `generator`.
 * - `forward(x, edgeIndex, { edgeWeight, lambdaMax })`: x `[N, inChannels]` (a SparseCSR is
 *   densified), edgeIndex int32 `[2, E]` (row 0 sources, row 1 targets), edgeWeight `[E]` →
 *   `[N, outChannels]`.
 * - `laplacian(edgeIndex, { numNodes, edgeWeight, lambdaMax })` builds L̂ once;
 *   `forwardOn(x, laplacian)` convolves with it (for many calls on one graph).
 * - Parameters (PyG's names): `lins.{k}.weight` `[out, in]` for k < K, Glorot-uniform (no bias
 *   in the `lins`); `bias` `[out]`, zeros.
 * - Speed: K − 1 sparse products (CSR, never a dense N × N), then one matrix product of the
 *   terms side by side `[N, K·in]` with the weights side by side `[out, K·in]`.
 *
 * @example
 * const conv = new ChebConv(16, 4, 3);
 * conv.call(x, edgeIndex)  // x [N, 16] → [N, 4]
 */
export class ChebConv extends MessagePassing<[NodeFeatures, Tensor, ChebConvForwardOptions?], Tensor> {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly K: number;
  readonly normalization: ChebNormalization;

  constructor(inChannels: number, outChannels: number, K: number, options: ChebConvOptions = {}) {
    super({ aggr: 'sum' });
    checkChannels('ChebConv', 'inChannels', inChannels);
    checkChannels('ChebConv', 'outChannels', outChannels);
    checkChannels('ChebConv', 'K', K);
    const { normalization = 'sym', bias = true, dtype = 'float32', generator } = options;
    checkNormalization('ChebConv', normalization);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.K = K;
    this.normalization = normalization;
    const lins = Array.from(
      { length: K },
      () =>
        new GraphLinear({ inFeatures: inChannels, outFeatures: outChannels, bias: false, weightInitializer: 'glorot', dtype, generator }),
    );
    this.registerModule('lins', new nn.ModuleList(lins));
    this.registerParameter('bias', bias ? Tensor.empty([outChannels], dtype) : null);
    this.resetParameters();
  }

  /** The maps Θ_k: `lins.{k}.weight` `[out, in]`. */
  get lins(): nn.ModuleList<GraphLinear> {
    return this.getSubmodule('lins') as nn.ModuleList<GraphLinear>;
  }

  /** `[outChannels]`, or null without bias. */
  get bias(): Tensor | null {
    return this.getParameter('bias');
  }

  /** The weights side by side, `[out, K·in]` (column block k is Θ_k): one op, recorded on the tape. */
  packedWeight(): Tensor {
    const weights = [...this.lins].map((lin) => lin.weight);
    return weights.length === 1 ? weights[0]! : concat(weights, 1);
  }

  protected override resetOwnParameters(): void {
    const bias = this.bias;
    if (bias !== null) noGrad(() => bias.data.fill(0));
  }

  forward(x: NodeFeatures, edgeIndex: Tensor, options: ChebConvForwardOptions = {}): Tensor {
    checkNodeFeatures('ChebConv', x, this.inChannels);
    const dtype = featureDtype(x, this.lins.at(0).weight.dtype as FloatDType);
    return this.forwardOn(x, this.laplacian(edgeIndex, { numNodes: x.shape[0]!, dtype, ...options }));
  }

  /**
   * L̂ of one graph with this layer's normalisation, for {@link ChebConv.forwardOn}; `dtype`
   * (that of the x it will convolve) defaults to the layer's.
   */
  laplacian(edgeIndex: Tensor, options: Omit<ChebLaplacianOptions, 'normalization'>): ChebLaplacian {
    const dtype = options.dtype ?? (this.lins.at(0).weight.dtype as FloatDType);
    return buildChebLaplacian('ChebConv', edgeIndex, { ...options, normalization: this.normalization, dtype });
  }

  /** The convolution with a Laplacian built earlier (by `laplacian` or {@link chebLaplacian}): x `[N, in]` → `[N, out]`. */
  forwardOn(x: NodeFeatures, laplacian: ChebLaplacian): Tensor {
    checkNodeFeatures('ChebConv', x, this.inChannels);
    const dtype = this.lins.at(0).weight.dtype as FloatDType;
    const dense = denseFeatures(x, dtype);
    checkLaplacianFor('ChebConv', laplacian, this.normalization, dense);
    return linear(concatTerms(chebTerms(dense, laplacian, this.K)), this.packedWeight(), this.bias);
  }

  override extraRepr(): string {
    const normalization = formatNormalization(this.normalization);
    return `${this.inChannels}, ${this.outChannels}, K=${this.K}, normalization=${normalization}, bias=${this.bias !== null}`;
  }
}

function concatTerms(terms: readonly Tensor[]): Tensor {
  return terms.length === 1 ? terms[0]! : concat(terms, 1);
}

/** Throws unless `laplacian` fits x (its rows, dtype) and the normalisation a layer was built with. */
function checkLaplacianFor(op: string, laplacian: ChebLaplacian, normalization: ChebNormalization, x: Tensor): void {
  if (laplacian === null || typeof laplacian !== 'object' || !(laplacian.matrix instanceof SparseCSR))
    throw new ValueError(`${op}: expected a Laplacian from chebLaplacian(), got ${String(laplacian)}`);
  if (laplacian.numNodes !== x.shape[0])
    throw new ShapeError(`${op}: the Laplacian has ${laplacian.numNodes} nodes but x is ${fmtShape(x.shape)}`);
  if (laplacian.dtype !== x.dtype) throw new DTypeError(`${op}: the Laplacian is ${laplacian.dtype} but x is ${x.dtype}`);
  if (laplacian.normalization !== normalization)
    throw new ValueError(
      `${op}: the layer normalises '${String(normalization)}' but the Laplacian is '${String(laplacian.normalization)}'`,
    );
}

/** 'sym' → `'sym'`, null → `null`, as a repr prints them. */
export function formatNormalization(normalization: ChebNormalization): string {
  return normalization === null ? 'null' : `'${normalization}'`;
}

function checkNormalization(op: string, normalization: unknown): asserts normalization is ChebNormalization {
  if (normalization !== 'sym' && normalization !== 'rw' && normalization !== null)
    throw new ValueError(`${op}: normalization must be 'sym', 'rw' or null, got ${JSON.stringify(normalization)}`);
}

/** Throws a ValueError unless λ_max is a positive finite number. */
export function checkLambdaMax(op: string, lambdaMax: unknown): asserts lambdaMax is number {
  if (typeof lambdaMax !== 'number' || !(lambdaMax > 0) || !Number.isFinite(lambdaMax))
    throw new ValueError(`${op}: lambdaMax must be a positive finite number, got ${String(lambdaMax)}`);
}
