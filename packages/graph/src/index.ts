// @tensorloom/graph: graphology graphs ↔ tensors, self-loops and normalisation, CSR, hops, datasets and readers. Browser-safe.
export { NodeIndex } from './node-index.js';
export {
  GraphParseError,
  BinaryInputError,
  MissingAttributeError,
  GraphSizeError,
  SplitError,
  DatasetNotFoundError,
  type SplitPart,
  type SplitProblem,
} from './errors.js';
export type { AnyGraph } from './graphology.js';
export { toEdgeIndex, sortEdgeIndex, toGraph, type ToEdgeIndexOptions, type EdgeIndexResult, type ToGraphOptions } from './edge-index.js';
export { cooToCsr, permuteValues, type CSRStructure } from './csr.js';
export {
  addSelfLoops,
  addRemainingSelfLoops,
  removeSelfLoops,
  containsSelfLoops,
  type SelfLoopOptions,
  type WeightedEdges,
} from './self-loops.js';
export { degree, type DegreeOptions } from './degree.js';
export { gcnNorm, type GCNNormOptions, type Flow } from './gcn-norm.js';
export {
  adjacency,
  normalizedAdjacency,
  diagonalMatrix,
  gcnMatrices,
  type AdjacencyOptions,
  type NormalizedAdjacencyOptions,
  type SelfLoopMode,
  type GCNMatrices,
} from './matrices.js';
export {
  hopDistance,
  hopDistances,
  receptiveField,
  receptiveFieldSize,
  type ReceptiveFieldSizeOptions,
  type ReceptiveFieldSizeAssignOptions,
} from './hops.js';
export {
  stratifiedSplit,
  checkSplit,
  splitFromMasks,
  type StratifiedSplit,
  type StratifiedSplitOptions,
  type SplitIndices,
} from './split.js';
export { seedGraph, SEED_GRAPH_NODES, SEED_GRAPH_EDGES } from './seed-graph.js';
export {
  nodeValues,
  nodeEmbeddings,
  nodePredictions,
  edgeValues,
  edgeAttention,
  type Value,
  type NodeValuesOptions,
  type NodeValuesAssignOptions,
  type NodePredictionsOptions,
  type NodePredictionsAssignOptions,
  type EdgeValuesOptions,
  type EdgeValuesAssignOptions,
  type EdgeReduce,
} from './assign.js';
export { fromGraph, graphDataset, type FromGraphOptions, type GraphTensors, type GraphDatasetOptions } from './from-graph.js';
export { createGraphDataset, type GraphDataset, type GraphDatasetInit } from './dataset.js';
export { normalizeFeatures } from './normalize-features.js';
export { karateClub, KARATE_CLUBS, KARATE_TRAIN_NODES, type KarateClubOptions } from './datasets/karate.js';
export {
  planetoidDataset,
  type PlanetoidArrays,
  type PlanetoidFeatureOptions,
  type PlanetoidFeatures,
  type SparseFeatureList,
} from './datasets/planetoid.js';
export { parseGexf, writeGexf, type ParseGEXFOptions, type WriteGEXFOptions } from './io/gexf.js';
export { parseGraphml, writeGraphml, type ParseGraphmlOptions } from './io/graphml.js';
export { parseEdgeList, writeEdgeList, type ParseEdgeListOptions } from './io/edge-list.js';
export type { TextInput } from './io/text.js';
export {
  createTemporalSignal,
  laggedSignal,
  signalSlice,
  temporalSignalSplit,
  signalSnapshot,
  signalSnapshots,
  type TemporalSignal,
  type TemporalSignalInit,
  type SignalGraph,
  type SignalSnapshot,
} from './temporal/index.js';
// File readers (GEXF, GraphML, edge lists and Planetoid folders from disk) are in '@tensorloom/graph/node'.
