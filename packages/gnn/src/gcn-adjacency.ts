/**
 * The normalised adjacency `D̂^{-1/2} Â D̂^{-1/2}` of GCN in the form its forward and backward read
 * (the CSR matrix and its transpose, values detached), and the registry through which
 * `GCNConv({ cached: true })` layers over the same edge index share one copy.
 */
import { SparseCSR, Tensor, noGrad, record, spmm, type FloatArray, type FloatDType } from '@tensorloom/core-tensor';
import { gcnNorm } from '@tensorloom/graph';

/** What a {@link GcnAdjacency} is built from, besides the edge index. */
export interface GcnAdjacencyOptions {
  /** N, the number of nodes. */
  numNodes: number;
  /** One weight per edge `[E]`, or null for ones. Its values are read once (no gradient reaches it). */
  edgeWeight: Tensor | null;
  /** Self-loops of weight 2 instead of 1. */
  improved: boolean;
  /** Give every node without a self-loop one. */
  addSelfLoops: boolean;
  /** The dtype of the values. */
  dtype: FloatDType;
}

/**
 * GCN's normalised adjacency `Â` `[N, N]` (row i = target, entries `norm_e` of the edges j → i,
 * self-loops included) and its transpose, both CSR with values in their own order; nothing else of
 * the graph is kept (no COO index, no permutations). `multiply(h)` is `Â·h` with the gradient
 * `Âᵀ·dY` for h; the values are constants (no gradient for the edge weights).
 *
 * Memory: 2 × (N + 1 + 2E') 4-byte words for E' edges with self-loops, 96 MB at 10⁶ nodes and
 * 1.1·10⁷ edges per matrix.
 */
export class GcnAdjacency {
  /** N. */
  readonly numNodes: number;
  /** `Â`, rows = targets. */
  readonly matrix: SparseCSR;
  /** `Âᵀ`, rows = sources: the backward product. */
  readonly transposed: SparseCSR;

  constructor(numNodes: number, matrix: SparseCSR, transposed: SparseCSR) {
    this.numNodes = numNodes;
    this.matrix = matrix;
    this.transposed = transposed;
  }

  /**
   * Builds `Â` from `edgeIndex` (int32 `[2, E]`, already validated) with `gcnNorm`, then the two CSR
   * matrices straight from its COO rows; the COO temporaries are dropped.
   */
  static build(edgeIndex: Tensor, options: GcnAdjacencyOptions): GcnAdjacency {
    const { numNodes, improved, addSelfLoops, dtype } = options;
    const normalised = noGrad(() =>
      gcnNorm(edgeIndex, { numNodes, edgeWeight: options.edgeWeight?.detach() ?? null, addSelfLoops, improved, dtype }),
    );
    const index = normalised.edgeIndex.data as Int32Array;
    const count = normalised.edgeIndex.shape[1]!;
    const source = index.subarray(0, count);
    const target = index.subarray(count, 2 * count);
    const values = normalised.edgeWeight.data as FloatArray;
    return new GcnAdjacency(
      numNodes,
      csrWithValues(target, source, values, numNodes, dtype),
      csrWithValues(source, target, values, numNodes, dtype),
    );
  }

  /** `Â · h`: h `[N, F]` → `[N, F]`; the backward pass gives h the gradient `Âᵀ · dY`. */
  multiply(h: Tensor): Tensor {
    const out = noGrad(() => spmm(this.matrix, h));
    return record(out, 'gcnAdjacency.multiply', [h], (g) => [spmm(this.transposed, g)]);
  }
}

/** The CSR matrix with entry e at (row[e], col[e]) valued values[e], holding no permutation. */
function csrWithValues(row: Int32Array, col: Int32Array, values: FloatArray, n: number, dtype: FloatDType): SparseCSR {
  const structure = SparseCSR.fromCoo(row, col, { shape: [n, n] });
  const order = structure.permutation!;
  const ordered = Tensor.empty([order.length], dtype);
  const out = ordered.data as FloatArray;
  for (let k = 0; k < order.length; k++) out[k] = values[order[k]!]!;
  return new SparseCSR({ rowPtr: structure.rowPtr, colIndex: structure.colIndex, values: ordered, shape: [n, n] });
}

/** Per edge index tensor: the adjacencies built from it, by the rest of the key, held weakly. */
const registry = new WeakMap<Tensor, Map<string, WeakRef<GcnAdjacency>>>();
/** A number per edge-weight tensor, for the registry's keys. */
const weightIds = new WeakMap<Tensor, number>();
let nextWeightId = 0;

/**
 * The {@link GcnAdjacency} of `edgeIndex` with `options`, shared: layers (and models) that ask for the
 * same edge index tensor (by identity), numNodes, edge-weight tensor (by identity, or none),
 * `improved`, `addSelfLoops` and dtype get one object while any of them holds it. The registry holds
 * it weakly: once no layer keeps it, it is collected. The edge index and weights are read when it is
 * built; changing their storage in place afterwards is not seen (as a `cached` layer does not see it).
 */
export function sharedGcnAdjacency(edgeIndex: Tensor, options: GcnAdjacencyOptions): GcnAdjacency {
  const weight = options.edgeWeight;
  let weightKey = 'ones';
  if (weight !== null) {
    let id = weightIds.get(weight);
    if (id === undefined) weightIds.set(weight, (id = nextWeightId++));
    weightKey = `w${id}`;
  }
  const key = `${options.numNodes}|${options.improved}|${options.addSelfLoops}|${options.dtype}|${weightKey}`;
  let byKey = registry.get(edgeIndex);
  if (byKey === undefined) registry.set(edgeIndex, (byKey = new Map()));
  const held = byKey.get(key)?.deref();
  if (held !== undefined) return held;
  for (const [k, ref] of byKey) if (ref.deref() === undefined) byKey.delete(k);
  const built = GcnAdjacency.build(edgeIndex, options);
  byKey.set(key, new WeakRef(built));
  return built;
}
