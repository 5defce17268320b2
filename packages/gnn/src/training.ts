// The models, node-classification training and evaluation, and over-smoothing measures of @tensorloom/gnn.
export {
  GNN,
  GCN,
  GAT,
  inputDropout,
  DROPOUT_PLACEMENTS,
  type DropoutPlacement,
  type GNNOptions,
  type GCNOptions,
  type GATOptions,
  type ConvKind,
  type Activation,
  type GraphLayer,
} from './models.js';
export { recipeFor, firstLayerOnly, type NodeClassificationRecipe } from './model-recipes.js';
export {
  trainNodeClassifier,
  evaluate,
  ModelSelector,
  SELECTION_CRITERIA,
  type NodeClassificationData,
  type NodeClassifier,
  type NodeClassificationEpoch,
  type NodeClassificationEvaluation,
  type SplitEvaluation,
  type SelectionCriterion,
  type TrainNodeClassifierOptions,
  type TrainNodeClassifierResult,
} from './node-classification.js';
export {
  runSeeds,
  meanStd,
  type RunSeedsOptions,
  type RunSeedsResult,
  type SeedRun,
  type MeanStdOptions,
} from './node-classification-seeds.js';
export {
  oversmoothing,
  meanCosineSimilarity,
  dirichletEnergy,
  type OversmoothingLayer,
  type OversmoothingOptions,
  type LayerwiseModel,
} from './oversmoothing.js';
