/**
 * Checkpoints: one directory per checkpoint, written atomically, holding everything to sample from
 * a model or to resume its training exactly.
 *
 * ```
 * <dir>/config.json            format, version, the model config, step, epoch, T, metadata
 *       vocab.json             the tokenizer (CharTokenizer.toJSON)
 *       model.safetensors      the weights under PyTorch's names (embedding.weight, lstm.weight_ih_l0, …, linear.bias)
 *       optimizer.safetensors  Adam's moments, as state.<param index>.<exp_avg|exp_avg_sq>   (with a trainer)
 *       trainer.json           optimizer groups and steps, lr schedule, generator states, step, settings (with a trainer)
 *       history.json           the loss / accuracy curves so far (with a trainer)
 * ```
 */
import {
  Generator,
  NonFiniteError,
  Tensor,
  findNonFinite,
  parseSafetensors,
  requireNodeBuiltin,
  serializeSafetensors,
  type optim,
} from '@tensorloom/core-tensor';
import { nodeDirectoryOps, resolveDirectory, writeDirectoryAtomically, type DirectoryOps } from './atomic-directory.js';
import { FileCheck, checkModelSize, describeValue, readConfigFields, readTrainerState } from './checkpoint-read.js';
import { CheckpointError } from './errors.js';
import { TextGenerationModel, type TextGenerationModelConfig } from './model.js';
import { CharTokenizer } from './tokenizer.js';
import type { Trainer } from './trainer.js';
import type { TrainerState } from './trainer-types.js';

/** `config.json`. */
export interface CheckpointConfig {
  format: 'tensorloom.textgen-checkpoint';
  version: 1;
  model: TextGenerationModelConfig;
  /** Training steps taken. */
  step: number;
  /** Passes over the training text, when saved with a trainer. */
  epoch: number | null;
  /** T of the training windows, when saved with a trainer. */
  seqLength: number | null;
  /** ISO time of writing. */
  savedAt: string;
  /** Whether optimizer.safetensors, trainer.json and history.json are present. */
  hasTrainerState: boolean;
  /** The caller's JSON data (a CLI's corpus path and flags, say). */
  metadata: Record<string, unknown>;
}

export interface SaveCheckpointOptions {
  model: TextGenerationModel;
  tokenizer: CharTokenizer;
  /** Include the training state (optimizer, schedule, generators, step, history) to resume from. */
  trainer?: Trainer;
  /** The step to record without a trainer. Default 0. */
  step?: number;
  /** JSON-safe data to keep in `config.json`. */
  metadata?: Record<string, unknown>;
  /** Write weights that hold NaN or an infinity too (refused by default: `NonFiniteError`). Default false. */
  allowNonFinite?: boolean;
}

/** What `loadCheckpoint` returns. */
export interface LoadedCheckpoint {
  /** The directory read (the given one, or the previous copy a killed writer left aside). */
  dir: string;
  config: CheckpointConfig;
  /** The model with the saved weights, in training mode, drawing dropout from its own generator. */
  model: TextGenerationModel;
  tokenizer: CharTokenizer;
  step: number;
  /** The state to resume from (`Trainer.fromCheckpoint`), when saved with a trainer. */
  trainerState: TrainerState | undefined;
  metadata: Record<string, unknown>;
}

const FILES = {
  config: 'config.json',
  vocab: 'vocab.json',
  weights: 'model.safetensors',
  optimizer: 'optimizer.safetensors',
  trainer: 'trainer.json',
  history: 'history.json',
} as const;

/** The JSON form of an optimizer state: tensors replaced by their key in optimizer.safetensors. */
interface SavedOptimizer {
  paramGroups: optim.OptimizerStateDict['paramGroups'];
  state: Record<string, Record<string, number | { tensor: string } | null>>;
}

type SavedTrainer = Omit<TrainerState, 'optimizer' | 'history'> & { optimizer: SavedOptimizer };

const encoder = new TextEncoder();
const json = (value: unknown, indent = 2): Uint8Array => encoder.encode(`${JSON.stringify(value, null, indent)}\n`);

/**
 * Writes a checkpoint directory atomically (see `writeDirectoryAtomically`): everything goes to a
 * temporary sibling that is renamed into place, so a write that fails or is killed midway leaves
 * the previous checkpoint at `dir` loadable. An existing checkpoint at `dir` is replaced. Weights
 * holding a NaN or an infinity are refused (`NonFiniteError` naming the parameter; nothing is
 * written) unless `allowNonFinite`: a diverged run must not replace its last good checkpoint.
 *
 * @example
 * await saveCheckpoint('runs/moby/latest', { model, tokenizer, trainer, metadata: { corpus: 'moby-dick' } });
 */
export async function saveCheckpoint(dir: string, options: SaveCheckpointOptions, ops?: DirectoryOps): Promise<void> {
  const { model, tokenizer, trainer, metadata = {} } = options;
  if (model.vocabSize !== tokenizer.vocabSize) {
    throw new CheckpointError(
      `saveCheckpoint: the model predicts ${model.vocabSize} ids but the tokenizer has ${tokenizer.vocabSize}`,
      dir,
    );
  }
  if (trainer !== undefined && trainer.model !== model) throw new CheckpointError('saveCheckpoint: the trainer trains another model', dir);
  const step = trainer?.step ?? options.step ?? 0;
  const weights = model.stateDict();
  const nonFinite = options.allowNonFinite === true ? undefined : findNonFinite(Object.entries(weights));
  if (nonFinite !== undefined) {
    throw new NonFiniteError(
      `saveCheckpoint: the weights at step ${step} are not finite: '${nonFinite.parameter}' holds ${nonFinite.value} ` +
        `(element ${nonFinite.index}); nothing was written to '${dir}' (pass allowNonFinite: true to write them anyway)`,
      { step, what: 'parameter', ...nonFinite },
    );
  }
  const config: CheckpointConfig = {
    format: 'tensorloom.textgen-checkpoint',
    version: 1,
    model: { ...model.config },
    step,
    epoch: trainer?.epoch ?? null,
    seqLength: trainer?.train.seqLength ?? null,
    savedAt: new Date().toISOString(),
    hasTrainerState: trainer !== undefined,
    metadata,
  };
  const files: Record<string, Uint8Array> = {
    [FILES.weights]: serializeSafetensors(weights, { metadata: { format: 'pt' } }),
    [FILES.vocab]: json(tokenizer.toJSON()),
  };
  if (trainer !== undefined) {
    const { optimizer, history, ...rest } = trainer.stateDict();
    const tensors: Record<string, Tensor> = {};
    const state: SavedOptimizer['state'] = {};
    for (const [index, entry] of Object.entries(optimizer.state)) {
      const saved: Record<string, number | { tensor: string } | null> = {};
      for (const [key, value] of Object.entries(entry)) {
        if (value instanceof Tensor) {
          const name = `state.${index}.${key}`;
          tensors[name] = value;
          saved[key] = { tensor: name };
        } else {
          saved[key] = value;
        }
      }
      state[index] = saved;
    }
    const saved: SavedTrainer = { ...rest, optimizer: { paramGroups: optimizer.paramGroups, state } };
    files[FILES.optimizer] = serializeSafetensors(tensors);
    files[FILES.trainer] = json(saved);
    files[FILES.history] = json(history, 0); // one line per run can be long: kept compact
  }
  files[FILES.config] = json(config); // last, so a complete config marks a complete directory
  await writeDirectoryAtomically(dir, files, ops);
}

/** The name of a run folder's newest checkpoint (see `saveRunCheckpoint`). */
export const LATEST_CHECKPOINT = 'latest';

/**
 * The checkpoint `dir` names: `dir` itself when it is a checkpoint directory, else the `latest`
 * checkpoint of the run folder `dir` (a copy a killed writer moved aside counts); undefined when
 * there is neither.
 */
export async function findCheckpoint(dir: string, ops?: DirectoryOps): Promise<string | undefined> {
  const io = ops ?? (await nodeDirectoryOps());
  const { join } = requireNodeBuiltin<typeof import('node:path')>('node:path', 'findCheckpoint');
  const direct = await resolveDirectory(dir, io);
  if (direct !== undefined && (await io.exists(join(direct, FILES.config)))) return direct;
  return resolveDirectory(join(dir, LATEST_CHECKPOINT), io);
}

/**
 * Reads a checkpoint written by `saveCheckpoint`: the model (rebuilt from its config, weights
 * loaded strictly), the tokenizer, the step, the metadata and, when present, the trainer state
 * for `Trainer.fromCheckpoint`. `dir` is a checkpoint directory or a run folder (its `latest` is
 * read). If a writer was killed while replacing it, the previous checkpoint it moved aside is read.
 * Throws `CheckpointError` for a missing or malformed one: every field of every file is checked
 * (the error names the file and the field), and every size a file claims (the model's, the batch
 * sizes) is checked against the bytes the files hold and the machine's memory before anything is
 * allocated, the error naming the field and the bytes it would take.
 *
 * @example
 * const { model, tokenizer } = await loadCheckpoint('runs/moby/latest');
 * generate(model, tokenizer, { prompt: 'Call me', length: 80 }).text;
 */
export async function loadCheckpoint(dir: string, options: { generator?: Generator } = {}, ops?: DirectoryOps): Promise<LoadedCheckpoint> {
  const found = await findCheckpoint(dir, ops);
  if (found === undefined) {
    throw new CheckpointError(
      `loadCheckpoint: there is no checkpoint at '${dir}' (a checkpoint directory, or a run folder with a 'latest' one)`,
      dir,
    );
  }
  const { readFile } = requireNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', 'loadCheckpoint');
  const { join } = requireNodeBuiltin<typeof import('node:path')>('node:path', 'loadCheckpoint');
  const read = async (name: string): Promise<Uint8Array> => {
    try {
      const bytes = await readFile(join(found, name));
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      throw new CheckpointError(`loadCheckpoint: cannot read '${name}' in '${found}' (${(error as Error).message})`, found);
    }
  };
  const readJson = async (name: string): Promise<unknown> => {
    const bytes = await read(name);
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    } catch (error) {
      throw new CheckpointError(`loadCheckpoint: '${name}' in '${found}' is not valid JSON (${(error as Error).message})`, found);
    }
  };
  const parseTensors = (name: string, bytes: Uint8Array): Record<string, Tensor> => {
    try {
      return parseSafetensors(bytes).tensors;
    } catch (error) {
      throw withCause(
        new CheckpointError(`loadCheckpoint: '${name}' in '${found}' is not a valid safetensors file (${(error as Error).message})`, found),
        error,
      );
    }
  };
  const check = (file: string) => new FileCheck(found, file);

  // Every size is checked before it is allocated: the model's against the weights file and the
  // machine (checkModelSize), the vocabulary's against vocab.json, the optimizer's against its file.
  const raw = await readJson(FILES.config);
  const format = isRecord(raw) ? raw.format : undefined;
  const version = isRecord(raw) ? raw.version : undefined;
  if (!isRecord(raw) || format !== 'tensorloom.textgen-checkpoint' || version !== 1) {
    throw new CheckpointError(
      `loadCheckpoint: '${found}' is not a tensorloom textgen checkpoint of version ` +
        `1 (format ${describeValue(format)}, version ${describeValue(version)})`,
      found,
    );
  }
  const fields = readConfigFields(raw, check(FILES.config));
  const config: CheckpointConfig = {
    format: 'tensorloom.textgen-checkpoint',
    version: 1,
    ...fields,
    savedAt: typeof raw.savedAt === 'string' ? raw.savedAt : '',
  };
  const vocabJson = await readJson(FILES.vocab);
  const vocab = wrap(found, FILES.vocab, () => CharTokenizer.fromJSON(vocabJson));
  if (config.model.vocabSize !== vocab.vocabSize) {
    throw new CheckpointError(
      `loadCheckpoint: '${FILES.config}' in '${found}' gives model.vocabSize ${config.model.vocabSize} ` +
        `but vocab.json has ${vocab.vocabSize} ids`,
      found,
    );
  }
  const weightBytes = await read(FILES.weights);
  checkModelSize(config.model, weightBytes.length, check(FILES.config));
  const weights = parseTensors(FILES.weights, weightBytes);
  const model = wrap(found, FILES.config, () =>
    TextGenerationModel.fromConfig(config.model, { generator: options.generator ?? new Generator(0) }),
  );
  wrap(found, FILES.weights, () => model.loadStateDict(weights, { strict: true }));

  let trainerState: TrainerState | undefined;
  if (config.hasTrainerState) {
    const saved = await readJson(FILES.trainer);
    const history = await readJson(FILES.history);
    const tensors = parseTensors(FILES.optimizer, await read(FILES.optimizer));
    trainerState = readTrainerState(saved, history, tensors, fields, { trainer: check(FILES.trainer), history: check(FILES.history) });
  }
  return { dir: found, config, model, tokenizer: vocab, step: config.step, trainerState, metadata: config.metadata };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `error` with `cause` set: what a library call threw, kept under the CheckpointError that names the file. */
function withCause(error: CheckpointError, cause: unknown): CheckpointError {
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  return error;
}

/** Runs `fn`, turning its errors into a CheckpointError naming the file. */
function wrap<T>(dir: string, file: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw withCause(new CheckpointError(`loadCheckpoint: '${file}' in '${dir}' does not fit: ${(error as Error).message}`, dir), error);
  }
}
