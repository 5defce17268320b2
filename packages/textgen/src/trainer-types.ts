/**
 * The options, reports and saved state of the `Trainer` (the class is in `trainer.ts`).
 */
import type { GeneratorState, NonFiniteEvent, NonFinitePolicy, optim } from '@tensorloom/core-tensor';
import type { TextDataset } from './dataset.js';
import type { EvaluationResult } from './evaluate.js';
import type { TextGenerationModel } from './model.js';
import type { GenerateResult } from './sampling/generate.js';
import type { SamplingStrategy } from './sampling/strategy.js';
import type { CharTokenizer } from './tokenizer.js';

/** A step decay of the learning rate: lr = lr₀ · gamma^⌊step / every⌋ (PyTorch's `StepLR` per step). */
export interface LrDecay {
  gamma: number;
  every: number;
}

/** The course's optional decay: ×0.96 every 5000 steps. */
export const COURSE_LR_DECAY: Readonly<LrDecay> = Object.freeze({ gamma: 0.96, every: 5000 });

/** The trainer's hyper-parameters, as saved in a checkpoint (JSON-safe). */
export interface TrainerSettings {
  batchSize: number;
  lr: number;
  /** The max-norm of gradient clipping, or null for none. */
  maxNorm: number | null;
  lrDecay: LrDecay | null;
  /** The seed of the data-order and sample generators. */
  seed: number;
  /** Windows per validation batch. */
  evalBatchSize: number;
  /** Validation batches per periodic evaluation, or null for the whole validation text. */
  evalMaxBatches: number | null;
}

export interface TrainerOptions {
  model: TextGenerationModel;
  /** The model's tokenizer (for samples and checkpoints). */
  tokenizer: CharTokenizer;
  /** Training windows (`prepareCorpus(...).train`). */
  train: TextDataset;
  /** Held-out windows for periodic validation. Default none. */
  validation?: TextDataset;
  /** Windows per step. Default 64 (the course's). */
  batchSize?: number;
  /** Adam's learning rate. Default 2e-3 (the course's). */
  lr?: number;
  /** Clip the gradients' global 2-norm to this; null or Infinity disables. Default 5 (the course's). */
  maxNorm?: number | null;
  /** Step decay of the learning rate (`COURSE_LR_DECAY` is the course's ×0.96 every 5000 steps). Default none. */
  lrDecay?: LrDecay | null;
  /** Seeds the data order (random window offsets) and the sample generator. Default 0. */
  seed?: number;
  /** Windows per validation batch. Default 128. */
  evalBatchSize?: number;
  /** Validation batches per periodic evaluation (a faster estimate). Default: the whole validation text. */
  evalMaxBatches?: number | null;
  /**
   * What a NaN or an infinity in the loss, a gradient or (after the update) a weight does: `'stop'`
   * throws `NonFiniteError` naming the step and the parameter, and `run` writes no checkpoint after it
   * (the last good one stays `latest`); `'skip'` skips the update; `'halve-lr'` skips it and halves the
   * learning rate, stopping after 20 halvings in a row (see `NonFiniteGuard`). Default 'stop'.
   */
  onNonFinite?: NonFinitePolicy;
}

/** What one training step reports. */
export interface TrainStepResult {
  /** The step just taken (1-based, counting resumed steps). */
  step: number;
  /** Mean cross-entropy of the batch (nats per character), before the update. */
  loss: number;
  /** Fraction of the batch's characters predicted right (argmax), before the update. */
  accuracy: number;
  /** loss / ln 2. */
  bitsPerChar: number;
  /** The gradients' global 2-norm before clipping (NaN when the update was skipped). */
  gradNorm: number;
  /** The learning rate this step used. */
  lr: number;
  /** Set when the update was skipped (`onNonFinite` 'skip' or 'halve-lr'): what was not finite, where, and what was done. */
  nonFinite?: NonFiniteEvent;
}

/** `onProgress`'s report: the step's figures plus speed and time. */
export interface TrainProgress extends TrainStepResult {
  /** Passes over the training text so far: step·B·T / N_train. */
  epoch: number;
  /** The step this run stops at, when a step or epoch bound gives one. */
  totalSteps: number | undefined;
  /** Characters (B·T per step) per second of training (evaluations, samples and checkpoints excluded) over this run. */
  charsPerSecond: number;
  /** Training steps per second, likewise. */
  stepsPerSecond: number;
  /** Seconds since this run started. */
  elapsedSeconds: number;
  /** Estimated seconds left, from the nearest bound (steps, epochs or time); undefined without one. */
  etaSeconds: number | undefined;
}

/** A validation measurement. */
export interface ValidationPoint extends EvaluationResult {
  step: number;
  epoch: number;
}

/** Samples taken during training. */
export interface SamplePoint {
  step: number;
  samples: GenerateResult[];
}

/** The curves of a training run (all steps, resumed ones included). */
export interface TrainingHistory {
  /** Every step's batch loss and accuracy (steps whose update was skipped left out). */
  train: { step: number; loss: number; accuracy: number }[];
  /** Every validation. */
  validation: ValidationPoint[];
}

/** What samples to take during training. */
export interface TrainingSampleOptions {
  /** Sentences per sampling point. Default 5 (the course's). */
  count?: number;
  /** Characters after the first. Default 30. */
  length?: number;
  /** Default greedy (the course's). */
  sampling?: SamplingStrategy;
  /** Prompts to complete; default: `count` random first characters (the course's). */
  prompts?: string[];
}

/** A bound of a run in steps: an absolute step, or passes over the training text (resumed ones included). */
export interface StepBounds {
  /** Stop when the step count (resumed steps included) reaches this. */
  steps?: number;
  /** Stop when this many passes over the training text are done (resumed ones included). */
  epochs?: number;
}

export interface TrainRunOptions extends StepBounds {
  /** This run's wall-clock budget in seconds: no step starts after it. */
  maxSeconds?: number;
  /** Stops the run after the current step (Ctrl-C). */
  signal?: AbortSignal;
  /** Validate every this many steps (0: never). Default 1000 when there is validation data. */
  evalEvery?: number;
  /** Validate at the end of the run. Default true (with validation data). */
  finalEvaluation?: boolean;
  /** Sample every this many steps (0: never). Default 0. */
  sampleEvery?: number;
  /** Also sample at these steps (the course: ⅓, ⅔ and all of training). */
  sampleAt?: readonly number[];
  /** What to sample. */
  samples?: TrainingSampleOptions;
  /**
   * A run folder: every `checkpointEvery` steps and at the end of the run a checkpoint goes to
   * `step-NNNNNN/` and `latest/` in it (`saveRunCheckpoint`: atomic), keeping the newest
   * `keepCheckpoints` step directories.
   */
  checkpointDir?: string;
  /** Steps between checkpoints (0: only the one at the end). Default 1000 with `checkpointDir`, else 0. */
  checkpointEvery?: number;
  /** Step checkpoints the run folder keeps, the newest (0: all). Default 5. */
  keepCheckpoints?: number;
  /** JSON-safe data stored in each checkpoint's config (the CLI's corpus path, say). */
  checkpointMetadata?: Record<string, unknown>;
  /** After every `progressEvery` steps (and the last). */
  onProgress?: (progress: TrainProgress) => void | Promise<void>;
  /** Default 1. */
  progressEvery?: number;
  onEvaluation?: (point: ValidationPoint) => void | Promise<void>;
  onSamples?: (point: SamplePoint) => void | Promise<void>;
  /** Each skipped update (`onNonFinite` 'skip' or 'halve-lr'), with its one-line `message`. */
  onWarning?: (event: NonFiniteEvent) => void | Promise<void>;
  /**
   * Called at each checkpoint point (every `checkpointEvery` steps and at the end), after the
   * checkpoint is written when there is a `checkpointDir` (`dir` is its step directory); without
   * one, write your own here.
   */
  onCheckpoint?: (info: { step: number; dir: string | undefined }) => void | Promise<void>;
}

/** Why a run ended. */
export type StopReason = 'steps' | 'epochs' | 'time' | 'aborted';

export interface TrainRunResult {
  stoppedBy: StopReason;
  /** Steps taken by this run. */
  stepsRun: number;
  /** The step count at the end (resumed steps included). */
  step: number;
  epoch: number;
  /** Wall-clock seconds of the run (evaluations, samples and checkpoints included). */
  seconds: number;
  /** Characters per second of training steps alone. */
  charsPerSecond: number;
  /** Mean training loss over this run's last 100 steps (or fewer) whose update was taken. */
  trainLoss: number;
  /** Updates this run skipped because the loss, a gradient or the update was not finite. */
  skippedSteps: number;
  /** Halvings of the learning rate this run (`onNonFinite: 'halve-lr'`). */
  lrHalvings: number;
  /** The final validation, when there is validation data and `finalEvaluation`. */
  validation: ValidationPoint | undefined;
}

/** The trainer's full state for a checkpoint: with the model's weights it resumes a run exactly. */
export interface TrainerState {
  format: 'tensorloom.textgen-trainer';
  version: 1;
  step: number;
  settings: TrainerSettings;
  optimizer: optim.OptimizerStateDict;
  scheduler: optim.LRSchedulerStateDict | null;
  generators: {
    /** The data order (window offsets). */
    data: GeneratorState;
    /** Samples taken during training. */
    sample: GeneratorState;
    /** The model's (dropout). */
    model: GeneratorState;
    /** Whether the data order came from the model's own generator. */
    dataIsModel: boolean;
  };
  history: TrainingHistory;
}
