/**
 * The load side of checkpoints: each JSON file checked against the shape `saveCheckpoint` writes,
 * and every size a file claims (the model's sizes, the batch sizes) checked against the bytes the
 * files really hold and the memory the machine can give, before anything is allocated. A damaged
 * or hostile checkpoint ends in a `CheckpointError` naming the file, the field and the bytes, never
 * in `Invalid typed array length`, a `TypeError` or a machine driven into swap.
 */
import { Tensor, formatBytes, memoryBudgetBytes, type GeneratorState, type optim } from '@tensorloom/core-tensor';
import { CheckpointError } from './errors.js';
import { DEFAULT_MODEL_CONFIG, type TextGenerationModelConfig } from './model.js';
import { textModelMemory, type TextModelSizes } from './model-size.js';
import type { TrainerSettings, TrainerState, TrainingHistory } from './trainer-types.js';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Sets an own property (safe for keys such as `__proto__`, which JSON.parse makes own keys). */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A value for a message: short JSON, and never a RangeError on nesting JSON.stringify cannot print. */
export function describeValue(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return Array.isArray(value) ? 'a deeply nested array' : 'a deeply nested object';
  }
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Checks the fields of one file of the checkpoint at `dir`; every failure names the file and the field. */
export class FileCheck {
  constructor(
    readonly dir: string,
    readonly file: string,
  ) {}

  fail(field: string, expected: string, value: unknown): never {
    throw new CheckpointError(
      `loadCheckpoint: '${this.file}' in '${this.dir}': ${field} must be ${expected}, got ${describeValue(value)}`,
      this.dir,
    );
  }

  object(value: unknown, field: string): JsonObject {
    return isObject(value) ? value : this.fail(field, 'an object', value);
  }

  array(value: unknown, field: string): unknown[] {
    return Array.isArray(value) ? value : this.fail(field, 'an array', value);
  }

  integer(value: unknown, field: string, min: number): number {
    return Number.isSafeInteger(value) && (value as number) >= min ? (value as number) : this.fail(field, `an integer ≥ ${min}`, value);
  }

  /** A finite number (> 0 with `positive`). */
  number(value: unknown, field: string, positive = false): number {
    const ok = typeof value === 'number' && Number.isFinite(value) && (!positive || value > 0);
    return ok ? value : this.fail(field, positive ? 'a positive number' : 'a finite number', value);
  }

  boolean(value: unknown, field: string): boolean {
    return typeof value === 'boolean' ? value : this.fail(field, 'true or false', value);
  }

  nullable<T>(value: unknown, read: (v: unknown) => T): T | null {
    return value === null ? null : read(value);
  }
}

// ---- config.json --------------------------------------------------------------------------------

export interface CheckpointConfigFields {
  model: TextGenerationModelConfig;
  step: number;
  epoch: number | null;
  seqLength: number | null;
  hasTrainerState: boolean;
  metadata: JsonObject;
}

/** The fields of `config.json` (format and version checked by the caller), the model's defaults filled in. */
export function readConfigFields(config: JsonObject, check: FileCheck): CheckpointConfigFields {
  const saved = check.object(config.model, 'model');
  const given = (key: keyof TextGenerationModelConfig) => (Object.hasOwn(saved, key) ? saved[key] : undefined);
  const d = DEFAULT_MODEL_CONFIG;
  const model = {
    vocabSize: given('vocabSize'),
    embeddingDim: given('embeddingDim') ?? d.embeddingDim,
    hiddenSize: given('hiddenSize') ?? d.hiddenSize,
    numLayers: given('numLayers') ?? d.numLayers,
    dropout: given('dropout') ?? d.dropout,
    init: given('init') ?? d.init,
    forgetBias: given('forgetBias') ?? d.forgetBias,
    dtype: given('dtype') ?? d.dtype,
  } as TextGenerationModelConfig;
  for (const key of ['vocabSize', 'embeddingDim', 'hiddenSize', 'numLayers'] as const) check.integer(model[key], `model.${key}`, 1);
  const dropout = check.number(model.dropout, 'model.dropout');
  if (!(dropout >= 0 && dropout < 1)) check.fail('model.dropout', 'in [0, 1)', dropout);
  if (typeof model.init !== 'string') check.fail('model.init', 'a string', model.init);
  check.nullable(model.forgetBias, (v) => check.number(v, 'model.forgetBias'));
  if (model.dtype !== 'float32' && model.dtype !== 'float64') check.fail('model.dtype', "'float32' or 'float64'", model.dtype);
  return {
    model,
    step: check.integer(config.step, 'step', 0),
    epoch: check.nullable(config.epoch ?? null, (v) => check.number(v, 'epoch')),
    seqLength: check.nullable(config.seqLength ?? null, (v) => check.integer(v, 'seqLength', 1)),
    hasTrainerState: check.boolean(config.hasTrainerState ?? false, 'hasTrainerState'),
    metadata: config.metadata === undefined ? {} : check.object(config.metadata, 'metadata'),
  };
}

const SIZE_FIELDS = ['vocabSize', 'embeddingDim', 'hiddenSize', 'numLayers'] as const;

/** Parameters of the model a config describes (`textModelMemory`). */
export const parameterCount = (model: TextModelSizes): number => textModelMemory(model, { batch: 0, seqLength: 0 }).parameters;

/** The size field that makes the model largest: the one whose reduction to 1 shrinks it most. */
function dominantField(model: TextGenerationModelConfig): (typeof SIZE_FIELDS)[number] {
  let best: (typeof SIZE_FIELDS)[number] = 'hiddenSize';
  let smallest = Number.POSITIVE_INFINITY;
  for (const field of SIZE_FIELDS) {
    const count = parameterCount({ ...model, [field]: 1 });
    if (count < smallest) [best, smallest] = [field, count];
  }
  return best;
}

const bytesPerElement = (model: TextGenerationModelConfig): number => (model.dtype === 'float64' ? 8 : 4);

/**
 * The model `config.json` describes must fit the weights file and the machine, checked before it is
 * built: every parameter takes at least one byte of `model.safetensors` (even stored as U8), and
 * loading holds it about four times (the model, the tensors read from the file, Adam's two moments).
 */
export function checkModelSize(model: TextGenerationModelConfig, weightsBytes: number, check: FileCheck): void {
  const elements = parameterCount(model);
  const bytes = elements * bytesPerElement(model);
  const budget = memoryBudgetBytes();
  if (elements <= weightsBytes && 4 * bytes <= budget) return;
  const field = dominantField(model);
  const sizes = SIZE_FIELDS.map((key) => `${key} ${model[key]}`).join(', ');
  const against =
    elements > weightsBytes
      ? `but 'model.safetensors' holds only ${formatBytes(weightsBytes)}, less than one byte per parameter`
      : `and loading it needs about ${formatBytes(4 * bytes)}, more than the ${formatBytes(budget)} this machine can give`;
  throw new CheckpointError(
    `loadCheckpoint: '${check.file}' in '${check.dir}': model.${field} ${model[field]} describes a model of ` +
      `${elements} parameters (${sizes}), ${formatBytes(bytes)} as ${model.dtype}, ${against}`,
    check.dir,
  );
}

// ---- trainer.json, history.json, optimizer.safetensors ------------------------------------------

function readSettings(value: unknown, check: FileCheck): TrainerSettings {
  const s = check.object(value, 'settings');
  const positive = (key: string) => check.integer(s[key], `settings.${key}`, 1);
  const decay = check.nullable(s.lrDecay ?? null, (v) => {
    const d = check.object(v, 'settings.lrDecay');
    return { gamma: check.number(d.gamma, 'settings.lrDecay.gamma', true), every: check.integer(d.every, 'settings.lrDecay.every', 1) };
  });
  return {
    batchSize: positive('batchSize'),
    lr: check.number(s.lr, 'settings.lr', true),
    maxNorm: check.nullable(s.maxNorm ?? null, (v) => check.number(v, 'settings.maxNorm', true)),
    lrDecay: decay,
    seed: check.integer(s.seed, 'settings.seed', Number.MIN_SAFE_INTEGER),
    evalBatchSize: positive('evalBatchSize'),
    evalMaxBatches: check.nullable(s.evalMaxBatches ?? null, (v) => check.integer(v, 'settings.evalMaxBatches', 1)),
  };
}

/**
 * The batch sizes of `trainer.json` must fit the machine: a batch holds B·T·(E + 8·L·H + 3·V)
 * activations forward and as many gradients backward (T from `config.json`'s seqLength).
 */
function checkBatchMemory(settings: TrainerSettings, model: TextGenerationModelConfig, seqLength: number, check: FileCheck): void {
  const field = settings.batchSize >= settings.evalBatchSize ? 'batchSize' : 'evalBatchSize';
  const bytes = textModelMemory(model, { batch: settings[field], seqLength }).activations * bytesPerElement(model);
  const budget = memoryBudgetBytes();
  if (bytes > budget) {
    throw new CheckpointError(
      `loadCheckpoint: '${check.file}' in '${check.dir}': settings.${field} ${settings[field]} with T = ${seqLength} would need ` +
        `about ${formatBytes(bytes)} of activations, more than the ${formatBytes(budget)} this machine can give`,
      check.dir,
    );
  }
}

function readGenerator(value: unknown, field: string, check: FileCheck): GeneratorState {
  const g = check.object(value, field);
  const words = check.array(g.s, `${field}.s`);
  // 32-bit words, signed or not (the generator reads them as `word >>> 0`)
  if (words.length !== 4 || !words.every((w) => Number.isInteger(w) && (w as number) >= -(2 ** 31) && (w as number) < 2 ** 32)) {
    check.fail(`${field}.s`, 'four 32-bit integers', words);
  }
  return {
    s: words as GeneratorState['s'],
    spareNormal: check.nullable(g.spareNormal ?? null, (v) => check.number(v, `${field}.spareNormal`)),
    seed: check.number(g.seed, `${field}.seed`),
  };
}

function readScheduler(value: unknown, check: FileCheck): optim.LRSchedulerStateDict {
  const s = check.object(value, 'scheduler');
  const numbers = (key: string) => check.array(s[key], `scheduler.${key}`).map((v, i) => check.number(v, `scheduler.${key}.${i}`));
  const out: optim.LRSchedulerStateDict = {
    ...s,
    lastEpoch: check.integer(s.lastEpoch, 'scheduler.lastEpoch', -1),
    baseLrs: numbers('baseLrs'),
    lastLr: numbers('lastLr'),
  };
  if (s.stepSize !== undefined) check.integer(s.stepSize, 'scheduler.stepSize', 1);
  if (s.gamma !== undefined) check.number(s.gamma, 'scheduler.gamma', true);
  return out;
}

/** A hyper-parameter of a saved parameter group: a finite number, a boolean, null, or a list of numbers (Adam's betas). */
function readHyperValue(value: unknown, field: string, check: FileCheck): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v, i) => check.number(v, `${field}.${i}`));
  return check.number(value, field);
}

/** The optimizer state of `trainer.json`, its tensors (`{ tensor: name }`) taken from `optimizer.safetensors`. */
function readOptimizer(value: unknown, tensors: Record<string, Tensor>, check: FileCheck): optim.OptimizerStateDict {
  const saved = check.object(value, 'optimizer');
  const paramGroups = check.array(saved.paramGroups, 'optimizer.paramGroups').map((item, g) => {
    const group = check.object(item, `optimizer.paramGroups.${g}`);
    const out: JsonObject = {};
    for (const [key, hyper] of Object.entries(group)) {
      if (key !== 'params') setOwn(out, key, readHyperValue(hyper, `optimizer.paramGroups.${g}.${key}`, check));
    }
    const params = check.array(group.params, `optimizer.paramGroups.${g}.params`);
    return { ...out, params: params.map((p, k) => check.integer(p, `optimizer.paramGroups.${g}.params.${k}`, 0)) };
  });
  const state: optim.OptimizerStateDict['state'] = {};
  for (const [index, item] of Object.entries(check.object(saved.state, 'optimizer.state'))) {
    if (!/^(0|[1-9]\d{0,8})$/.test(index)) check.fail(`optimizer.state key '${index}'`, 'a parameter index', index);
    const entry = check.object(item, `optimizer.state.${index}`);
    const restored: Record<string, optim.StateDictValue | null> = {};
    for (const [key, saved] of Object.entries(entry)) {
      const field = `optimizer.state.${index}.${key}`;
      if (saved === null || typeof saved === 'number') {
        setOwn(restored, key, saved);
        continue;
      }
      const name = check.object(saved, field).tensor;
      if (typeof name !== 'string') check.fail(`${field}.tensor`, 'the name of a tensor', name);
      if (!Object.hasOwn(tensors, name)) {
        throw new CheckpointError(`loadCheckpoint: optimizer.safetensors in '${check.dir}' has no tensor '${name}' (${field})`, check.dir);
      }
      setOwn(restored, key, tensors[name]!);
    }
    state[Number(index)] = restored;
  }
  return { paramGroups: paramGroups as optim.OptimizerStateDict['paramGroups'], state };
}

function readHistory(value: unknown, check: FileCheck): TrainingHistory {
  const history = check.object(value, 'the history');
  const points = <T>(key: 'train' | 'validation'): T[] =>
    check.array(history[key], key).map((item, i) => {
      const point = check.object(item, `${key}.${i}`);
      for (const [field, v] of Object.entries(point)) {
        // JSON keeps a NaN loss as null
        if (v !== null && typeof v !== 'number') check.fail(`${key}.${i}.${field}`, 'a number or null', v);
      }
      return point as T;
    });
  return { train: points('train'), validation: points('validation') };
}

/**
 * The trainer state of a checkpoint: `trainer.json` (with `optimizer.safetensors`'s tensors) and
 * `history.json`, each field checked, the batch sizes checked against the machine's memory.
 */
export function readTrainerState(
  trainer: unknown,
  history: unknown,
  tensors: Record<string, Tensor>,
  config: CheckpointConfigFields,
  checks: { trainer: FileCheck; history: FileCheck },
): TrainerState {
  const check = checks.trainer;
  const saved = check.object(trainer, 'the trainer state');
  if (saved.format !== 'tensorloom.textgen-trainer' || saved.version !== 1) {
    check.fail('format and version', "'tensorloom.textgen-trainer' version 1", { format: saved.format, version: saved.version });
  }
  const settings = readSettings(saved.settings, check);
  checkBatchMemory(settings, config.model, config.seqLength ?? 1, check);
  const generators = check.object(saved.generators, 'generators');
  return {
    format: 'tensorloom.textgen-trainer',
    version: 1,
    step: check.integer(saved.step, 'step', 0),
    settings,
    optimizer: readOptimizer(saved.optimizer, tensors, check),
    scheduler: check.nullable(saved.scheduler ?? null, (v) => readScheduler(v, check)),
    generators: {
      data: readGenerator(generators.data, 'generators.data', check),
      sample: readGenerator(generators.sample, 'generators.sample', check),
      model: readGenerator(generators.model, 'generators.model', check),
      dataIsModel: check.boolean(generators.dataIsModel ?? false, 'generators.dataIsModel'),
    },
    history: readHistory(history, checks.history),
  };
}
