/**
 * The edges of a graph as the layers use them: PyG's `edge_index` (int32 `[2, E]`, row 0 the sources
 * j, row 1 the targets i) validated once, its rows, and the sparse adjacency built from it on first
 * use; and the checks of an edge index and of per-edge weights.
 */
import { DTypeError, IndexError, ShapeError, SparseCSR, Tensor, fmtShape, indexSelect, reshape } from '@tensorloom/core-tensor';

/**
 * The edges of one `propagate` call: the validated edge index, its source and target rows, and
 * the adjacency in CSR form (built on first use, then kept), so a layer that runs several
 * propagations over one graph (or caches it, as `GCNConv({ cached: true })`) builds it once.
 */
export class Edges {
  /** int32 `[2, E]`: row 0 sources (j), row 1 targets (i). */
  readonly edgeIndex: Tensor;
  /** int32 `[E]`: the source j of each edge (a view of edgeIndex's row 0: treat as read-only). */
  readonly source: Tensor;
  /** int32 `[E]`: the target i of each edge (a view of edgeIndex's row 1: treat as read-only). */
  readonly target: Tensor;
  /** The number of nodes (sources and targets index the same node set). */
  readonly numNodes: number;
  private csr: SparseCSR | null = null;
  private weighted: { values: Tensor; csr: SparseCSR } | null = null;
  private counts: Tensor | null = null;
  private headStructures = new Map<number, { csr: SparseCSR; order: Tensor }>();

  private constructor(edgeIndex: Tensor, numNodes: number) {
    this.edgeIndex = edgeIndex;
    this.numNodes = numNodes;
    const data = edgeIndex.data as Int32Array;
    const e = edgeIndex.shape[1]!;
    // Views of the edge index's rows, not copies (10⁷ edges: 80 MB saved per Edges).
    this.source = new Tensor(data.subarray(0, e), [e], 'int32');
    this.target = new Tensor(data.subarray(e, 2 * e), [e], 'int32');
  }

  /**
   * Validates `edgeIndex` (int32, `[2, E]`, every entry in `[0, numNodes)`) and wraps it.
   * Throws DTypeError, ShapeError or IndexError naming `op`.
   */
  static fromEdgeIndex(op: string, edgeIndex: Tensor, options: { numNodes: number }): Edges {
    checkEdgeIndex(op, edgeIndex, options.numNodes);
    return new Edges(edgeIndex, options.numNodes);
  }

  /** The number of edges E. */
  get numEdges(): number {
    return this.source.size;
  }

  /** `t[j]` for every edge (x_j): `[N, ...]` → `[E, ...]`. */
  gatherSource(t: Tensor): Tensor {
    return indexSelect(t, 0, this.source);
  }

  /** `t[i]` for every edge (x_i): `[N, ...]` → `[E, ...]`. */
  gatherTarget(t: Tensor): Tensor {
    return indexSelect(t, 0, this.target);
  }

  /**
   * The `[N, N]` adjacency with `A[i][j] = values[e]` for each edge e = (j → i) (duplicates kept,
   * so they add up), values given in edge order (`[E]`) or null for ones. The last weighted
   * matrix is kept and returned again for the same `values` tensor.
   */
  adjacency(values: Tensor | null = null): SparseCSR {
    if (this.csr === null) {
      this.csr = SparseCSR.fromCoo(this.target, this.source, { shape: [this.numNodes, this.numNodes] });
    }
    if (values === null) return this.csr;
    if (this.weighted?.values === values) return this.weighted.csr;
    const csr = this.csr.withValues(this.toCsrOrder(values));
    this.weighted = { values, csr };
    return csr;
  }

  /** Per-edge values (`[E, ...]`, edge order) put into the adjacency's CSR order. */
  toCsrOrder(values: Tensor): Tensor {
    const permutation = this.adjacency().permutation;
    if (permutation === null) return values;
    return indexSelect(values, 0, new Tensor(permutation, [permutation.length], 'int32'));
  }

  /**
   * The adjacency of H heads at once, block-diagonal over heads: `[N·H, N·H]`, row `i·H + h`
   * (head h of node i) holds the edges j → i at columns `j·H + h`, valued `values[e, h]`
   * (`[E, H]`, edge order). With x `[N, H, C]` read as `[N·H, C]`, one `spmm` weighs every head by
   * its own values. The structure is built once per head count and kept (layers of different head
   * counts may share these edges); the values are gathered
   * into its order with one `indexSelect`, so their gradient reaches `values`.
   */
  headAdjacency(values: Tensor): SparseCSR {
    if (values.ndim !== 2 || values.shape[0] !== this.numEdges) {
      throw new ShapeError(`headAdjacency: values must be [${this.numEdges}, heads], got ${fmtShape(values.shape)}`);
    }
    const heads = values.shape[1]!;
    let structure = this.headStructures.get(heads);
    if (structure === undefined) this.headStructures.set(heads, (structure = buildHeadStructure(this.adjacency(), heads)));
    const { csr, order } = structure;
    return csr.withValues(indexSelect(reshape(values, [this.numEdges * heads]), 0, order));
  }

  /** The in-degree of every node (edges counted with multiplicity), `[N, 1]` in `dtype`, at least 1. */
  inDegreeAtLeastOne(dtype: 'float32' | 'float64'): Tensor {
    if (this.counts === null || this.counts.dtype !== dtype) {
      const counts = Tensor.empty([this.numNodes, 1], dtype);
      const target = this.target.data as Int32Array;
      for (let e = 0; e < target.length; e++) counts.data[target[e]!]! += 1;
      for (let i = 0; i < this.numNodes; i++) if (counts.data[i] === 0) counts.data[i] = 1;
      this.counts = counts;
    }
    return this.counts;
  }
}

/**
 * The structure of `Edges.headAdjacency`: for CSR row r of `csr` and head h, row `r·H + h` has the
 * entries of row r at columns `col·H + h` (still ascending), and `order[p]` is the position in the
 * flat `[E·H]` edge-order values of expanded entry p: `e·H + h`, e the edge of CSR entry k.
 */
function buildHeadStructure(csr: SparseCSR, heads: number): { csr: SparseCSR; order: Tensor } {
  const [n] = csr.shape;
  const { rowPtr, colIndex, permutation } = csr;
  const nnz = csr.nnz;
  const ptr = new Int32Array(n * heads + 1);
  const cols = new Int32Array(nnz * heads);
  const order = new Int32Array(nnz * heads);
  let p = 0;
  for (let r = 0; r < n; r++) {
    const start = rowPtr[r]!;
    const end = rowPtr[r + 1]!;
    for (let h = 0; h < heads; h++) {
      for (let k = start; k < end; k++, p++) {
        cols[p] = colIndex[k]! * heads + h;
        order[p] = (permutation === null ? k : permutation[k]!) * heads + h;
      }
      ptr[r * heads + h + 1] = p;
    }
  }
  return {
    csr: new SparseCSR({ shape: [n * heads, n * heads], rowPtr: ptr, colIndex: cols }),
    order: new Tensor(order, [nnz * heads], 'int32'),
  };
}

/** Throws unless `edgeIndex` is an int32 `[2, E]` tensor with every entry in `[0, numNodes)`. */
export function checkEdgeIndex(op: string, edgeIndex: Tensor, numNodes: number): void {
  if (!(edgeIndex instanceof Tensor)) throw new ShapeError(`${op}: edgeIndex must be an int32 tensor [2, E], got ${String(edgeIndex)}`);
  if (edgeIndex.dtype !== 'int32') throw new DTypeError(`${op}: edgeIndex must be int32, got ${edgeIndex.dtype}`);
  if (edgeIndex.ndim !== 2 || edgeIndex.shape[0] !== 2)
    throw new ShapeError(`${op}: edgeIndex must be [2, E], got ${fmtShape(edgeIndex.shape)}`);
  const data = edgeIndex.data as Int32Array;
  for (let k = 0; k < data.length; k++) {
    const v = data[k]!;
    if (v < 0 || v >= numNodes) {
      const e = k % edgeIndex.shape[1]!;
      const role = k < edgeIndex.shape[1]! ? 'source' : 'target';
      throw new IndexError(`${op}: edge ${e} has ${role} node ${v}, out of range for ${numNodes} nodes`);
    }
  }
}

/** Throws unless `edgeWeight` is null/undefined or a `[E]` tensor of x's dtype. */
export function checkEdgeWeight(op: string, edgeWeight: Tensor | null | undefined, numEdges: number, dtype: string): void {
  if (edgeWeight === null || edgeWeight === undefined) return;
  if (!(edgeWeight instanceof Tensor)) throw new ShapeError(`${op}: edgeWeight must be a tensor [${numEdges}], got ${String(edgeWeight)}`);
  if (edgeWeight.dtype !== dtype) throw new DTypeError(`${op}: edgeWeight must have x's dtype ${dtype}, got ${edgeWeight.dtype}`);
  if (edgeWeight.ndim !== 1 || edgeWeight.shape[0] !== numEdges) {
    throw new ShapeError(`${op}: edgeWeight must be [${numEdges}] (one per edge), got ${fmtShape(edgeWeight.shape)}`);
  }
}
