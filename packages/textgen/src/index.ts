// @tensorloom/textgen: character-level language models on @tensorloom/lstm.
export { UnknownCharacterError, TextDecodingError, CheckpointError, RunFolderError } from './errors.js';
export { decodeText, readTextFile, findInvalidUtf8, type DecodeTextOptions } from './text-io.js';
export { stripGutenberg, type GutenbergBook } from './gutenberg.js';
export {
  CharTokenizer,
  UNKNOWN_TOKEN,
  UNKNOWN_REPLACEMENT,
  describeChar,
  type CharTokenizerOptions,
  type CharTokenizerJSON,
  type UnknownCharacterPolicy,
} from './tokenizer.js';
export {
  TextDataset,
  splitDataset,
  prepareCorpus,
  DEFAULT_SEQ_LENGTH,
  DEFAULT_VALIDATION_FRACTION,
  type TextDatasetOptions,
  type TextBatch,
  type SequentialBatchOptions,
  type SplitOptions,
  type PrepareCorpusOptions,
  type Corpus,
  type CorpusWarning,
  type TokenIds,
} from './dataset.js';
export {
  TextGenerationModel,
  DEFAULT_MODEL_CONFIG,
  type TextGenerationModelConfig,
  type TextGenerationModelOptions,
  type TextGenerationState,
  type TextGenerationOutput,
} from './model.js';
export { evaluate, windowLoss, DEFAULT_EVAL_BATCH_SIZE, type EvaluateOptions, type EvaluationResult } from './evaluate.js';
export { Trainer, DEFAULT_TRAINER_SETTINGS, DEFAULT_RUN_INTERVALS, DEFAULT_TRAINING_SAMPLES } from './trainer.js';
export {
  COURSE_LR_DECAY,
  type LrDecay,
  type TrainerOptions,
  type TrainerSettings,
  type TrainerState,
  type TrainStepResult,
  type TrainProgress,
  type TrainRunOptions,
  type TrainRunResult,
  type StopReason,
  type StepBounds,
  type ValidationPoint,
  type SamplePoint,
  type TrainingHistory,
  type TrainingSampleOptions,
} from './trainer-types.js';
export {
  SAMPLING_STRATEGIES,
  samplingDistribution,
  sampleFromLogits,
  resolveStrategy,
  type SamplingStrategy,
  type Tempering,
} from './sampling/strategy.js';
export {
  generate,
  streamGenerate,
  startGeneration,
  DEFAULT_GENERATE_LENGTH,
  type GenerateOptions,
  type GenerateResult,
  type GeneratedToken,
} from './sampling/generate.js';
export { generateBatch, type GenerateBatchOptions } from './sampling/generate-batch.js';
export {
  beamSearch,
  beamSearchBytes,
  BEAM_SEARCH_BYTES_PER_CHARACTER,
  DEFAULT_BEAM_WIDTH,
  type BeamSearchOptions,
  type BeamSearchResult,
  type Beam,
} from './sampling/beam-search.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  findCheckpoint,
  LATEST_CHECKPOINT,
  type CheckpointConfig,
  type SaveCheckpointOptions,
  type LoadedCheckpoint,
} from './checkpoint.js';
export {
  saveRunCheckpoint,
  stepCheckpointName,
  DEFAULT_KEEP_CHECKPOINTS,
  RUN_MANIFEST,
  RUN_LOCK,
  RUN_FILES,
  newRunId,
  readRunManifest,
  writeRunManifest,
  runFolderEntries,
  claimRunFolder,
  loadNewestCheckpoint,
  type SaveRunCheckpointOptions,
  type RunManifest,
  type ClaimRunFolderOptions,
  type RunFolderClaim,
  type SkippedCheckpoint,
} from './run-folder.js';
export { writeDirectoryAtomically, resolveDirectory, type DirectoryOps } from './atomic-directory.js';
export { textModelMemory, type TextModelMemory, type TextModelSizes } from './model-size.js';
