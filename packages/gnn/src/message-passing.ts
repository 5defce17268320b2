/**
 * The template every graph layer follows (PyTorch Geometric's `MessagePassing`): for each edge
 * j → i a message `m_ji = message(x_i, x_j, e_ji)`, an aggregation of the messages arriving at
 * each node `a_i = ⊕_{j ∈ N(i)} m_ji` (sum, mean or max), then `x_i' = update(a_i)`.
 *
 * Edges come as PyG's `edge_index`, an int32 `[2, E]` tensor whose row 0 holds the sources j and
 * row 1 the targets i (flow "source_to_target"). When a layer's message is a node's features
 * times an optional scalar edge weight and the aggregation a sum or a mean, `propagate` runs it as
 * one sparse-dense product `A·X` with the adjacency in CSR form (rows = targets), never building
 * the `[E, F]` messages.
 */
import {
  DTypeError,
  IndexError,
  ShapeError,
  SparseCsr,
  Tensor,
  ValueError,
  div,
  fmtShape,
  indexSelect,
  isFloatDType,
  mul,
  nn,
  reshape,
  scatter,
  spmm,
  type FloatDType,
} from '@tensorloom/core-tensor';

/** How messages arriving at a node are combined. `'add'` is PyG's name for `'sum'`. */
export type Aggregation = 'sum' | 'add' | 'mean' | 'max';

/**
 * The edges of one `propagate` call: the validated edge index, its source and target rows, and
 * the adjacency in CSR form (built on first use, then kept), so a layer that runs several
 * propagations over one graph (or caches it, as `GCNConv({ cached: true })`) builds it once.
 */
export class Edges {
  /** int32 `[2, E]`: row 0 sources (j), row 1 targets (i). */
  readonly edgeIndex: Tensor;
  /** int32 `[E]`: the source j of each edge. */
  readonly source: Tensor;
  /** int32 `[E]`: the target i of each edge. */
  readonly target: Tensor;
  /** The number of nodes (sources and targets index the same node set). */
  readonly numNodes: number;
  private csr: SparseCsr | null = null;
  private weighted: { values: Tensor; csr: SparseCsr } | null = null;
  private counts: Tensor | null = null;
  private headStructure: { heads: number; csr: SparseCsr; order: Tensor } | null = null;

  private constructor(edgeIndex: Tensor, numNodes: number) {
    this.edgeIndex = edgeIndex;
    this.numNodes = numNodes;
    const data = edgeIndex.data as Int32Array;
    const e = edgeIndex.shape[1]!;
    this.source = new Tensor(data.slice(0, e), [e], 'int32');
    this.target = new Tensor(data.slice(e, 2 * e), [e], 'int32');
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
  adjacency(values: Tensor | null = null): SparseCsr {
    if (this.csr === null) {
      this.csr = SparseCsr.fromCoo(this.target, this.source, { shape: [this.numNodes, this.numNodes] });
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
   * its own values. The structure is built once per head count and kept; the values are gathered
   * into its order with one `indexSelect`, so their gradient reaches `values`.
   */
  headAdjacency(values: Tensor): SparseCsr {
    if (values.ndim !== 2 || values.shape[0] !== this.numEdges) {
      throw new ShapeError(`headAdjacency: values must be [${this.numEdges}, heads], got ${fmtShape(values.shape)}`);
    }
    const heads = values.shape[1]!;
    if (this.headStructure?.heads !== heads) this.headStructure = { heads, ...buildHeadStructure(this.adjacency(), heads) };
    const { csr, order } = this.headStructure;
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
function buildHeadStructure(csr: SparseCsr, heads: number): { csr: SparseCsr; order: Tensor } {
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
    csr: new SparseCsr({ shape: [n * heads, n * heads], rowPtr: ptr, colIndex: cols }),
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

/**
 * Node features `[N, F]`: a dense float tensor, or a `SparseCsr` of the non-zeros (bag-of-words
 * features are ~1% non-zero: Cora, CiteSeer). `GCNConv`, `GATConv`, `GATv2Conv` and the models
 * built on them multiply a sparse x without densifying it (one sparse-dense product instead of a
 * dense `[N, F]·[F, C]`); `SAGEConv`, `GINConv` and `GatedGraphConv` densify it first.
 * @example
 * const x = SparseCsr.fromDense(normalizeFeatures(data.x));  // once, before training
 * model.call(x, edgeIndex)
 */
export type NodeFeatures = Tensor | SparseCsr;

/** Throws unless `x` is a float `[N, channels]` tensor or SparseCsr (`channels` null: any width). */
export function checkNodeFeatures(op: string, x: NodeFeatures, channels: number | null): void {
  const expected = `[N, ${channels ?? 'F'}]`;
  if (x instanceof SparseCsr) {
    if (channels !== null && x.shape[1] !== channels)
      throw new ShapeError(`${op}: x must be ${expected}, got a SparseCsr ${fmtShape(x.shape)}`);
    return;
  }
  if (!(x instanceof Tensor)) throw new ShapeError(`${op}: x must be a float tensor or SparseCsr ${expected}, got ${String(x)}`);
  if (!isFloatDType(x.dtype)) throw new DTypeError(`${op}: x must be float32 or float64, got ${x.dtype}`);
  if (x.ndim !== 2 || (channels !== null && x.shape[1] !== channels))
    throw new ShapeError(`${op}: x must be ${expected}, got ${fmtShape(x.shape)}`);
}

/**
 * The features as a `SparseCsr` when at most `maxDensity` (default 0.1) of the entries are
 * non-zero, else the tensor itself (also when it needs a gradient: the CSR copy would not carry it).
 * Run it once before training: the models multiply a SparseCsr without scanning the dense matrix.
 * @example
 * const x = preferSparse(normalizeFeatures(cora.x));  // SparseCsr: 1.3% of the entries are non-zero
 */
export function preferSparse(x: Tensor, options: { maxDensity?: number } = {}): NodeFeatures {
  const { maxDensity = 0.1 } = options;
  if (!(maxDensity >= 0 && maxDensity <= 1)) throw new ValueError(`preferSparse: maxDensity must be in [0, 1], got ${String(maxDensity)}`);
  checkNodeFeatures('preferSparse', x, null);
  if (x.requiresGrad || x.size === 0) return x;
  const data = x.data;
  let nonZeros = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) nonZeros++;
  return nonZeros <= maxDensity * x.size ? SparseCsr.fromDense(x) : x;
}

/** The dtype of node features: a tensor's own; a SparseCsr's values' (`fallback` for implicit ones). */
export function featureDtype(x: NodeFeatures, fallback: FloatDType): FloatDType {
  if (x instanceof SparseCsr) return (x.values?.dtype as FloatDType | undefined) ?? fallback;
  return x.dtype as FloatDType;
}

/** Dense node features: a SparseCsr as its `[N, F]` matrix (differentiable in its values), a tensor as it is. */
export function denseFeatures(x: NodeFeatures, dtype: FloatDType): Tensor {
  return x instanceof SparseCsr ? x.toDense({ dtype: (x.values?.dtype as FloatDType | undefined) ?? dtype }) : x;
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

/** The inputs of {@link MessagePassing.propagate}; layers extend it with their own tensors. */
export interface PropagateInputs {
  /** Node features `[N, ...]`; a message reads x_j (source) and x_i (target) from it. */
  x: Tensor;
  /** Optional scalar weight per edge, `[E]`; the default message is `w_ji · x_j`. */
  edgeWeight?: Tensor | null;
}

/** Options of {@link MessagePassing}. */
export interface MessagePassingOptions {
  /** The aggregation: 'sum' (alias 'add'), 'mean' or 'max'. Default 'sum'. */
  aggr?: Aggregation;
}

/**
 * The base of the graph layers: `propagate(edgeIndex, inputs)` computes
 * ```
 * m_ji = message(edges, inputs)          per edge j → i       [E, ...]
 * a_i  = aggregate(m, edges)             ⊕ over N(i)          [N, ...]   (sum | mean | max; empty → 0)
 * x_i' = update(a, inputs)                                    [N, ...]
 * ```
 * The default message is `x_j`, times `edgeWeight[e]` when given; the default update is the
 * identity. A subclass overrides `message`, `aggregate` or `update`, or the fused
 * `messageAndAggregate` (return null to fall back to the separate steps). With the default
 * message and a sum or mean, the fused path is a sparse product `A·X` (CSR, rows = targets).
 *
 * @example
 * class SumNeighbours extends MessagePassing<[Tensor, Tensor]> {
 *   forward(x: Tensor, edgeIndex: Tensor): Tensor { return this.propagate(edgeIndex, { x }); }
 * }
 * new SumNeighbours().call(x, edgeIndex)  // row i = Σ_{j → i} x_j
 */
export abstract class MessagePassing<
  In extends unknown[] = [Tensor, Tensor],
  Out = Tensor,
  Inputs extends PropagateInputs = PropagateInputs,
> extends nn.Module<In, Out> {
  /** The aggregation ('add' is stored as 'sum'). */
  readonly aggr: 'sum' | 'mean' | 'max';

  constructor(options: MessagePassingOptions = {}) {
    super();
    const aggr = options.aggr ?? 'sum';
    if (aggr !== 'sum' && aggr !== 'add' && aggr !== 'mean' && aggr !== 'max') {
      throw new ValueError(`${this.typeName}: aggr must be 'sum', 'add', 'mean' or 'max', got '${String(aggr)}'`);
    }
    this.aggr = aggr === 'add' ? 'sum' : aggr;
  }

  /**
   * Runs message → aggregate → update over the edges. `edgeIndex` is an int32 `[2, E]` tensor
   * (validated against `size`, default `inputs.x.shape[0]`) or an {@link Edges} built earlier.
   * Returns `[N, ...]`.
   */
  propagate(edgeIndex: Tensor | Edges, inputs: Inputs, options: { size?: number } = {}): Tensor {
    const edges =
      edgeIndex instanceof Edges
        ? edgeIndex
        : Edges.fromEdgeIndex(this.typeName, edgeIndex, { numNodes: options.size ?? inputs.x.shape[0]! });
    checkEdgeWeight(this.typeName, inputs.edgeWeight, edges.numEdges, inputs.x.dtype);
    const fused = this.messageAndAggregate(edges, inputs);
    const aggregated = fused ?? this.aggregate(this.message(edges, inputs), edges);
    return this.update(aggregated, inputs);
  }

  /** The message of every edge, `[E, ...]`. Default: `x_j`, times the edge weight when given. */
  protected message(edges: Edges, inputs: Inputs): Tensor {
    const xj = edges.gatherSource(inputs.x);
    const weight = inputs.edgeWeight;
    if (weight === null || weight === undefined) return xj;
    return mul(xj, reshape(weight, [edges.numEdges, ...xj.shape.slice(1).map(() => 1)]));
  }

  /** Combines the messages per target node with `aggr`: `[E, ...]` → `[N, ...]`. */
  protected aggregate(messages: Tensor, edges: Edges): Tensor {
    return scatter(messages, edges.target, { dimSize: edges.numNodes, reduce: this.aggr });
  }

  /** Turns the aggregated messages into the new node features. Default: the identity. */
  protected update(aggregated: Tensor, _inputs: Inputs): Tensor {
    return aggregated;
  }

  /**
   * Message and aggregation in one step, or null for the separate steps. Default: a sparse
   * product when `message` and `aggregate` are the base class's and `aggr` is sum or mean.
   */
  protected messageAndAggregate(edges: Edges, inputs: Inputs): Tensor | null {
    if (this.message !== MessagePassing.prototype.message || this.aggregate !== MessagePassing.prototype.aggregate) return null;
    if (this.aggr === 'max') return null;
    return sparseAggregate(edges, inputs.x, inputs.edgeWeight ?? null, this.aggr);
  }

  override extraRepr(): string {
    return `aggr='${this.aggr}'`;
  }
}

/**
 * `Σ_{j → i} w_ji · x_j` (or the mean over the incoming edges) as one sparse-dense product:
 * x `[N, ...]`, weights `[E]` in edge order or null → `[N, ...]`.
 */
export function sparseAggregate(edges: Edges, x: Tensor, edgeWeight: Tensor | null, reduce: 'sum' | 'mean' = 'sum'): Tensor {
  const n = x.shape[0]!;
  const flat = x.ndim === 2 ? x : reshape(x, [n, x.size / Math.max(1, n)]);
  let out = spmm(edges.adjacency(edgeWeight), flat);
  if (reduce === 'mean') out = div(out, edges.inDegreeAtLeastOne(x.dtype as 'float32' | 'float64'));
  return x.ndim === 2 ? out : reshape(out, [edges.numNodes, ...x.shape.slice(1)]);
}
