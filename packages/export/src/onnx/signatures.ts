/**
 * The models `exportOnnx` takes as a whole, and the inputs and outputs of each: a text model
 * (`TextGenerationModel`, state in and out) and a node classifier (`GNN`, `GCN`, `GAT`).
 */
import type { FloatDType, nn } from '@tensorloom/core-tensor';
import { GNN } from '@tensorloom/gnn';
import { TextGenerationModel } from '@tensorloom/textgen';
import type { OnnxDataType } from './proto.js';

/** One input or output of the exported graph, as `config.json` lists it. */
export interface OnnxTensorSpec {
  /** The name to feed or fetch in ONNX Runtime. */
  readonly name: string;
  /** Element type: 'float32' or 'float64' (the model's dtype), or 'int64'. */
  readonly dtype: OnnxDataType;
  /** Fixed sizes, and symbolic names for the sizes a caller picks (`batch`, `num_nodes`). */
  readonly shape: readonly (number | string)[];
  /** What it holds. */
  readonly description: string;
}

/** A model class `exportOnnx` exports as a whole: its kind, its graph's signature and its config. */
export interface OnnxModelKind {
  readonly kind: 'textgen' | 'gnn';
  /** The class name, for the error that lists what can be exported. */
  readonly type: string;
  matches(model: nn.AnyModule): boolean;
  inputs(model: nn.AnyModule, dtype: FloatDType): OnnxTensorSpec[];
  outputs(model: nn.AnyModule, dtype: FloatDType): OnnxTensorSpec[];
  /** The model's hyper-parameters (JSON-safe), for `config.json`. */
  config(model: nn.AnyModule): Record<string, unknown>;
}

const textgen: OnnxModelKind = {
  kind: 'textgen',
  type: 'TextGenerationModel',
  matches: (model) => model instanceof TextGenerationModel,
  inputs(model, dtype) {
    const { numLayers, hiddenSize } = (model as TextGenerationModel).config;
    return [
      { name: 'tokens', dtype: 'int64', shape: ['batch', 'time'], description: 'token ids, batch-first' },
      { name: 'h0', dtype, shape: [numLayers, 'batch', hiddenSize], description: "the LSTM's hidden state (zeros to start)" },
      { name: 'c0', dtype, shape: [numLayers, 'batch', hiddenSize], description: "the LSTM's cell state (zeros to start)" },
    ];
  },
  outputs(model, dtype) {
    const { numLayers, hiddenSize, vocabSize } = (model as TextGenerationModel).config;
    return [
      { name: 'logits', dtype, shape: ['batch', 'time', vocabSize], description: 'unnormalised next-token scores at every step' },
      { name: 'hn', dtype, shape: [numLayers, 'batch', hiddenSize], description: 'the hidden state after the last step (feed back as h0)' },
      { name: 'cn', dtype, shape: [numLayers, 'batch', hiddenSize], description: 'the cell state after the last step (feed back as c0)' },
    ];
  },
  config: (model) => ({ ...(model as TextGenerationModel).config }),
};

const gnn: OnnxModelKind = {
  kind: 'gnn',
  type: 'GNN',
  matches: (model) => model instanceof GNN,
  inputs(model, dtype) {
    return [
      { name: 'x', dtype, shape: ['num_nodes', (model as GNN).inChannels], description: 'node features' },
      { name: 'edge_index', dtype: 'int64', shape: [2, 'num_edges'], description: 'edges: row 0 sources, row 1 targets (node ids)' },
    ];
  },
  outputs(model, dtype) {
    return [{ name: 'logits', dtype, shape: ['num_nodes', (model as GNN).outChannels], description: 'unnormalised class scores per node' }];
  },
  config(model) {
    const m = model as GNN;
    // Each layer as it prints itself (`GATConv(16, 8, heads=8, concat=true, …)`): what the options above leave out.
    const layers = m.convs.namedChildren().map(([, conv]) => `${conv.typeName}(${conv.extraRepr()})`);
    return {
      conv: m.conv,
      inChannels: m.inChannels,
      hiddenChannels: m.hiddenChannels,
      outChannels: m.outChannels,
      numLayers: m.numLayers,
      act: m.act,
      dropout: m.dropout,
      inputDropout: m.inputDropout,
      dropoutPlacement: m.dropoutPlacement,
      layers,
    };
  },
};

/** The model classes `exportOnnx` takes, most specific first. */
export const ONNX_MODEL_KINDS: readonly OnnxModelKind[] = [textgen, gnn];
