/**
 * Reading the `config.json` that comes with PyTorch weights: an export's (`exportPytorch`) or a
 * textgen checkpoint's (`train_ddp.py` writes those), and the tensorloom model it describes.
 */
import { Generator, type FloatDType } from '@tensorloom/core-tensor';
import { GNN, type GNNOptions } from '@tensorloom/gnn';
import { DEFAULT_MODEL_CONFIG, TextGenerationModel, type CheckpointConfig, type TextGenerationModelConfig } from '@tensorloom/textgen';
import { ExportError } from '../errors.js';
import { PYTORCH_EXPORT_FORMAT, type PytorchExportConfig } from '../pytorch/export.js';
import { PYTORCH_HANDLERS } from '../pytorch/handlers/index.js';
import { specDifference, walkModule } from '../pytorch/spec.js';

const CHECKPOINT_FORMAT = 'tensorloom.textgen-checkpoint';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value for a message: short JSON. */
export function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `error` with `cause` set (what a library call threw, under the ExportError that says where). */
export function withCause<E extends Error>(error: E, cause: unknown): E {
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  return error;
}

/** What the config describes: the model, built with fresh weights, and the config itself. */
export type DescribedModel =
  | { kind: 'textgen'; model: TextGenerationModel; config: PytorchExportConfig | CheckpointConfig }
  | { kind: 'gnn'; model: GNN; config: PytorchExportConfig };

/** Runs `build`, turning what it throws into an ExportError saying which part of config.json failed. */
function building<T>(what: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    throw withCause(new ExportError(`importPytorch: ${what} in config.json do not build a model: ${(error as Error).message}`), error);
  }
}

/** A text model's config (an export's root options or a checkpoint's `model`), the defaults filled in. */
function textModelConfig(saved: unknown, field: string): TextGenerationModelConfig {
  if (!isObject(saved)) throw new ExportError(`importPytorch: config.json's ${field} must be an object, got ${describe(saved)}`);
  const given = (key: keyof TextGenerationModelConfig): unknown => (Object.hasOwn(saved, key) ? saved[key] : undefined);
  const config = { ...DEFAULT_MODEL_CONFIG, vocabSize: given('vocabSize') } as Record<string, unknown>;
  for (const key of ['embeddingDim', 'hiddenSize', 'numLayers', 'dropout', 'init', 'forgetBias', 'dtype'] as const) {
    const value = given(key);
    if (value !== undefined) config[key] = value;
  }
  for (const key of ['vocabSize', 'embeddingDim', 'hiddenSize', 'numLayers'] as const) {
    if (!Number.isSafeInteger(config[key]) || (config[key] as number) < 1)
      throw new ExportError(`importPytorch: config.json's ${field}.${key} must be a positive integer, got ${describe(config[key])}`);
  }
  if (config.dtype !== 'float32' && config.dtype !== 'float64')
    throw new ExportError(`importPytorch: config.json's ${field}.dtype must be 'float32' or 'float64', got ${describe(config.dtype)}`);
  return config as unknown as TextGenerationModelConfig;
}

/** The export's `model` spec must be the one its root options build: a hand-edited tree is caught here, not in Python. */
function checkSpec(config: PytorchExportConfig, model: TextGenerationModel | GNN): void {
  const rebuilt = walkModule(model, PYTORCH_HANDLERS).spec;
  const path = specDifference(config.model, JSON.parse(JSON.stringify(rebuilt)));
  if (path === undefined) return;
  const read = (root: unknown): unknown => path.split('.').reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), root);
  throw new ExportError(
    `importPytorch: config.json's model.${path} is ${describe(read(config.model))}, but the ${model.typeName} its options ` +
      `describe has ${describe(read(rebuilt))}; the module tree was changed after the export`,
  );
}

/** Parses config.json and builds the model it describes (weights freshly drawn from `Generator(0)`). */
export function describedModel(text: string): DescribedModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw withCause(new ExportError(`importPytorch: config.json is not valid JSON (${(error as Error).message})`), error);
  }
  if (!isObject(raw)) throw new ExportError(`importPytorch: config.json must be a JSON object, got ${describe(raw)}`);
  const generator = new Generator(0);
  if (raw.format === CHECKPOINT_FORMAT && raw.version === 1) {
    const modelConfig = textModelConfig(raw.model, 'model');
    const model = building('model', () => TextGenerationModel.fromConfig(modelConfig, { generator }));
    return { kind: 'textgen', model, config: raw as unknown as CheckpointConfig };
  }
  if (raw.format !== PYTORCH_EXPORT_FORMAT || raw.version !== 1) {
    throw new ExportError(
      `importPytorch: config.json is neither a tensorloom PyTorch export ('${PYTORCH_EXPORT_FORMAT}' version 1) nor a textgen ` +
        `checkpoint ('${CHECKPOINT_FORMAT}' version 1): format ${describe(raw.format)}, version ${describe(raw.version)}`,
    );
  }
  const spec = raw.model;
  if (!isObject(spec) || !isObject(spec.options))
    throw new ExportError(`importPytorch: config.json's model must be a module spec { type, options, modules }, got ${describe(spec)}`);
  const config = raw as unknown as PytorchExportConfig;
  let described: DescribedModel;
  if (raw.kind === 'textgen' && spec.type === 'TextGenerationModel') {
    const modelConfig = textModelConfig(spec.options, 'model.options');
    described = {
      kind: 'textgen',
      model: building('model.options', () => TextGenerationModel.fromConfig(modelConfig, { generator })),
      config,
    };
  } else if (raw.kind === 'gnn' && spec.type === 'GNN') {
    const options = { ...spec.options, generator } as unknown as GNNOptions;
    described = { kind: 'gnn', model: building('model.options', () => new GNN(options)), config };
  } else {
    throw new ExportError(
      `importPytorch: config.json describes kind ${describe(raw.kind)} with a root module ${describe(spec.type)}; ` +
        "expected kind 'textgen' with a TextGenerationModel or kind 'gnn' with a GNN",
    );
  }
  const dtype = described.model.parameters()[0]?.dtype as FloatDType | undefined;
  if (raw.dtype !== undefined && raw.dtype !== dtype)
    throw new ExportError(`importPytorch: config.json gives dtype ${describe(raw.dtype)} but its model options build ${dtype} parameters`);
  checkSpec(config, described.model);
  return described;
}
