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
import { Generator, Tensor, parseSafetensors, requireNodeBuiltin, serializeSafetensors, type optim } from '@tensorloom/core-tensor';
import { nodeDirectoryOps, resolveDirectory, writeDirectoryAtomically, type DirectoryOps } from './atomic-directory.js';
import { CheckpointError } from './errors.js';
import { TextGenerationModel, type TextGenerationModelConfig } from './model.js';
import { CharTokenizer } from './tokenizer.js';
import type { Trainer } from './trainer.js';
import type { TrainerState, TrainingHistory } from './trainer-types.js';

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
 * the previous checkpoint at `dir` loadable. An existing checkpoint at `dir` is replaced.
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
    [FILES.weights]: serializeSafetensors(model.stateDict(), { metadata: { format: 'pt' } }),
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
 * Throws `CheckpointError` for a missing or malformed one.
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
  const readJson = async <T>(name: string): Promise<T> => {
    const bytes = await read(name);
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as T;
    } catch (error) {
      throw new CheckpointError(`loadCheckpoint: '${name}' in '${found}' is not valid JSON (${(error as Error).message})`, found);
    }
  };
  const readTensors = async (name: string): Promise<Record<string, Tensor>> => {
    const bytes = await read(name);
    try {
      return parseSafetensors(bytes).tensors;
    } catch (error) {
      throw new CheckpointError(
        `loadCheckpoint: '${name}' in '${found}' is not a valid safetensors file (${(error as Error).message})`,
        found,
      );
    }
  };

  const config = await readJson<CheckpointConfig>(FILES.config);
  if (config?.format !== 'tensorloom.textgen-checkpoint' || config.version !== 1) {
    throw new CheckpointError(
      `loadCheckpoint: '${found}' is not a tensorloom textgen checkpoint of version ` +
        `1 (format ${String(config?.format)}, version ${String(config?.version)})`,
      found,
    );
  }
  const vocabBytes = await read(FILES.vocab);
  const vocab = wrap(found, FILES.vocab, () => CharTokenizer.fromJSON(JSON.parse(new TextDecoder().decode(vocabBytes))));
  const model = wrap(found, FILES.config, () =>
    TextGenerationModel.fromConfig(config.model, { generator: options.generator ?? new Generator(0) }),
  );
  if (model.vocabSize !== vocab.vocabSize) {
    throw new CheckpointError(`loadCheckpoint: the model predicts ${model.vocabSize} ids but vocab.json has ${vocab.vocabSize}`, found);
  }
  const weights = await readTensors(FILES.weights);
  wrap(found, FILES.weights, () => model.loadStateDict(weights, { strict: true }));

  let trainerState: TrainerState | undefined;
  if (config.hasTrainerState) {
    const saved = await readJson<SavedTrainer>(FILES.trainer);
    const history = await readJson<TrainingHistory>(FILES.history);
    const tensors = await readTensors(FILES.optimizer);
    const state: optim.OptimizerStateDict['state'] = {};
    for (const [index, entry] of Object.entries(saved.optimizer?.state ?? {})) {
      const restored: Record<string, optim.StateDictValue | null> = {};
      for (const [key, value] of Object.entries(entry)) {
        if (value !== null && typeof value === 'object') {
          const tensor = tensors[value.tensor];
          if (tensor === undefined)
            throw new CheckpointError(`loadCheckpoint: optimizer.safetensors in '${found}' has no tensor '${value.tensor}'`, found);
          restored[key] = tensor;
        } else {
          restored[key] = value;
        }
      }
      state[Number(index)] = restored;
    }
    trainerState = { ...saved, optimizer: { paramGroups: saved.optimizer.paramGroups, state }, history };
  }
  return { dir: found, config, model, tokenizer: vocab, step: config.step, trainerState, metadata: config.metadata ?? {} };
}

/** Runs `fn`, turning its errors into a CheckpointError naming the file. */
function wrap<T>(dir: string, file: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw new CheckpointError(`loadCheckpoint: '${file}' in '${dir}' does not fit: ${(error as Error).message}`, dir);
  }
}
