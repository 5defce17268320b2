/**
 * What a `GNN` is built from: the convolution kinds, the options common to all and those of each
 * convolution (a union on `conv`, so a wrong combination does not compile), and the defaults.
 */
import type { nn, FloatDType, Generator, Tensor } from '@tensorloom/core-tensor';
import type { NodeFeatures } from './node-features.js';

/** The convolutions `GNN` can stack. */
export type ConvKind = 'gcn' | 'gat' | 'gatv2' | 'sage' | 'gin';

/** The non-linearity between layers. */
export type Activation = 'relu' | 'elu' | 'tanh' | 'identity';

/** Where a `GNN` applies its dropout: see `GNNOptions.dropoutPlacement`. */
export type DropoutPlacement = 'layer-input' | 'per-head';

/** Every `DropoutPlacement` (for option parsers and help texts). */
export const DROPOUT_PLACEMENTS: readonly DropoutPlacement[] = Object.freeze(['layer-input', 'per-head']);

/** A graph layer as the models call it: `(x [N, in], edgeIndex [2, E]) → [N, out]`. */
export type GraphLayer = nn.Module<[NodeFeatures, Tensor], Tensor>;

/** The options every `GNN` takes, whatever its convolution. */
export interface GNNCommonOptions {
  /** Input features per node. */
  inChannels: number;
  /** Width of each hidden layer (per head for the attention convolutions). */
  hiddenChannels: number;
  /** Output width: the number of classes. */
  outChannels: number;
  /** Number of graph layers (≥ 1). Default 2. */
  numLayers?: number;
  /** Dropout on the input of every hidden and output layer. Default 0.5. */
  dropout?: number;
  /** Dropout on the input features (the first layer's input), drawn at the non-zeros (`sparseDropout`). Default: `dropout`. */
  inputDropout?: number;
  /** Non-linearity after every layer but the last. Default 'relu'. */
  act?: Activation;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial weights and every dropout mask. Default: the global one (`manualSeed`). */
  generator?: Generator;
}

/** The options of the convolutions that keep what they build from the graph (`gcn`, `gat`, `gatv2`). */
export interface CachingConvOptions {
  /**
   * Every layer keeps what it built from the graph on the first forward (normalised adjacency, edge
   * set with self-loops) for later ones: transductive training on one graph. Default false.
   */
  cached?: boolean;
}

/** The options of the attention convolutions (`gat`, `gatv2`). */
export interface AttentionModelOptions extends CachingConvOptions {
  /** Attention heads of the hidden layers, concatenated. Default 1. */
  heads?: number;
  /** Attention heads of the output layer, averaged (`concat: false`). Default 1. */
  outHeads?: number;
  /** Dropout on the attention coefficients. Default 0. */
  attentionDropout?: number;
}

/** `conv: 'gcn'`: `GCNConv` layers. */
export interface GCNLayerOptions extends CachingConvOptions {
  conv: 'gcn';
}

/** `conv: 'gat'`: `GATConv` layers, with the GAT authors' options. */
export interface GATLayerOptions extends AttentionModelOptions {
  conv: 'gat';
  /**
   * Where `inputDropout` and `dropout` apply. 'layer-input' (default; PyG's models): one mask on
   * each layer's input. 'per-head' (the GAT authors' code): inside every `GATConv`, a separate mask
   * per head on the layer's input, and the same rate again on the transformed features the
   * attention weighs (`GATConv`'s `perHeadInputDropout` and `featureDropout`).
   */
  dropoutPlacement?: DropoutPlacement;
  /**
   * Every `GATConv` learns a bias per head on both halves of its attention score, inside the
   * LeakyReLU (`GATConv`'s `attentionBias`; the authors' code has them). Default false.
   */
  attentionBias?: boolean;
}

/** `conv: 'gatv2'`: `GATv2Conv` layers. */
export interface GATv2LayerOptions extends AttentionModelOptions {
  conv: 'gatv2';
}

/** `conv: 'sage'`: `SAGEConv` layers. */
export interface SAGELayerOptions {
  conv: 'sage';
  /** The neighbour aggregation. Default 'mean'. */
  aggr?: 'mean' | 'max' | 'sum';
}

/** `conv: 'gin'`: `GINConv` layers. */
export interface GINLayerOptions {
  conv: 'gin';
  /** Learn each layer's ε. Default false. */
  trainEps?: boolean;
}

/** The options of a convolution kind, by `conv`. */
export type ConvOptions = GCNLayerOptions | GATLayerOptions | GATv2LayerOptions | SAGELayerOptions | GINLayerOptions;

/**
 * The options of `GNN`: the common ones and those of its convolution, a union on `conv`, so an
 * option another convolution owns (`heads` with 'gcn', `aggr` with 'gat') does not compile.
 */
export type GNNOptions = GNNCommonOptions & ConvOptions;

/** `Omit` over each member of a union (TypeScript's own `Omit` merges the members first). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A `GNN`'s architecture without its input and output widths: what recipes and the CLI hold. */
export type GNNArchitecture = DistributiveOmit<GNNOptions, 'inChannels' | 'outChannels'>;

/** `GNN`'s defaults for what its options leave out (the width options have none). */
export const DEFAULT_GNN_ARCHITECTURE = Object.freeze({
  numLayers: 2,
  dropout: 0.5,
  act: 'relu' as Activation,
  heads: 1,
  outHeads: 1,
  attentionDropout: 0,
  aggr: 'mean' as 'mean' | 'max' | 'sum',
});

/** Every `ConvKind`. */
export const CONV_KINDS: readonly ConvKind[] = ['gcn', 'gat', 'gatv2', 'sage', 'gin'];

/** The options that belong to some convolutions only, and which. */
export const CONV_OPTIONS: Readonly<Record<string, readonly ConvKind[]>> = {
  cached: ['gcn', 'gat', 'gatv2'],
  heads: ['gat', 'gatv2'],
  outHeads: ['gat', 'gatv2'],
  attentionDropout: ['gat', 'gatv2'],
  dropoutPlacement: ['gat'],
  attentionBias: ['gat'],
  aggr: ['sage'],
  trainEps: ['gin'],
};
/** Every `Activation`. */
export const ACTIVATIONS: readonly Activation[] = ['relu', 'elu', 'tanh', 'identity'];
