// @tensorloom/rnn: recurrent cells and layers on @tensorloom/core-tensor.
export type { CellKind, CellDims, SequenceOptions } from './cell-kind.js';
export { unroll, type UnrollOptions, type UnrollResult } from './unroll.js';
export { initRecurrentParameter, type RecurrentInit } from './recurrent-init.js';
export {
  RecurrentLayer,
  type RecurrentLayerOptions,
  type RecurrentForwardOptions,
  type RecurrentOutput,
  type LayerState,
} from './recurrent-layer.js';
export { rnnKind, packedParameterShapes, type RNNNonlinearity } from './rnn-kind.js';
export { gruKind } from './gru-kind.js';
export { RNN, type RNNOptions } from './rnn.js';
export { GRU } from './gru.js';
export { RecurrentCell, type RecurrentCellOptions } from './recurrent-cell.js';
export { RNNCell, type RNNCellOptions } from './rnn-cell.js';
export { GRUCell, type GRUCellOptions } from './gru-cell.js';
export {
  Bidirectional,
  type BidirectionalOptions,
  type BidirectionalFactoryOptions,
  type BidirectionalLayersOptions,
  type DirectionContext,
  type MergeMode,
} from './bidirectional.js';
export {
  VanillaRNN,
  sequenceCrossEntropy,
  vanillaRnnKind,
  VANILLA_RNN_PARAMETER_NAMES,
  type VanillaRNNOptions,
  type VanillaRNNOutput,
  type LossAt,
  type SequenceLossOptions,
  type VanillaRNNParameterName,
} from './vanilla-rnn.js';
export { manualBptt, type BPTTForm, type ManualBPTTOptions, type ManualBPTTResult, type VanillaRNNGradients } from './bptt.js';
export {
  gradientNormsOverTime,
  DEFAULT_GRADIENT_FLOW,
  type GradientFlowModel,
  type GradientFlowLoss,
  type GradientNormsOptions,
  type GradientNormsResult,
} from './gradient-flow.js';
export {
  SequenceClassifier,
  type SequenceClassifierOptions,
  type AnyRecurrentLayer,
  type RecurrentLayerFactory,
  type ClassifierInit,
} from './sequence-classifier.js';
export {
  trainSequenceTask,
  DEFAULT_SEQUENCE_TRAINING,
  type TrainSequenceOptions,
  type TrainSequenceProgress,
  type TrainSequenceResult,
  type SequenceCurvePoint,
} from './train-sequence.js';
export {
  SEQUENCE_TASK_NAMES,
  type SequenceTask,
  type SequenceBatch,
  type SequenceTaskName,
  type SequenceTaskOptions,
} from './tasks/sequence-task.js';
export { createSequenceTask } from './tasks/create-task.js';
export { palindromeTask, binaryPalindrome } from './tasks/palindrome.js';
export { baumSweetTask, baumSweet, bitLength } from './tasks/baum-sweet.js';
export { randomCombinationTask } from './tasks/random-combination.js';
