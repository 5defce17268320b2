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
import { ShapeError, Tensor, ValueError, div, mul, nn, reshape, scatter, spmm } from '@tensorloom/core-tensor';
import { Edges, checkEdgeWeight } from './edges.js';

/** How messages arriving at a node are combined. `'add'` is PyG's name for `'sum'`. */
export type Aggregation = 'sum' | 'add' | 'mean' | 'max';

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
  /**
   * Keep what a layer builds from the graph on its first forward (the edges with their self-loops,
   * normalised weights, sparse adjacency) and reuse it in every later forward, whatever edge index
   * comes: for training on one fixed graph (transductive learning), as PyG's `cached`. Default false.
   */
  cached?: boolean;
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
  /** Whether the graph built on the first forward is kept for later ones (see `cachedGraph`). */
  readonly cached: boolean;
  private graph: { numNodes: number; value: unknown } | null = null;

  constructor(options: MessagePassingOptions = {}) {
    super();
    const { aggr = 'sum', cached = false } = options;
    if (aggr !== 'sum' && aggr !== 'add' && aggr !== 'mean' && aggr !== 'max') {
      throw new ValueError(`${this.typeName}: aggr must be 'sum', 'add', 'mean' or 'max', got '${String(aggr)}'`);
    }
    if (typeof cached !== 'boolean') throw new ValueError(`${this.typeName}: cached must be a boolean, got ${String(cached)}`);
    this.aggr = aggr === 'add' ? 'sum' : aggr;
    this.cached = cached;
  }

  /** Whether a graph is held (only with `cached: true`, after a forward). */
  get hasCache(): boolean {
    return this.graph !== null;
  }

  /** Forgets the held graph: the next forward builds it again (from its own edge index). */
  clearCache(): void {
    this.graph = null;
  }

  /**
   * What a forward needs of the graph: `build()`'s result, or with `cached` the one built on the
   * first forward. A held graph for another number of nodes is a `ShapeError` (call `clearCache()`
   * to change graphs).
   */
  protected cachedGraph<G>(numNodes: number, build: () => G): G {
    const held = this.graph;
    if (held !== null) {
      if (held.numNodes !== numNodes) {
        throw new ShapeError(
          `${this.typeName}: the cached graph has ${held.numNodes} nodes ` +
            `but x has ${numNodes} rows; call clearCache() to change graphs`,
        );
      }
      return held.value as G;
    }
    const graph = build();
    if (this.cached) this.graph = { numNodes, value: graph };
    return graph;
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
