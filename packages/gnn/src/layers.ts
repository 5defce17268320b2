// The graph layers of @tensorloom/gnn: the message-passing template, the convolutions and pooling.
export { MessagePassing, sparseAggregate, type Aggregation, type MessagePassingOptions, type PropagateInputs } from './message-passing.js';
export { Edges, checkEdgeIndex, checkEdgeWeight } from './edges.js';
export { checkNodeFeatures, preferSparse, featureDtype, denseFeatures, type NodeFeatures } from './node-features.js';
export { GraphLinear, glorot_, type GraphLinearOptions, type WeightInitializer } from './linear.js';
export { GCNConv, type GCNConvOptions, type GCNConvForwardOptions } from './gcn-conv.js';
export { GcnAdjacency, sharedGcnAdjacency, type GcnAdjacencyOptions } from './gcn-adjacency.js';
export {
  AttentionConv,
  attentionEdges,
  sharedAttentionEdges,
  attentionAggregate,
  combineHeads,
  type AttentionConvOptions,
  type AttentionForwardOptions,
  type AttentionOutput,
  type AttentionWeights,
  type AttentionInputs,
  type AttentionScores,
} from './attention.js';
export { GATConv, type GATConvOptions } from './gat-conv.js';
export { GATv2Conv, type GATv2ConvOptions } from './gatv2-conv.js';
export { SAGEConv, type SAGEConvOptions } from './sage-conv.js';
export { GINConv, type GINConvOptions, type NodeModule } from './gin-conv.js';
export { GatedGraphConv, type GatedGraphConvOptions, type GatedGraphConvForwardOptions } from './gated-graph-conv.js';
export { globalAddPool, globalMeanPool, globalMaxPool, type GlobalPoolOptions } from './pool.js';
export {
  DConv,
  diffusionGraph,
  diffusionTerms,
  type DConvOptions,
  type DConvForwardOptions,
  type DiffusionGraph,
} from './recurrent/dconv.js';
export { TGCN, type TGCNOptions } from './recurrent/tgcn.js';
export { DCRNN, type DCRNNOptions } from './recurrent/dcrnn.js';
export {
  ChebConv,
  chebLaplacian,
  chebTerms,
  type ChebConvOptions,
  type ChebConvForwardOptions,
  type ChebLaplacian,
  type ChebLaplacianOptions,
  type ChebNormalization,
} from './cheb-conv.js';
export {
  RecurrentGraphCell,
  unrollGraphCell,
  type RecurrentGraphStepOptions,
  type UnrollGraphCellOptions,
} from './recurrent/graph-cell.js';
export { ChebGraphCell, type ChebCellOptions, type ChebCellGraph } from './recurrent/cheb-cell.js';
export { GConvGRU } from './recurrent/gconv-gru.js';
export { GConvLSTM, type GConvLSTMParameterName } from './recurrent/gconv-lstm.js';
