/**
 * `DConv`: the diffusion convolution of DCRNN (Li et al. 2018), as PyTorch Geometric Temporal
 * implements it (`torch_geometric_temporal/nn/recurrent/dcrnn.py`), quirks included, so its state
 * dicts and results carry over; and the prepared diffusion operators that `DCRNN` shares between
 * its gates and over a sequence.
 */
import {
  ShapeError,
  SparseCSR,
  Tensor,
  ValueError,
  add,
  concat,
  fmtShape,
  indexAdd,
  indexSelect,
  matmul,
  mul,
  ne,
  nn,
  noGrad,
  ones,
  reciprocal,
  reshape,
  spmm,
  sub,
  where,
  zeros,
  type FloatDType,
  type Generator,
} from '@tensorloom/core-tensor';
import { checkEdgeIndex, checkEdgeWeight } from '../edges.js';
import { checkChannels } from '../linear.js';
import { checkNodeFeatures } from '../node-features.js';

/** Options of {@link DConv}. */
export interface DConvOptions {
  /** Learn an additive bias. Default true. */
  bias?: boolean;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial weights. Default: the global one. */
  generator?: Generator;
}

/** Options of {@link DConv.forward}. */
export interface DConvForwardOptions {
  /** One weight per edge, `[E]`, of the layer's dtype. Default: all ones. */
  edgeWeight?: Tensor | null;
}

/**
 * What the diffusion needs of a graph, built once by {@link diffusionGraph} (per sequence, for a
 * recurrent cell). Both directions are held interleaved, row `2n + d` for node n and direction d
 * (0 out, 1 in), so one sparse product advances both.
 */
export interface DiffusionGraph {
  readonly numNodes: number;
  /** `[2N, N]`, ones: row `2n + d` copies node n (the k = 0 term of both directions). */
  readonly duplicate: SparseCSR;
  /** `[2N, N]`: row `2n` is row n of P_out, row `2n + 1` row n of P_in. */
  readonly first: SparseCSR;
  /** `[2N, 2N]`: 2·P_out among the even rows and columns, 2·P_in among the odd ones. */
  readonly recurrence: SparseCSR;
}

/** Throws a ValueError unless K is a positive integer. */
export function checkFilterSize(op: string, K: number): void {
  if (!Number.isInteger(K) || K < 1) throw new ValueError(`${op}: K must be a positive integer (the filter size), got ${String(K)}`);
}

/**
 * The diffusion operators of PyG Temporal's `DConv` for one graph. With `A[s][t] = Σ w` over the
 * edges s → t (weights default 1), `d_out = A·1`, `d_in = Aᵀ·1`:
 * ```
 * P_out:  (P_out x)_i = Σ_{edges j → i}  x_j / d_out(j)
 * P_in:   (P_in x)_s  = Σ_k  x_{t_k} · norm_in[k],   (t_k → s_k) the k-th non-zero of Aᵀ, row-major
 *         norm_in[k]  = 1 / d_in(source of the k-th edge of the edge list)
 * ```
 * The weights enter only through the degrees (the messages are unweighted), and `norm_in` is
 * paired with the reverse edges by position, not by edge (see {@link DConv}). Where PyG Temporal
 * is undefined: a degree of 0 gives 0 (not ∞), and an edge list that is not one-to-one with the
 * non-zeros of A (duplicate edges, zero weights) is replaced by those non-zeros, sorted by
 * source then target (PyG's `dense_to_sparse(to_dense_adj(edgeIndex, edgeWeight))`).
 * Differentiable in `edgeWeight` (through the degrees). Sparse throughout: no `[N, N]` matrix.
 *
 * Inputs are not checked here (DConv and DCRNN check them first).
 */
export function diffusionGraph(edgeIndex: Tensor, edgeWeight: Tensor | null, numNodes: number, dtype: FloatDType): DiffusionGraph {
  const numEdges = edgeIndex.shape[1]!;
  const data = edgeIndex.data as Int32Array;
  const source = data.slice(0, numEdges);
  const target = data.slice(numEdges, 2 * numEdges);
  const weight = edgeWeight ?? ones([numEdges], { dtype });
  const used = adjacencyEntries(source, target, weight.data, numNodes, dtype);
  const count = used.source.length;
  // The reverse edges in the order of Aᵀ's non-zeros: by the original target, then the source.
  const reverse = orderBy(used.target, used.source, numNodes);

  const inverseOut = safeReciprocal(indexAdd(zeros([numNodes], { dtype }), 0, new Tensor(source, [numEdges], 'int32'), weight));
  const inverseIn = safeReciprocal(indexAdd(zeros([numNodes], { dtype }), 0, new Tensor(target, [numEdges], 'int32'), weight));
  const usedSource = new Tensor(used.source, [count], 'int32');
  // PyG Temporal's norm_in = deg_in_inv[row]: the in-degree of each listed edge's source, by position.
  const values = concat([indexSelect(inverseOut, 0, usedSource), indexSelect(inverseIn, 0, usedSource)]);

  const rows = new Int32Array(2 * count);
  const firstCols = new Int32Array(2 * count);
  const recurrenceCols = new Int32Array(2 * count);
  for (let e = 0; e < count; e++) {
    // Out direction: edge j → i sends x_j to i.
    rows[e] = 2 * used.target[e]!;
    firstCols[e] = used.source[e]!;
    recurrenceCols[e] = 2 * used.source[e]!;
    // In direction: the k-th reverse edge t → s sends x_t to s.
    const k = reverse[e]!;
    rows[count + e] = 2 * used.source[k]! + 1;
    firstCols[count + e] = used.target[k]!;
    recurrenceCols[count + e] = 2 * used.target[k]! + 1;
  }
  const stacked = 2 * numNodes;
  const duplicateColumns = new Int32Array(stacked);
  const duplicatePtr = new Int32Array(stacked + 1);
  for (let r = 0; r < stacked; r++) {
    duplicateColumns[r] = r >> 1;
    duplicatePtr[r + 1] = r + 1;
  }
  return {
    numNodes,
    duplicate: new SparseCSR({ rowPtr: duplicatePtr, colIndex: duplicateColumns, shape: [stacked, numNodes] }),
    first: SparseCSR.fromCoo(rows, firstCols, { shape: [stacked, numNodes], values }),
    recurrence: SparseCSR.fromCoo(rows, recurrenceCols, { shape: [stacked, stacked], values: mul(values, 2) }),
  };
}

/**
 * The K diffusion terms of x in both directions, side by side in PyG Temporal's weight order:
 * `[N, C]` → `[N, 2·K·C]`, column `(d·K + k)·C + c` holding `T_k^d x` with
 * `T_0 = x`, `T_1 = P_d x`, `T_k = 2 P_d T_{k−1} − x` (k ≥ 2). A layer's output is this times its
 * weight `[2, K, C, out]` read as `[2KC, out]`; gates that read the same input share it.
 * Ops: 2 sparse products, then 2 per further term, a concat and a reshape.
 */
export function diffusionTerms(x: Tensor, graph: DiffusionGraph, K: number): Tensor {
  if (x.ndim !== 2 || x.shape[0] !== graph.numNodes)
    throw new ShapeError(`diffusionTerms: x must be [${graph.numNodes}, C] (one row per node of the graph), got ${fmtShape(x.shape)}`);
  const [n, channels] = x.shape as [number, number];
  // Rows 2n + d: node n in direction d. Concatenating the terms' columns and reading [2N, K·C] as
  // [N, 2·K·C] puts them in the order (d, k, c).
  const copies = spmm(graph.duplicate, x);
  const terms = [copies];
  if (K > 1) {
    let previous = spmm(graph.first, x);
    terms.push(previous);
    for (let k = 2; k < K; k++) {
      previous = sub(spmm(graph.recurrence, previous), copies);
      terms.push(previous);
    }
  }
  return reshape(terms.length === 1 ? copies : concat(terms, 1), [n, 2 * K * channels]);
}

/**
 * The diffusion convolution of PyTorch Geometric Temporal's `DConv` (DCRNN, Li et al. 2018):
 * ```
 * H = Σ_{k<K}  T_k^out X · W[0][k]  +  T_k^in X · W[1][k]  + b
 * T_0 = X,   T_1 = P X,   T_k = 2 P T_{k−1} − X   (k ≥ 2; P = P_out or P_in of diffusionGraph)
 * ```
 * It reproduces PyG Temporal's results and parameters exactly; these are its departures from the
 * paper (whose filter is `Σ_k θ_k,1 (D_O⁻¹W)^k + θ_k,2 (D_I⁻¹Wᵀ)^k`), all mirrored here:
 * 1. The out-walk is `(P_out x)_i = Σ_{j → i} x_j / d_out(j)`, the transpose of the paper's
 *    `D_O⁻¹W`, and its messages carry no edge weight: weights count only in the degrees.
 * 2. The reverse edges are the non-zeros of the transposed dense adjacency in row-major order
 *    (by original target, then source), and the k-th gets `1 / d_in` of the source of the k-th
 *    edge of the edge list given: a pairing by position. When the list is sorted by source and
 *    every node has as many edges in as out (symmetric graphs, as chickenpox and PedalMe), the
 *    k-th reverse edge starts at that source, so `(P_in x)_i = Σ_{i → j} x_j / d_in(j)`;
 *    otherwise the result depends on the order of the edges, as in PyG Temporal.
 * 3. The terms follow a Chebyshev-like recursion (as the authors' TensorFlow code), not powers
 *    of P, and since PyG Temporal never advances its `Tx_0`, the term subtracted is X at every k
 *    (Chebyshev's would be T_{k−2}).
 * 4. The k = 0 term is counted in both directions, `X·W[0][0] + X·W[1][0]`: two weights whose
 *    sum is what matters. With K = 1 the layer ignores the graph.
 * 5. PyG Temporal's dense adjacency has `max(edgeIndex) + 1` rows; that changes nothing.
 * Where PyG Temporal is undefined we chose (see {@link diffusionGraph}): 1/0 = 0 (PyG Temporal
 * gives ∞ and then ∞ or NaN outputs whenever an edge's source has no incoming edge; nodes
 * without any edge are fine in both), and an edge list with duplicates or zero weights is first
 * coalesced into the adjacency's non-zeros (PyG Temporal raises for K > 1).
 *
 * - Options: `bias` (true), `dtype` ('float32'), `generator`.
 * - `forward(x, edgeIndex, { edgeWeight })`: x `[N, inChannels]`, edgeIndex int32 `[2, E]` (row 0
 *   sources), edgeWeight `[E]` (default ones; differentiable) → `[N, outChannels]`.
 * - Parameters (PyG Temporal's names): `weight` `[2, K, in, out]`, Xavier-uniform with PyTorch's
 *   fans for that shape (fanIn = K·in·out, fanOut = 2·in·out); `bias` `[out]`, zeros.
 * - Speed: the operators are built once per call (`diffusionGraph`; DCRNN builds them once per
 *   sequence); then K sparse products (one copies x for k = 0), K − 2 subtractions, one concat
 *   and one matmul.
 *
 * @example
 * const conv = new DConv(4, 8, 2);
 * conv.call(x, edgeIndex, { edgeWeight })  // x [N, 4] → [N, 8]
 */
export class DConv extends nn.Module<[Tensor, Tensor, DConvForwardOptions?], Tensor> {
  readonly inChannels: number;
  readonly outChannels: number;
  /** The filter size: terms k = 0 … K − 1 in each direction. */
  readonly K: number;
  readonly generator: Generator | undefined;

  constructor(inChannels: number, outChannels: number, K: number, options: DConvOptions = {}) {
    super();
    checkChannels('DConv', 'inChannels', inChannels);
    checkChannels('DConv', 'outChannels', outChannels);
    checkFilterSize('DConv', K);
    const { bias = true, dtype = 'float32', generator } = options;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.K = K;
    this.generator = generator;
    this.registerParameter('weight', Tensor.empty([2, K, inChannels, outChannels], dtype));
    this.registerParameter('bias', bias ? Tensor.empty([outChannels], dtype) : null);
    this.resetParameters();
  }

  /** `[2, K, inChannels, outChannels]`: direction (out, in), term, input, output. */
  get weight(): Tensor {
    return this.getParameter('weight')!;
  }

  /** `[outChannels]`, or null without bias. */
  get bias(): Tensor | null {
    return this.getParameter('bias');
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    nn.init.xavierUniform_(this.weight, { generator });
    const bias = this.bias;
    if (bias !== null) noGrad(() => bias.data.fill(0));
  }

  forward(x: Tensor, edgeIndex: Tensor, options: DConvForwardOptions = {}): Tensor {
    checkNodeFeatures('DConv', x, this.inChannels);
    if (!(x instanceof Tensor)) throw new ShapeError('DConv: x must be a dense tensor [N, inChannels], got a SparseCSR');
    const numNodes = x.shape[0]!;
    const edgeWeight = options.edgeWeight ?? null;
    const dtype = this.weight.dtype as FloatDType;
    checkEdgeIndex('DConv', edgeIndex, numNodes);
    checkEdgeWeight('DConv', edgeWeight, edgeIndex.shape[1]!, dtype);
    return this.project(diffusionTerms(x, diffusionGraph(edgeIndex, edgeWeight, numNodes, dtype), this.K));
  }

  /** The layer on prepared terms: `[N, 2·K·inChannels]` (from {@link diffusionTerms}) → `[N, outChannels]`. */
  project(terms: Tensor): Tensor {
    const width = 2 * this.K * this.inChannels;
    if (terms.ndim !== 2 || terms.shape[1] !== width)
      throw new ShapeError(`DConv.project: terms must be [N, ${width}] (2·K·inChannels), got ${fmtShape(terms.shape)}`);
    const out = matmul(terms, reshape(this.weight, [width, this.outChannels]));
    const bias = this.bias;
    return bias === null ? out : add(out, bias);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, K=${this.K}, bias=${this.bias !== null}`;
  }
}

/** `1 / d`, and 0 where d = 0; the backward pass stays finite too. */
function safeReciprocal(d: Tensor): Tensor {
  const nonzero = ne(d, 0);
  return where(nonzero, reciprocal(where(nonzero, d, 1)), 0);
}

/**
 * The edges the diffusion runs on: the edge list itself when it is one-to-one with the non-zero
 * entries of the dense adjacency (PyG Temporal's defined case), else those entries in row-major
 * order (weights of duplicates summed in the weights' precision, zero sums dropped).
 */
function adjacencyEntries(
  source: Int32Array,
  target: Int32Array,
  weight: Tensor['data'],
  numNodes: number,
  dtype: FloatDType,
): { source: Int32Array; target: Int32Array } {
  const order = orderBy(source, target, numNodes);
  let oneToOne = true;
  for (let p = 0; p < order.length && oneToOne; p++) {
    const e = order[p]!;
    const previous = p > 0 ? order[p - 1]! : -1;
    if (weight[e] === 0 || (previous >= 0 && source[previous] === source[e] && target[previous] === target[e])) oneToOne = false;
  }
  if (oneToOne) return { source, target };
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const kept: Array<[number, number]> = [];
  for (let p = 0; p < order.length;) {
    const e = order[p]!;
    let sum = 0;
    for (; p < order.length && source[order[p]!] === source[e] && target[order[p]!] === target[e]; p++)
      sum = round(sum + weight[order[p]!]!);
    if (sum !== 0) kept.push([source[e]!, target[e]!]);
  }
  return { source: Int32Array.from(kept, ([s]) => s), target: Int32Array.from(kept, ([, t]) => t) };
}

/** The positions of the pairs (first[e], second[e]) sorted by first, then second (stable). */
function orderBy(first: Int32Array, second: Int32Array, numNodes: number): Int32Array {
  const order = Int32Array.from(first, (_, e) => e);
  return order.sort((a, b) => first[a]! * numNodes + second[a]! - (first[b]! * numNodes + second[b]!) || a - b);
}
