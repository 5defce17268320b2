/**
 * Ready-made node classifiers: the paper architectures `GCN` (Kipf & Welling, 2017) and `GAT`
 * (Veličković et al., 2018), and `GNN`, the same stack for any of the package's convolutions.
 * Their paper hyper-parameters (optimiser, epochs, early stopping) are in `model-recipes.ts`.
 */
import { Tensor, ValueError, dropout, elu, nn, relu, tanh, type FloatDType, type Generator } from '@tensorloom/core-tensor';
import { GATConv } from './gat-conv.js';
import { GATv2Conv } from './gatv2-conv.js';
import { GCNConv } from './gcn-conv.js';
import { GINConv } from './gin-conv.js';
import type { NodeFeatures } from './node-features.js';
import { sparseDropout } from './sparse-dropout.js';
import { recipeFor, type NodeClassificationRecipe } from './model-recipes.js';
import { SAGEConv } from './sage-conv.js';
import {
  ACTIVATIONS,
  CONV_KINDS,
  CONV_OPTIONS,
  DEFAULT_GNN_ARCHITECTURE,
  DROPOUT_PLACEMENTS,
  type Activation,
  type ConvKind,
  type DropoutPlacement,
  type GNNOptions,
  type GraphLayer,
} from './model-options.js';

export * from './model-options.js';

/**
 * A stack of graph convolutions for node classification, dropout before every layer and a
 * non-linearity between layers (the GCN and GAT papers' placement; PyG's examples/gcn.py, gat.py):
 *
 * ```
 * h⁰ = x
 * hˡ = act(convₗ(dropout(hˡ⁻¹), edgeIndex))      l = 1 … L−1
 * logits = conv_L(dropout(h^{L−1}), edgeIndex)   [N, outChannels]
 * ```
 *
 * Layer widths: `inChannels → hiddenChannels → … → outChannels`. The convolutions:
 * - 'gcn': `GCNConv` (with `cached`);
 * - 'gat', 'gatv2': `GATConv`/`GATv2Conv`, each hidden layer with `heads` concatenated heads
 *   (`hiddenChannels · heads` wide), the output layer with `outHeads` averaged heads, dropout
 *   `attentionDropout` on the attention coefficients;
 * - 'sage': `SAGEConv` with `aggr`;
 * - 'gin': `GINConv` around a 2-layer MLP `Linear(in, out) → ReLU → Linear(out, out)` (PyG's
 *   `GIN` model without batch norm), with `trainEps`.
 *
 * The input dropout (`inputDropout`, by `sparseDropout`) draws its mask only at the non-zero features: a zero stays
 * zero under any mask, so the result has dropout's distribution, and sparse bag-of-words inputs
 * need ~1% of the draws. With `dropoutPlacement: 'per-head'` ('gat') the dropout moves inside the
 * layers instead, as the GAT authors' code: each head drops its own copy of the layer's input, and
 * the transformed features are dropped again before the attention weighs them.
 *
 * - Options: `conv`, `inChannels`, `hiddenChannels`, `outChannels`, `numLayers` (2), `dropout`
 *   (0.5), `inputDropout` (= dropout), `act` ('relu'), `heads` (1), `outHeads` (1),
 *   `attentionDropout` (0), `dropoutPlacement` ('layer-input'), `cached` (false), `aggr` ('mean'), `trainEps` (false), `dtype`
 *   ('float32'), `generator` (the global one).
 * - `forward(x, edgeIndex)`: x `[N, inChannels]` (a tensor, or a `SparseCSR` of sparse features:
 *   the first layer multiplies it without densifying), edgeIndex int32 `[2, E]` → logits `[N, outChannels]`.
 * - `representations(x, edgeIndex)`: the output of every layer (for `oversmoothing`).
 * - Parameters: `convs.0.…`, `convs.1.…` (each layer's own names, PyG's BasicGNN layout).
 *
 * @example
 * const model = new GNN({ conv: 'gcn', inChannels: 1433, hiddenChannels: 16, outChannels: 7 });
 * model.call(x, edgeIndex).shape  // [2708, 7]
 */
export class GNN extends nn.Module<[NodeFeatures, Tensor], Tensor> {
  readonly conv: ConvKind;
  readonly inChannels: number;
  readonly hiddenChannels: number;
  readonly outChannels: number;
  readonly numLayers: number;
  readonly dropout: number;
  readonly inputDropout: number;
  readonly act: Activation;
  readonly dropoutPlacement: DropoutPlacement;
  readonly generator: Generator | undefined;

  constructor(options: GNNOptions) {
    super();
    const d = DEFAULT_GNN_ARCHITECTURE;
    const {
      conv,
      inChannels,
      hiddenChannels,
      outChannels,
      numLayers = d.numLayers,
      dropout: p = d.dropout,
      act = d.act,
      generator,
    } = options;
    const inputDropout = options.inputDropout ?? p;
    const op = this.typeName;
    if (!CONV_KINDS.includes(conv))
      throw new ValueError(`${op}: conv must be one of ${CONV_KINDS.map((k) => `'${k}'`).join(', ')}, got '${String(conv)}'`);
    for (const [name, value] of [
      ['inChannels', inChannels],
      ['hiddenChannels', hiddenChannels],
      ['outChannels', outChannels],
      ['numLayers', numLayers],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) throw new ValueError(`${op}: ${name} must be a positive integer, got ${String(value)}`);
    }
    for (const [name, value] of [
      ['dropout', p],
      ['inputDropout', inputDropout],
    ] as const) {
      if (!(value >= 0 && value <= 1)) throw new ValueError(`${op}: ${name} must be a probability in [0, 1], got ${String(value)}`);
    }
    // The types rule out an option of another convolution; JavaScript callers get the error here.
    for (const [name, owners] of Object.entries(CONV_OPTIONS)) {
      if ((options as unknown as Record<string, unknown>)[name] !== undefined && !owners.includes(conv)) {
        throw new ValueError(`${op}: ${name} applies to conv ${owners.map((k) => `'${k}'`).join(', ')}, not '${conv}'`);
      }
    }
    const dropoutPlacement = options.conv === 'gat' ? (options.dropoutPlacement ?? 'layer-input') : 'layer-input';
    if (!DROPOUT_PLACEMENTS.includes(dropoutPlacement))
      throw new ValueError(`${op}: dropoutPlacement must be 'layer-input' or 'per-head', got '${String(dropoutPlacement)}'`);
    const attentionBias = options.conv === 'gat' ? (options.attentionBias ?? false) : false;
    if (typeof attentionBias !== 'boolean') throw new ValueError(`${op}: attentionBias must be a boolean, got ${String(attentionBias)}`);
    if (!ACTIVATIONS.includes(act))
      throw new ValueError(`${op}: act must be one of ${ACTIVATIONS.map((k) => `'${k}'`).join(', ')}, got '${String(act)}'`);
    this.conv = conv;
    this.inChannels = inChannels;
    this.hiddenChannels = hiddenChannels;
    this.outChannels = outChannels;
    this.numLayers = numLayers;
    this.dropout = p;
    this.inputDropout = inputDropout;
    this.act = act;
    this.dropoutPlacement = dropoutPlacement;
    this.generator = generator;
    const convs = new nn.ModuleList<GraphLayer>();
    let width = inChannels;
    for (let layer = 0; layer < numLayers; layer++) {
      const last = layer === numLayers - 1;
      const rate = layer === 0 ? inputDropout : p;
      const built = buildConv(op, options, {
        inChannels: width,
        outChannels: last ? outChannels : hiddenChannels,
        last,
        perHeadDropout: dropoutPlacement === 'per-head' ? [rate, p] : [0, 0],
      });
      convs.append(built.layer);
      width = built.width;
    }
    this.registerModule('convs', convs);
  }

  /** The graph layers, in order. */
  get convs(): nn.ModuleList<GraphLayer> {
    return this.getSubmodule('convs') as nn.ModuleList<GraphLayer>;
  }

  forward(x: NodeFeatures, edgeIndex: Tensor): Tensor {
    return this.representations(x, edgeIndex).at(-1)!;
  }

  /**
   * The node representation after every layer: `[h¹, …, h^L]`, hidden ones after the
   * non-linearity, the last the logits (as `forward`). Dropout applies as in `forward`.
   */
  representations(x: NodeFeatures, edgeIndex: Tensor): Tensor[] {
    const out: Tensor[] = [];
    let h: NodeFeatures = x;
    let layer = 0;
    const perHead = this.dropoutPlacement === 'per-head';
    for (const conv of this.convs) {
      if (!perHead)
        h =
          layer === 0
            ? sparseDropout(h, this.inputDropout, { training: this.training, generator: this.generator })
            : dropout(h as Tensor, this.dropout, { training: this.training, generator: this.generator });
      let next = conv.call(h, edgeIndex);
      if (layer < this.numLayers - 1) next = activate(next, this.act);
      out.push(next);
      h = next;
      layer++;
    }
    return out;
  }

  override extraRepr(): string {
    return (
      `conv=${this.conv}, ${this.inChannels} → ${this.hiddenChannels} → ${this.outChannels}, ` +
      `numLayers=${this.numLayers}, dropout=${this.dropout}, act=${this.act}`
    );
  }
}

export interface GCNOptions {
  /** Input features per node. */
  inChannels: number;
  /** Number of classes. */
  outChannels: number;
  /** Hidden width. Default 16 (the paper's). */
  hiddenChannels?: number;
  /** Number of GCN layers. Default 2 (the paper's). */
  numLayers?: number;
  /** Dropout on the input of every layer, features included. Default 0.5 (the paper's). */
  dropout?: number;
  /** Keep the normalised adjacency of the first forward. Default true (one graph, as PyG's example). */
  cached?: boolean;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial weights and the dropout masks. Default: the global one. */
  generator?: Generator;
}

/**
 * Kipf & Welling's GCN for semi-supervised node classification (2 layers, 16 hidden, ReLU,
 * dropout 0.5 on the features and the hidden layer), as PyG's examples/gcn.py:
 *
 * ```
 * Z = Â · dropout(ReLU(Â · dropout(X) · W⁽⁰⁾ + b⁽⁰⁾)) · W⁽¹⁾ + b⁽¹⁾,   Â = D̃^{-1/2}(A + I)D̃^{-1/2}
 * ```
 *
 * A `GNN` with `conv: 'gcn'`; weights Glorot-uniform, biases zero (`GCNConv`'s init). Logits
 * `[N, outChannels]` (softmax them for probabilities). Train it with `GCN.paperRecipe.training`
 * (Adam, lr 0.01, weight decay 5e-4 on the first layer, 200 epochs) on row-normalised features.
 * `cached` defaults to true here: the model then serves one graph (call `clearCache()` on the
 * layers, or build it with `cached: false`, to use another).
 *
 * @example
 * const model = new GCN({ inChannels: data.numFeatures, outChannels: data.numClasses });
 * trainNodeClassifier(model, data, GCN.paperRecipe.training);
 */
export class GCN extends GNN {
  /** The paper's settings (the same on Cora, CiteSeer and PubMed): `recipeFor('gcn')`. */
  static readonly paperRecipe: NodeClassificationRecipe = recipeFor('gcn', 'cora');

  constructor(options: GCNOptions) {
    const { hiddenChannels = 16, numLayers = 2, dropout: p = 0.5, cached = true, ...rest } = options;
    super({ ...rest, conv: 'gcn', hiddenChannels, numLayers, dropout: p, cached, act: 'relu' });
  }
}

export interface GATOptions {
  /** Input features per node. */
  inChannels: number;
  /** Number of classes. */
  outChannels: number;
  /** Features per head in the hidden layers. Default 8 (the paper's). */
  hiddenChannels?: number;
  /** Heads of the hidden layers, concatenated. Default 8 (the paper's). */
  heads?: number;
  /** Heads of the output layer, averaged. Default 1 (the paper's Cora/CiteSeer; 8 for PubMed). */
  outHeads?: number;
  /** Number of GAT layers. Default 2 (the paper's). */
  numLayers?: number;
  /** Dropout on every layer's input, features included. Default 0.6 (the paper's). */
  dropout?: number;
  /** Dropout on the attention coefficients. Default 0.6 (the paper's). */
  attentionDropout?: number;
  /**
   * 'layer-input' (default, PyG's examples/gat.py): one dropout mask on each layer's input.
   * 'per-head' (the authors' code): a mask per head on each layer's input, and dropout on the
   * transformed features the attention weighs.
   */
  dropoutPlacement?: DropoutPlacement;
  /** Learn the attention scores' biases of the authors' code (`GATConv`'s `attentionBias`). Default false. */
  attentionBias?: boolean;
  /** Keep each layer's edge set (self-loops, sparse adjacency) of the first forward. Default true (one graph). */
  cached?: boolean;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial weights and the dropout masks. Default: the global one. */
  generator?: Generator;
}

/**
 * Veličković et al.'s GAT for transductive node classification: a hidden `GATConv` with 8 heads
 * of 8 features (concatenated, 64 wide) and ELU, an output `GATConv` with 1 head (or 8 averaged
 * heads, for PubMed), dropout 0.6 on each layer's input and on the attention coefficients, as
 * PyG's examples/gat.py:
 *
 * ```
 * h = ELU(‖ₖ₌₁⁸ Σ_j αᵏ_ij Wᵏ dropout(x)_j)      αᵏ_ij = dropout(softmax_j(LeakyReLU(aᵏᵀ[Wᵏh_i ‖ Wᵏh_j])))
 * logits = mean over outHeads of Σ_j α_ij W dropout(h)_j
 * ```
 *
 * A `GNN` with `conv: 'gat'`; Glorot-uniform weights and attention vectors, zero biases. With
 * `dropoutPlacement: 'per-head'` and `attentionBias: true` it is the authors' code instead (a
 * dropout mask per head, dropout on the transformed features, biases inside the scores). `GAT.paperRecipe` (`recipeFor('gat',
 * 'cora')`) is the
 * authors' setting: the per-head placement, Adam lr 0.005, weight decay 5e-4, their model
 * selection with patience 100, row-normalised features; `recipeFor('gat', 'citeseer' | 'pubmed')`
 * has those datasets' own.
 *
 * @example
 * const model = new GAT({ inChannels: data.numFeatures, outChannels: data.numClasses });
 * model.call(x, edgeIndex).shape  // [N, numClasses]
 * const { architecture, training } = GAT.paperRecipe;
 * trainNodeClassifier(new GAT({ ...shape, dropoutPlacement: architecture.dropoutPlacement }), data, training);
 */
export class GAT extends GNN {
  /** The paper's Cora/CiteSeer settings: `recipeFor('gat', 'cora')` (PubMed: `recipeFor('gat', 'pubmed')`). */
  static readonly paperRecipe: NodeClassificationRecipe = recipeFor('gat', 'cora');

  constructor(options: GATOptions) {
    const {
      hiddenChannels = 8,
      heads = 8,
      outHeads = 1,
      numLayers = 2,
      dropout: p = 0.6,
      attentionDropout = 0.6,
      cached = true,
      ...rest
    } = options;
    super({ ...rest, conv: 'gat', hiddenChannels, heads, outHeads, numLayers, dropout: p, attentionDropout, cached, act: 'elu' });
  }
}

/** One layer of the stack and the width of what it outputs. */
function buildConv(
  op: string,
  options: GNNOptions,
  layer: { inChannels: number; outChannels: number; last: boolean; perHeadDropout: readonly [input: number, features: number] },
): { layer: GraphLayer; width: number } {
  const { dtype, generator } = options;
  const { inChannels, outChannels, last, perHeadDropout } = layer;
  switch (options.conv) {
    case 'gcn':
      return {
        layer: new GCNConv(inChannels, outChannels, { cached: options.cached ?? false, dtype, generator }) as GraphLayer,
        width: outChannels,
      };
    case 'gat':
    case 'gatv2': {
      for (const [name, value] of [
        ['heads', options.heads],
        ['outHeads', options.outHeads],
      ] as const) {
        if (value !== undefined && (!Number.isInteger(value) || value < 1))
          throw new ValueError(`${op}: ${name} must be a positive integer, got ${String(value)}`);
      }
      const heads = last ? (options.outHeads ?? DEFAULT_GNN_ARCHITECTURE.outHeads) : (options.heads ?? DEFAULT_GNN_ARCHITECTURE.heads);
      const attention = {
        heads,
        concat: !last,
        dropout: options.attentionDropout ?? DEFAULT_GNN_ARCHITECTURE.attentionDropout,
        cached: options.cached ?? false,
        dtype,
        generator,
      };
      const conv =
        options.conv === 'gat'
          ? new GATConv(inChannels, outChannels, {
              ...attention,
              perHeadInputDropout: perHeadDropout[0],
              featureDropout: perHeadDropout[1],
              attentionBias: options.attentionBias ?? false,
            })
          : new GATv2Conv(inChannels, outChannels, attention);
      return { layer: conv as GraphLayer, width: last ? outChannels : outChannels * heads };
    }
    case 'sage':
      return {
        layer: new SAGEConv(inChannels, outChannels, { aggr: options.aggr ?? DEFAULT_GNN_ARCHITECTURE.aggr, dtype, generator }),
        width: outChannels,
      };
    case 'gin': {
      const mlp = new nn.Sequential(
        new nn.Linear({ inFeatures: inChannels, outFeatures: outChannels, dtype, generator }),
        new nn.ReLU(),
        new nn.Linear({ inFeatures: outChannels, outFeatures: outChannels, dtype, generator }),
      );
      return { layer: new GINConv(mlp, { trainEps: options.trainEps ?? false, dtype }), width: outChannels };
    }
  }
}

function activate(x: Tensor, act: Activation): Tensor {
  switch (act) {
    case 'relu':
      return relu(x);
    case 'elu':
      return elu(x);
    case 'tanh':
      return tanh(x);
    case 'identity':
      return x;
  }
}
