/**
 * `GCNConv`: the graph convolution of Kipf & Welling (2017), PyTorch Geometric's `GCNConv`.
 */
import { Tensor, ValueError, add, noGrad, ones, type FloatDType, type Generator } from '@tensorloom/core-tensor';
import { checkChannels, GraphLinear } from './linear.js';
import { Edges, checkEdgeIndex, checkEdgeWeight } from './edges.js';
import { MessagePassing } from './message-passing.js';
import { checkNodeFeatures, featureDtype, type NodeFeatures } from './node-features.js';
import { gcnNorm } from '@tensorloom/graph';
import { sharedGcnAdjacency, type GcnAdjacency } from './gcn-adjacency.js';

/** Options of {@link GCNConv}. */
export interface GCNConvOptions {
  /** Self-loops of weight 2 instead of 1 (`Â = A + 2I`). Default false. */
  improved?: boolean;
  /**
   * Keep the normalised adjacency of the first call and reuse it on every later call, whatever
   * graph is passed (transductive learning on one graph). With `normalize`, layers over the same
   * edge index tensor, edge weights, options and dtype share one adjacency (`sharedGcnAdjacency`).
   * Default false.
   */
  cached?: boolean;
  /**
   * Add a self-loop to every node that lacks one (existing self-loops keep their weight). Only
   * with `normalize`. Default: the value of `normalize`.
   */
  addSelfLoops?: boolean;
  /** Apply the symmetric normalisation `D̂^{-1/2} Â D̂^{-1/2}`; false uses the edge weights as given. Default true. */
  normalize?: boolean;
  /** Learn an additive bias. Default true. */
  bias?: boolean;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial weights. Default: the global one. */
  generator?: Generator;
}

/** Options of {@link GCNConv.forward}. */
export interface GCNConvForwardOptions {
  /** One weight per edge, `[E]`, of x's dtype. Default: all ones. */
  edgeWeight?: Tensor | null;
}

/**
 * The graph convolution `X' = D̂^{-1/2} Â D̂^{-1/2} X Θᵀ + b`, per node
 * ```
 * x_i' = Θ · Σ_{j ∈ N(i) ∪ {i}}  e_ji / √(d̂_j d̂_i) · x_j  + b,     d̂_i = 1 + Σ_{j ∈ N(i)} e_ji
 * ```
 * with `Â = A + I` (`A + 2I` when `improved`) and e_ji the edge weights (default 1); the degree
 * is summed over a node's incoming edges (PyG's `gcn_norm`), and a node of degree 0 gets 0.
 * Duplicate edges add up.
 *
 * - Options: `improved` (false), `cached` (false), `addSelfLoops` (= normalize), `normalize`
 *   (true), `bias` (true), `dtype` ('float32'), `generator`.
 * - `forward(x, edgeIndex, { edgeWeight })`: x `[N, inChannels]` (a tensor, or a `SparseCSR` of
 *   sparse features), edgeIndex int32 `[2, E]` (row 0 sources, row 1 targets), edgeWeight `[E]`
 *   → `[N, outChannels]`.
 * - Parameters (PyG's names): `lin.weight` `[out, in]` (no bias in `lin`), Glorot-uniform;
 *   `bias` `[out]`, zeros.
 * - Speed: `X Θᵀ` first (a sparse-dense product for a SparseCSR x), then one sparse-dense
 *   product with the normalised adjacency in CSR form; with `cached` that matrix is built once,
 *   and shared by the cached layers over the same edge index (a two-layer GCN on 10⁶ nodes and 10⁷
 *   edges held two normalised graphs of ~470 MB each before; now one `GcnAdjacency` of ~190 MB).
 *
 * @example
 * const conv = new GCNConv(16, 4);
 * conv.call(x, edgeIndex)  // x [N, 16] → [N, 4]
 */
export class GCNConv extends MessagePassing<[NodeFeatures, Tensor, GCNConvForwardOptions?], Tensor> {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly improved: boolean;
  readonly addSelfLoops: boolean;
  readonly normalize: boolean;
  readonly generator: Generator | undefined;

  constructor(inChannels: number, outChannels: number, options: GCNConvOptions = {}) {
    super({ aggr: 'sum', cached: options.cached ?? false });
    checkChannels('GCNConv', 'inChannels', inChannels);
    checkChannels('GCNConv', 'outChannels', outChannels);
    const { improved = false, normalize = true, bias = true, dtype = 'float32', generator } = options;
    const addSelfLoops = options.addSelfLoops ?? normalize;
    if (addSelfLoops && !normalize) {
      throw new ValueError(
        'GCNConv: addSelfLoops needs normalize (self-loops are only added by the normalisation); pass addSelfLoops: false',
      );
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.improved = improved;
    this.addSelfLoops = addSelfLoops;
    this.normalize = normalize;
    this.generator = generator;
    this.registerModule(
      'lin',
      new GraphLinear({ inFeatures: inChannels, outFeatures: outChannels, bias: false, weightInitializer: 'glorot', dtype, generator }),
    );
    this.registerParameter('bias', bias ? Tensor.empty([outChannels], dtype) : null);
    this.resetParameters();
  }

  /** The linear map Θ: `lin.weight` `[out, in]`. */
  get lin(): GraphLinear {
    return this.getSubmodule('lin') as GraphLinear;
  }

  /** `[outChannels]`, or null without bias. */
  get bias(): Tensor | null {
    return this.getParameter('bias');
  }

  protected override resetOwnParameters(): void {
    const bias = this.bias;
    if (bias !== null) noGrad(() => bias.data.fill(0));
    this.clearCache();
  }

  forward(x: NodeFeatures, edgeIndex: Tensor, options: GCNConvForwardOptions = {}): Tensor {
    checkNodeFeatures('GCNConv', x, this.inChannels);
    const numNodes = x.shape[0]!;
    let out: Tensor;
    if (this.cached && this.normalize) {
      const adjacency = this.cachedGraph(numNodes, () => this.sharedAdjacency(x, edgeIndex, options.edgeWeight ?? null));
      out = adjacency.multiply(this.lin.call(x));
    } else {
      const graph = this.cachedGraph(numNodes, () => this.prepare(x, edgeIndex, options.edgeWeight ?? null));
      out = this.propagate(graph.edges, { x: this.lin.call(x), edgeWeight: graph.edgeWeight });
    }
    const bias = this.bias;
    return bias === null ? out : add(out, bias);
  }

  /** The normalised adjacency a cached layer keeps, shared with the other layers that would build the same. */
  private sharedAdjacency(x: NodeFeatures, edgeIndex: Tensor, edgeWeight: Tensor | null): GcnAdjacency {
    const numNodes = x.shape[0]!;
    const dtype = featureDtype(x, this.lin.weight.dtype as FloatDType);
    checkEdgeIndex('GCNConv', edgeIndex, numNodes);
    checkEdgeWeight('GCNConv', edgeWeight, edgeIndex.shape[1]!, dtype);
    return sharedGcnAdjacency(edgeIndex, { numNodes, edgeWeight, improved: this.improved, addSelfLoops: this.addSelfLoops, dtype });
  }

  /** The edges and (normalised) weights of one forward. */
  private prepare(x: NodeFeatures, edgeIndex: Tensor, edgeWeight: Tensor | null): { edges: Edges; edgeWeight: Tensor | null } {
    const numNodes = x.shape[0]!;
    const dtype = featureDtype(x, this.lin.weight.dtype as FloatDType);
    checkEdgeIndex('GCNConv', edgeIndex, numNodes);
    checkEdgeWeight('GCNConv', edgeWeight, edgeIndex.shape[1]!, dtype);
    if (!this.normalize) return { edges: Edges.fromEdgeIndex('GCNConv', edgeIndex, { numNodes }), edgeWeight };
    const weight = edgeWeight ?? ones([edgeIndex.shape[1]!], { dtype });
    const normalised = gcnNorm(edgeIndex, { numNodes, edgeWeight: weight, addSelfLoops: this.addSelfLoops, improved: this.improved });
    // A cached matrix outlives this step's graph: keep values, not the tape.
    const values = this.cached ? normalised.edgeWeight.detach() : normalised.edgeWeight;
    return { edges: Edges.fromEdgeIndex('GCNConv', normalised.edgeIndex, { numNodes }), edgeWeight: values };
  }

  override extraRepr(): string {
    return (
      `${this.inChannels}, ${this.outChannels}, improved=${this.improved}, ` +
      `cached=${this.cached}, normalize=${this.normalize}, bias=${this.bias !== null}`
    );
  }
}
