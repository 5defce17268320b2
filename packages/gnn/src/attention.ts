/**
 * What the attention layers (`GATConv`, `GATv2Conv`) share: their options, the edge set they attend
 * over, the weighted sum of every head as one sparse product, and `AttentionConv`, the layer
 * machinery around a subclass's scores (heads, self-loops, softmax over each node's incoming edges,
 * attention dropout, concatenated or averaged heads, bias, the returned attention weights).
 */
import {
  Tensor,
  ValueError,
  add,
  dropout,
  mean,
  reshape,
  segmentSoftmax,
  spmm,
  type FloatDType,
  type Generator,
} from '@tensorloom/core-tensor';
import { addSelfLoops, removeSelfLoops } from '@tensorloom/graph';
import { Edges } from './edges.js';
import { checkChannels } from './linear.js';
import { MessagePassing, sparseAggregate, type PropagateInputs } from './message-passing.js';
import { checkNodeFeatures, type NodeFeatures } from './node-features.js';

/** Options shared by `GATConv` and `GATv2Conv`. */
export interface AttentionConvOptions {
  /** Number of attention heads H. Default 1. */
  heads?: number;
  /** Concatenate the heads (`[N, H·C]`, true) or average them (`[N, C]`, false). Default true. */
  concat?: boolean;
  /** Negative slope of the LeakyReLU on the scores. Default 0.2. */
  negativeSlope?: number;
  /** Dropout probability on the normalised attention coefficients (training only). Default 0. */
  dropout?: number;
  /** Remove existing self-loops, then give every node exactly one. Default true. */
  addSelfLoops?: boolean;
  /**
   * Build the edge set attended over (self-loops, sparse adjacency, its transpose, the heads'
   * block structure) on the first forward and reuse it in every later one: for training on one
   * fixed graph. Default false (built on every forward).
   */
  cached?: boolean;
  /** Learn an additive bias. Default true. */
  bias?: boolean;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial weights and the attention dropout. Default: the global one. */
  generator?: Generator;
}

/** Options of an attention layer's forward. */
export interface AttentionForwardOptions {
  /** Also return the attention coefficients. Default false. */
  returnAttentionWeights?: boolean;
}

/** The attention coefficients of a forward: `alpha[e, h]` weighs edge e (of `edgeIndex`) in head h. */
export interface AttentionWeights {
  /** int32 `[2, E']`: the edges attended over (after the self-loop handling). */
  edgeIndex: Tensor;
  /** `[E', heads]`: softmax over each target's incoming edges (after dropout when training). */
  alpha: Tensor;
}

/** The result of a forward with `returnAttentionWeights: true`. */
export interface AttentionOutput {
  out: Tensor;
  attention: AttentionWeights;
}

/** The propagate inputs of an attention layer: the per-head features weighed, and the coefficients. */
export interface AttentionInputs extends PropagateInputs {
  /** `[N, H, C]`: what each head sums over the incoming edges. */
  x: Tensor;
  /** `[E, H]` attention coefficients in edge order. */
  alpha: Tensor;
}

/** The edge set an attention layer attends over: with `loops`, existing self-loops replaced by one per node. */
export function attentionEdges(op: string, edgeIndex: Tensor, numNodes: number, loops: boolean): Edges {
  const checked = Edges.fromEdgeIndex(op, edgeIndex, { numNodes });
  if (!loops) return checked;
  return Edges.fromEdgeIndex(op, addSelfLoops(removeSelfLoops(edgeIndex).edgeIndex, { numNodes }).edgeIndex, { numNodes });
}

/** Per edge index tensor: the attention edge sets built from it, by node count and loops, held weakly. */
const sharedEdges = new WeakMap<Tensor, Map<string, WeakRef<Edges>>>();

/**
 * `attentionEdges`, shared: cached attention layers over the same edge index tensor (by identity),
 * node count and `loops` get one `Edges` (with its CSR, per-head structures and transposes built once)
 * while any of them holds it; the registry holds it weakly. Changing the edge index in place
 * afterwards is not seen.
 */
export function sharedAttentionEdges(op: string, edgeIndex: Tensor, numNodes: number, loops: boolean): Edges {
  let byKey = sharedEdges.get(edgeIndex);
  if (byKey === undefined) sharedEdges.set(edgeIndex, (byKey = new Map()));
  const key = `${numNodes}|${loops}`;
  const held = byKey.get(key)?.deref();
  if (held !== undefined) return held;
  const built = attentionEdges(op, edgeIndex, numNodes, loops);
  byKey.set(key, new WeakRef(built));
  return built;
}

/**
 * `Σ_j alpha[e, h] · x_j[h]` per head as one sparse product over the heads' block-diagonal
 * adjacency (`Edges.headAdjacency`): x `[N, H, C]`, alpha `[E, H]` (edge order) → `[N, H, C]`.
 */
export function attentionAggregate(edges: Edges, x: Tensor, alpha: Tensor): Tensor {
  const [n, heads, channels] = x.shape as [number, number, number];
  if (heads === 1) return reshape(sparseAggregate(edges, reshape(x, [n, channels]), reshape(alpha, [edges.numEdges])), [n, 1, channels]);
  return reshape(spmm(edges.headAdjacency(alpha), reshape(x, [n * heads, channels])), [n, heads, channels]);
}

/** `[N, H, C]` → `[N, H·C]` (concat) or `[N, C]` (mean over heads), plus the bias. */
export function combineHeads(out: Tensor, concatHeads: boolean, bias: Tensor | null): Tensor {
  const [n, heads, channels] = out.shape as [number, number, number];
  const combined = concatHeads ? reshape(out, [n, heads * channels]) : mean(out, 1);
  return bias === null ? combined : add(combined, bias);
}

/** What a subclass's `attend` gives for one forward: the unnormalised scores and the features weighed. */
export interface AttentionScores {
  /** `[E, H]`: e_ij per edge (edge order) and head, before the softmax. */
  scores: Tensor;
  /** `[N, H, C]`: the features each head weighs by α and sums. */
  values: Tensor;
}

/**
 * The attention layer template, per head h over the edge set with self-loops:
 * ```
 * (e, v) = attend(x, edges)                        scores e_ij [E, H], values v_j [N, H, C]
 * α_ij   = softmax over j ∈ N(i) ∪ {i} of e_ij      then dropout(α, p) when training
 * x_i'   = ‖_h Σ_j α_ij^h v_j^h  (concat)   or   mean_h Σ_j α_ij^h v_j^h   (+ b)
 * ```
 * A subclass registers its parameters (then `registerBias()`), and implements `attend`.
 */
export abstract class AttentionConv extends MessagePassing<
  [NodeFeatures, Tensor, AttentionForwardOptions?],
  Tensor | AttentionOutput,
  AttentionInputs
> {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly heads: number;
  readonly concat: boolean;
  readonly negativeSlope: number;
  readonly dropout: number;
  readonly addSelfLoops: boolean;
  readonly generator: Generator | undefined;
  /** The parameters' dtype. */
  protected readonly dtype: FloatDType;
  private readonly withBias: boolean;

  constructor(inChannels: number, outChannels: number, options: AttentionConvOptions) {
    super({ aggr: 'sum', cached: options.cached ?? false });
    const op = this.typeName;
    const {
      heads = 1,
      concat = true,
      negativeSlope = 0.2,
      dropout: p = 0,
      addSelfLoops: loops = true,
      bias = true,
      dtype = 'float32',
    } = options;
    checkChannels(op, 'inChannels', inChannels);
    checkChannels(op, 'outChannels', outChannels);
    checkChannels(op, 'heads', heads);
    if (!(p >= 0 && p <= 1)) throw new ValueError(`${op}: dropout must be a probability in [0, 1], got ${p}`);
    if (!Number.isFinite(negativeSlope)) throw new ValueError(`${op}: negativeSlope must be a finite number, got ${negativeSlope}`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.heads = heads;
    this.concat = concat;
    this.negativeSlope = negativeSlope;
    this.dropout = p;
    this.addSelfLoops = loops;
    this.generator = options.generator;
    this.dtype = dtype;
    this.withBias = bias;
  }

  /** Registers `bias` (`[H·C]` with concat, else `[C]`; null without bias): last, as PyG's parameter order has it. */
  protected registerBias(): void {
    const width = this.concat ? this.heads * this.outChannels : this.outChannels;
    this.registerParameter('bias', this.withBias ? Tensor.empty([width], this.dtype) : null);
  }

  /** `[H·C]` (concat) or `[C]`, or null without bias. */
  get bias(): Tensor | null {
    return this.getParameter('bias');
  }

  /** The scores of every edge and head and the features each head weighs (see the class comment). */
  protected abstract attend(x: NodeFeatures, edges: Edges): AttentionScores;

  override call(x: NodeFeatures, edgeIndex: Tensor, options?: AttentionForwardOptions & { returnAttentionWeights?: false }): Tensor;
  override call(x: NodeFeatures, edgeIndex: Tensor, options: AttentionForwardOptions & { returnAttentionWeights: true }): AttentionOutput;
  override call(x: NodeFeatures, edgeIndex: Tensor, options?: AttentionForwardOptions): Tensor | AttentionOutput;
  override call(x: NodeFeatures, edgeIndex: Tensor, options: AttentionForwardOptions = {}): Tensor | AttentionOutput {
    return this.forward(x, edgeIndex, options);
  }

  forward(x: NodeFeatures, edgeIndex: Tensor, options?: AttentionForwardOptions & { returnAttentionWeights?: false }): Tensor;
  forward(x: NodeFeatures, edgeIndex: Tensor, options: AttentionForwardOptions & { returnAttentionWeights: true }): AttentionOutput;
  forward(x: NodeFeatures, edgeIndex: Tensor, options?: AttentionForwardOptions): Tensor | AttentionOutput;
  forward(x: NodeFeatures, edgeIndex: Tensor, options: AttentionForwardOptions = {}): Tensor | AttentionOutput {
    const op = this.typeName;
    checkNodeFeatures(op, x, this.inChannels);
    const n = x.shape[0]!;
    const build = this.cached ? sharedAttentionEdges : attentionEdges;
    const { edges } = this.cachedGraph(n, () => ({ edges: build(op, edgeIndex, n, this.addSelfLoops) }));
    const { scores, values } = this.attend(x, edges);
    let alpha = segmentSoftmax(scores, edges.target, { dimSize: n });
    alpha = dropout(alpha, this.dropout, { training: this.training, generator: this.generator });
    const out = combineHeads(this.propagate(edges, { x: values, alpha }), this.concat, this.bias);
    if (options.returnAttentionWeights) return { out, attention: { edgeIndex: edges.edgeIndex.clone(), alpha } };
    return out;
  }

  protected override messageAndAggregate(edges: Edges, inputs: AttentionInputs): Tensor {
    return attentionAggregate(edges, inputs.x, inputs.alpha);
  }

  protected override resetOwnParameters(_generator?: Generator): void {
    this.bias?.data.fill(0);
  }

  override extraRepr(): string {
    return (
      `${this.inChannels}, ${this.outChannels}, heads=${this.heads}, ` +
      `concat=${this.concat}, dropout=${this.dropout}${this.cached ? ', cached=true' : ''}`
    );
  }
}
