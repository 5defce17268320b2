/** Handlers of gnn's `GNN` (and so `GCN`, `GAT`), `GCNConv` and `GATConv`. */
import { DEFAULT_GNN_ARCHITECTURE, GATConv, GCNConv, GNN } from '@tensorloom/gnn';
import { ExportError } from '../../errors.js';
import { GAT_CONV_PY, GCN_CONV_PY, GNN_PY, PYG_GAT_NAMES_PY } from '../python/gnn.js';
import type { PytorchHandler } from '../spec.js';
import { handler, pythonReturn } from './leaves.js';

/**
 * The options that rebuild `gnn` with `new GNN(options)` (the importer does): the model's own, and
 * those its constructor handed to the layers (heads, attention dropout, caching), read back from them.
 */
export function gnnOptions(gnn: GNN): Record<string, unknown> {
  const convs = [...gnn.convs];
  const first = convs[0];
  const last = convs.at(-1);
  const common = {
    conv: gnn.conv,
    inChannels: gnn.inChannels,
    hiddenChannels: gnn.hiddenChannels,
    outChannels: gnn.outChannels,
    numLayers: gnn.numLayers,
    dropout: gnn.dropout,
    inputDropout: gnn.inputDropout,
    act: gnn.act,
    dtype: gnn.parameters()[0]?.dtype ?? 'float32',
  };
  if (gnn.conv === 'gcn' && first instanceof GCNConv) return { ...common, cached: first.cached };
  if (gnn.conv === 'gat' && first instanceof GATConv && last instanceof GATConv) {
    return {
      ...common,
      cached: first.cached,
      heads: gnn.numLayers > 1 ? first.heads : DEFAULT_GNN_ARCHITECTURE.heads,
      outHeads: last.heads,
      attentionDropout: first.dropout,
      dropoutPlacement: gnn.dropoutPlacement,
      attentionBias: first.attentionBias,
    };
  }
  return common;
}

const GNN_HANDLER = handler(
  'GNN',
  GNN,
  (m) => gnnOptions(m),
  pythonReturn('GNN', [
    "modules['convs']",
    "act=options['act']",
    "dropout=options['dropout']",
    "input_dropout=options['inputDropout']",
    "dropout_placement=options.get('dropoutPlacement', 'layer-input')",
  ]),
  {
    // The layers first: an unsupported convolution is reported at its own path.
    spec: (module, context) => {
      const convs = context.child('convs');
      return { type: 'GNN', options: gnnOptions(module as GNN), modules: { convs } };
    },
    definitions: () => [GNN_PY],
  },
);

const GCN_ARGS = [
  "options['inChannels']",
  "options['outChannels']",
  "improved=options['improved']",
  "cached=options['cached']",
  "add_self_loops=options['addSelfLoops']",
  "normalize=options['normalize']",
  "bias=options['bias']",
];

const GCN_HANDLER: PytorchHandler = {
  ...handler(
    'GCNConv',
    GCNConv,
    (m) => ({
      inChannels: m.inChannels,
      outChannels: m.outChannels,
      improved: m.improved,
      cached: m.cached,
      addSelfLoops: m.addSelfLoops,
      normalize: m.normalize,
      bias: m.bias !== null,
    }),
    '',
  ),
  definitions: (pyg) => (pyg ? [] : [GCN_CONV_PY]),
  builder: (pyg) =>
    pyg
      ? `from torch_geometric.nn import GCNConv as PyGGCNConv\n\n${pythonReturn('PyGGCNConv', GCN_ARGS)}`
      : pythonReturn('GCNConv', GCN_ARGS),
};

const GAT_ARGS = [
  "options['inChannels']",
  "options['outChannels']",
  "heads=options['heads']",
  "concat=options['concat']",
  "negative_slope=options['negativeSlope']",
  "dropout=options['dropout']",
  "add_self_loops=options['addSelfLoops']",
  "bias=options['bias']",
];

/** Refuses what PyG's GATConv cannot compute: the authors' score biases and per-head dropouts. */
function checkPygGat(conv: GATConv, path: string): void {
  const where = path === '' ? 'the root' : `'${path}'`;
  if (conv.attentionBias) {
    throw new ExportError(
      `exportPytorch: the GATConv at ${where} has attentionBias (att_src_bias, att_dst_bias), which PyTorch Geometric's GATConv ` +
        'does not have; export without pyg (the self-contained GATConv computes it)',
    );
  }
  if (conv.perHeadInputDropout > 0 || conv.featureDropout > 0) {
    throw new ExportError(
      `exportPytorch: the GATConv at ${where} drops out per head (perHeadInputDropout ${conv.perHeadInputDropout}, featureDropout ` +
        `${conv.featureDropout}: dropoutPlacement 'per-head'), which PyTorch Geometric's GATConv cannot; export without pyg, ` +
        "or build the model with dropoutPlacement 'layer-input'",
    );
  }
}

const GAT_BASE = handler(
  'GATConv',
  GATConv,
  (m) => ({
    inChannels: m.inChannels,
    outChannels: m.outChannels,
    heads: m.heads,
    concat: m.concat,
    negativeSlope: m.negativeSlope,
    dropout: m.dropout,
    addSelfLoops: m.addSelfLoops,
    bias: m.bias !== null,
    cached: m.cached,
    perHeadInputDropout: m.perHeadInputDropout,
    featureDropout: m.featureDropout,
    attentionBias: m.attentionBias,
  }),
  '',
);

const GAT_HANDLER: PytorchHandler = {
  ...GAT_BASE,
  spec: (module, context) => {
    if (context.pyg) checkPygGat(module as GATConv, context.path);
    return GAT_BASE.spec(module, context);
  },
  definitions: (pyg) => (pyg ? [PYG_GAT_NAMES_PY] : [GAT_CONV_PY]),
  builder: (pyg) =>
    pyg
      ? `from torch_geometric.nn import GATConv as PyGGATConv\n\n${pythonReturn('PyGGATConv', GAT_ARGS)}`
      : pythonReturn('GATConv', [
          ...GAT_ARGS,
          "cached=options['cached']",
          "per_head_input_dropout=options['perHeadInputDropout']",
          "feature_dropout=options['featureDropout']",
          "attention_bias=options['attentionBias']",
        ]),
};

export const GNN_HANDLERS: readonly PytorchHandler[] = [GNN_HANDLER, GCN_HANDLER, GAT_HANDLER];
