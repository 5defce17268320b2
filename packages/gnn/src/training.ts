// The models, node-classification training and evaluation, and over-smoothing measures of @tensorloom/gnn.
export {
  GNN,
  GCN,
  GAT,
  DEFAULT_GNN_ARCHITECTURE,
  DROPOUT_PLACEMENTS,
  type DropoutPlacement,
  type GNNOptions,
  type GNNCommonOptions,
  type GNNArchitecture,
  type ConvOptions,
  type CachingConvOptions,
  type AttentionModelOptions,
  type GCNLayerOptions,
  type GATLayerOptions,
  type GATv2LayerOptions,
  type SAGELayerOptions,
  type GINLayerOptions,
  type DistributiveOmit,
  type GCNOptions,
  type GATOptions,
  type ConvKind,
  type Activation,
  type GraphLayer,
} from './models.js';
export { sparseDropout } from './sparse-dropout.js';
export { recipeFor, firstLayerOnly, type NodeClassificationRecipe } from './model-recipes.js';
export {
  trainNodeClassifier,
  DEFAULT_NODE_CLASSIFIER_TRAINING,
  evaluate,
  type NodeClassificationData,
  type NodeClassifier,
  type NodeClassificationEpoch,
  type NodeClassificationEvaluation,
  type SplitEvaluation,
  type TrainNodeClassifierOptions,
  type TrainNodeClassifierResult,
} from './node-classification.js';
export { ModelSelector, SELECTION_CRITERIA, type SelectionCriterion } from './model-selection.js';
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
export {
  RecurrentGraphForecaster,
  type ForecastState,
  type ForecastOptions,
  type ForecastOutput,
  type RecurrentGraphForecasterOptions,
} from './recurrent/forecast.js';
export {
  forecasterFor,
  FORECAST_MODELS,
  FORECAST_MODELS_WITH_K,
  DEFAULT_FORECASTER,
  type ForecastModel,
  type ForecasterOptions,
} from './recurrent/forecast-models.js';
export {
  trainForecaster,
  evaluateForecaster,
  runForecastSeeds,
  DEFAULT_FORECAST_TRAINING,
  type ForecastStatePolicy,
  type ForecastEpoch,
  type ForecastEvaluation,
  type ForecastSeedRun,
  type TrainForecasterOptions,
  type TrainForecasterResult,
  type RunForecastSeedsOptions,
  type RunForecastSeedsResult,
} from './recurrent/forecast-training.js';
