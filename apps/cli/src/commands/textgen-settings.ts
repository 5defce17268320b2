/**
 * The settings of `textgen train`, as tables (`settings.ts`): the model and training settings a
 * resumed run keeps (defaults from `@tensorloom/textgen`), the bounds of a run and its options; and
 * how a checkpoint's settings are read back and compared with the flags of a resumed run.
 */
import {
  COURSE_LR_DECAY,
  DEFAULT_KEEP_CHECKPOINTS,
  DEFAULT_MODEL_CONFIG,
  DEFAULT_RUN_INTERVALS,
  DEFAULT_SEQ_LENGTH,
  DEFAULT_TRAINER_SETTINGS,
  DEFAULT_TRAINING_SAMPLES,
  DEFAULT_VALIDATION_FRACTION,
  type LoadedCheckpoint,
  type LrDecay,
} from '@tensorloom/textgen';
import { UsageError } from '../cli.js';
import { NON_FINITE_SETTINGS } from '../non-finite.js';
import { flagSetting, float, int, orNone, type SettingsOf } from '../settings.js';
import type { TextgenRunMetadata } from './textgen-common.js';

/** Parses `--lr-decay`: `GAMMA@EVERY` (×GAMMA every EVERY steps) or `none`. */
export function parseLrDecay(text: string, flag = 'lr-decay'): LrDecay | null {
  if (text === 'none') return null;
  const match = /^\s*([0-9.eE+-]+)\s*@\s*(\d+)\s*$/.exec(text);
  const gamma = Number(match?.[1]);
  const every = Number(match?.[2]);
  if (!match || !(gamma > 0) || !Number.isFinite(gamma) || !(every >= 1)) {
    throw new UsageError(`--${flag} expects GAMMA@STEPS (for example 0.96@5000: ×0.96 every 5000 steps) or none, got '${text}'`);
  }
  return { gamma, every };
}

export const formatDecay = (d: LrDecay | null) => (d === null ? 'none' : `${d.gamma}@${d.every}`);

/** The model and training settings of a run: what a resumed run keeps. Defaults are textgen's. */
export const TRAIN_SETTINGS = {
  embedding: {
    flag: 'embedding',
    description: 'Character embedding size',
    valueName: 'N',
    default: DEFAULT_MODEL_CONFIG.embeddingDim,
    parse: int({ min: 1 }),
  },
  hidden: {
    flag: 'hidden',
    description: 'LSTM hidden units',
    valueName: 'N',
    default: DEFAULT_MODEL_CONFIG.hiddenSize,
    parse: int({ min: 1 }),
  },
  layers: {
    flag: 'layers',
    description: 'Stacked LSTM layers',
    valueName: 'N',
    default: DEFAULT_MODEL_CONFIG.numLayers,
    parse: int({ min: 1 }),
  },
  seq: {
    flag: 'seq',
    description: 'Characters per training window, T',
    valueName: 'T',
    default: DEFAULT_SEQ_LENGTH,
    parse: int({ min: 1 }),
  },
  batch: {
    flag: 'batch',
    description: 'Windows per step',
    valueName: 'N',
    default: DEFAULT_TRAINER_SETTINGS.batchSize,
    parse: int({ min: 1 }),
  },
  lr: {
    flag: 'lr',
    description: 'Adam learning rate',
    valueName: 'RATE',
    default: DEFAULT_TRAINER_SETTINGS.lr,
    parse: float({ above: 0 }),
  },
  lrDecay: {
    flag: 'lr-decay',
    // The course skeleton's optional decay, on here (the Trainer's own default is none).
    description: 'Learning-rate decay GAMMA@STEPS or none',
    valueName: 'G@N',
    default: { ...COURSE_LR_DECAY } as LrDecay | null,
    parse: (raw: string | boolean, flag: string) => parseLrDecay(String(raw), flag),
    format: formatDecay,
  },
  clip: {
    flag: 'clip',
    description: 'Max-norm gradient clipping, or none',
    valueName: 'NORM',
    default: DEFAULT_TRAINER_SETTINGS.maxNorm,
    parse: orNone(float({ above: 0 })),
    format: (v: number | null) => String(v ?? 'none'),
  },
  dropout: {
    flag: 'dropout',
    description: 'Dropout between LSTM layers and before the output layer',
    valueName: 'P',
    default: DEFAULT_MODEL_CONFIG.dropout,
    parse: float({ min: 0, below: 1 }),
  },
  seed: {
    flag: 'seed',
    description: 'Seed of the initial weights, the data order and the samples',
    valueName: 'N',
    default: DEFAULT_TRAINER_SETTINGS.seed,
    parse: int({ min: 0 }),
  },
  valFraction: {
    flag: 'val-fraction',
    description: 'Fraction of the text, at its end, held out for validation; 0 for none',
    valueName: 'F',
    default: DEFAULT_VALIDATION_FRACTION,
    parse: float({ min: 0, below: 0.5 }),
  },
  lowercase: flagSetting('lowercase', 'Lower-case the corpus (a smaller vocabulary).'),
  unknownToken: flagSetting(
    'unknown-token',
    'Give the vocabulary an <unk> entry, so texts with characters the corpus lacks can be evaluated and prompted later.',
  ),
};

/** The model and training settings of a run (what a resumed run must keep). */
export type TextgenTrainSettings = SettingsOf<typeof TRAIN_SETTINGS>;

/** The training budget when no --steps, --epochs or --max-minutes is given. */
export const DEFAULT_MAX_MINUTES = 15;

/** This run's options: intervals, samples, the checkpoints kept, what a NaN does. */
export const RUN_SETTINGS = {
  evalEvery: {
    flag: 'eval-every',
    description: 'Validate every N steps (0: only at the end)',
    valueName: 'N',
    default: 500,
    parse: int({ min: 0 }),
  },
  checkpointEvery: {
    flag: 'checkpoint-every',
    description: 'Checkpoint every N steps (0: only at the end)',
    valueName: 'N',
    default: DEFAULT_RUN_INTERVALS.checkpointEvery,
    parse: int({ min: 0 }),
  },
  keep: {
    flag: 'keep',
    description: 'Step checkpoints kept (the newest); 0 keeps all',
    valueName: 'N',
    default: DEFAULT_KEEP_CHECKPOINTS,
    parse: int({ min: 0 }),
  },
  samples: {
    flag: 'samples',
    description: 'Sentences per sample set (0: no samples)',
    valueName: 'N',
    default: DEFAULT_TRAINING_SAMPLES.count,
    parse: int({ min: 0 }),
  },
  sampleLength: {
    flag: 'sample-length',
    description: 'Characters generated after the first in each sample',
    valueName: 'N',
    default: DEFAULT_TRAINING_SAMPLES.length,
    parse: int({ min: 1 }),
  },
  ...NON_FINITE_SETTINGS,
};

/** How long a run may go: no defaults (without any, `DEFAULT_MAX_MINUTES`). */
export const BOUND_SETTINGS = {
  steps: {
    flag: 'steps',
    description: 'Train until this step (resumed steps included)',
    valueName: 'N',
    default: undefined as number | undefined,
    parse: int({ min: 1 }),
  },
  epochs: {
    flag: 'epochs',
    description: 'Train until this many passes over the training text',
    valueName: 'N',
    default: undefined as number | undefined,
    parse: float({ above: 0 }),
  },
  maxMinutes: {
    flag: 'max-minutes',
    description: `Wall-clock budget of this run; ${DEFAULT_MAX_MINUTES} when no bound is given`,
    valueName: 'M',
    default: undefined as number | undefined,
    parse: float({ above: 0 }),
  },
};

/** The settings a checkpoint was trained with. */
export function checkpointSettings(loaded: LoadedCheckpoint): TextgenTrainSettings {
  const state = loaded.trainerState!;
  const meta = loaded.metadata as Partial<TextgenRunMetadata>;
  return {
    embedding: loaded.config.model.embeddingDim,
    hidden: loaded.config.model.hiddenSize,
    layers: loaded.config.model.numLayers,
    seq: loaded.config.seqLength ?? DEFAULT_SEQ_LENGTH,
    batch: state.settings.batchSize,
    lr: state.settings.lr,
    lrDecay: state.settings.lrDecay,
    clip: state.settings.maxNorm,
    dropout: loaded.config.model.dropout,
    seed: state.settings.seed,
    valFraction: meta.validationFraction ?? DEFAULT_VALIDATION_FRACTION,
    lowercase: loaded.tokenizer.lowercase,
    unknownToken: loaded.tokenizer.unknownId !== undefined,
  };
}

/** A resumed run keeps the checkpoint's settings: a flag that asks for another value is a usage error. */
export function checkResumeConflicts(given: Partial<TextgenTrainSettings>, saved: TextgenTrainSettings): void {
  for (const key of Object.keys(given) as (keyof TextgenTrainSettings)[]) {
    const setting = TRAIN_SETTINGS[key];
    const show = (v: unknown) => ('format' in setting ? (setting.format as (x: unknown) => string)(v) : String(v ?? 'none'));
    if (show(given[key]) !== show(saved[key])) {
      throw new UsageError(
        `--${setting.flag} ${show(given[key])} differs from the checkpoint's ` +
          `${show(saved[key])}: a resumed run keeps the checkpoint's model and training settings`,
      );
    }
  }
}
