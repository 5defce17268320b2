/** `exportPytorch`: a tensorloom model as a folder of PyTorch files, in memory. */
import { serializeSafetensors, type FloatDType, type nn } from '@tensorloom/core-tensor';
import { GNN } from '@tensorloom/gnn';
import { TextGenerationModel, type CharTokenizer } from '@tensorloom/textgen';
import { ExportError } from '../errors.js';
import type { ExportBundle, ExportedFile } from '../files.js';
import { pytorchModule } from './model-py.js';
import { TRAIN_DDP_PY } from './python/train-ddp.js';
import { pytorchReadme } from './readme.js';
import type { PytorchSpecNode } from './spec.js';

/** The `format` of an export's `config.json`. */
export const PYTORCH_EXPORT_FORMAT = 'tensorloom.pytorch-export';

/** An export's `config.json`. */
export interface PytorchExportConfig {
  format: typeof PYTORCH_EXPORT_FORMAT;
  version: 1;
  /** 'textgen' (a `TextGenerationModel`) or 'gnn' (a `GNN`, `GCN` or `GAT`). */
  kind: 'textgen' | 'gnn';
  /** The parameters' dtype. */
  dtype: FloatDType;
  /** Whether `model.py` uses PyTorch Geometric's graph layers. */
  pyg: boolean;
  /**
   * The module tree: the root's options rebuild the tensorloom model (a textgen model's config, a
   * GNN's options), and every node tells `model.py`'s `build_model` what to build.
   */
  model: PytorchSpecNode;
  /** The caller's JSON data. */
  metadata: Record<string, unknown>;
}

export interface PytorchExportOptions {
  /** The text model's tokenizer: required for a `TextGenerationModel` (written as `vocab.json`). */
  tokenizer?: CharTokenizer;
  /**
   * Use PyTorch Geometric's `GCNConv` / `GATConv` in `model.py` instead of the self-contained classes
   * (same parameter names). A GATConv with `attentionBias` or per-head dropout is refused: PyG has
   * neither. Only graph models have such layers; other models ignore it. Default false.
   */
  pyg?: boolean;
  /** JSON-safe data kept in `config.json` (and in the checkpoints `train_ddp.py` writes). */
  metadata?: Record<string, unknown>;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The one dtype of the model's parameters (an ExportError when they mix). */
function parameterDtype(model: nn.AnyModule): FloatDType {
  const dtypes = new Set(model.parameters().map((p) => p.dtype));
  if (dtypes.size > 1)
    throw new ExportError(`exportPytorch: the model's parameters mix dtypes (${[...dtypes].join(', ')}); convert it with .to() first`);
  const [dtype = 'float32'] = dtypes;
  if (dtype !== 'float32' && dtype !== 'float64') throw new ExportError(`exportPytorch: parameters of dtype ${dtype} cannot be exported`);
  return dtype;
}

/**
 * A tensorloom model as PyTorch files (nothing is written: `writeExportFolder` from
 * `@tensorloom/export/node` writes the bundle, or a browser offers the files):
 *
 * - `model.py`: the model as a `torch.nn.Module` (only the classes it uses), `build_model(spec)`,
 *   `load(folder) -> (model, config)` (weights loaded with `strict=True`), `load_safetensors`,
 *   `save_safetensors`; only torch is needed (PyTorch Geometric with `pyg`).
 * - `config.json` (`PytorchExportConfig`): the module tree, the dtype, `metadata`.
 * - `model.safetensors`: `model.stateDict()` under its names (PyTorch's).
 * - `README.md`: how to load, run and (text models) train with torchrun.
 * - Text models also `vocab.json` (the tokenizer) and `train_ddp.py` (DistributedDataParallel
 *   training that writes tensorloom textgen checkpoints).
 *
 * The model is a `TextGenerationModel` (with `options.tokenizer`) or a `GNN` (`GCN`, `GAT`) of
 * `GCNConv` or `GATConv` layers; anything else, or a layer without a PyTorch counterpart, is an
 * `ExportError` naming the module's path, its type and the supported types (`pytorchModule` exports
 * other trees of supported modules, without the bundle).
 *
 * @example
 * const bundle = exportPytorch(model, { tokenizer, metadata: { corpus: 'moby-dick' } });
 * await writeExportFolder('exports/moby', bundle); // then: torchrun --standalone --nproc_per_node 2 exports/moby/train_ddp.py …
 */
export function exportPytorch(model: nn.AnyModule, options: PytorchExportOptions = {}): ExportBundle {
  const { tokenizer, metadata = {} } = options;
  let kind: 'textgen' | 'gnn';
  if (model instanceof TextGenerationModel) {
    kind = 'textgen';
    if (tokenizer === undefined)
      throw new ExportError(
        'exportPytorch: a TextGenerationModel needs options.tokenizer (written as vocab.json for train_ddp.py and sampling)',
      );
    if (tokenizer.vocabSize !== model.vocabSize)
      throw new ExportError(`exportPytorch: the model predicts ${model.vocabSize} ids but the tokenizer has ${tokenizer.vocabSize}`);
  } else if (model instanceof GNN) {
    kind = 'gnn';
  } else {
    throw new ExportError(
      `exportPytorch: exports a TextGenerationModel or a GNN (GCN, GAT), got a ${model.typeName}; ` +
        'pytorchModule(module) gives model.py and the spec of another tree of supported modules',
    );
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    throw new ExportError(`exportPytorch: metadata must be a JSON object, got ${Array.isArray(metadata) ? 'an array' : String(metadata)}`);
  const pyg = kind === 'gnn' && (options.pyg ?? false);
  const dtype = parameterDtype(model);
  const { spec, modelPy } = pytorchModule(model, { pyg });
  const config: PytorchExportConfig = { format: PYTORCH_EXPORT_FORMAT, version: 1, kind, dtype, pyg, model: spec, metadata };
  const readme = pytorchReadme({
    kind,
    typeName: model.typeName,
    pyg,
    dtype,
    parameterCount: model.numParameters(),
    ...(model instanceof GNN ? { dropoutPlacement: model.dropoutPlacement } : {}),
  });
  const files: ExportedFile[] = [
    { name: 'model.py', contents: modelPy, description: 'the model as a torch.nn.Module, with load() and a safetensors reader' },
    { name: 'config.json', contents: json(config), description: "the model's module tree, dtype and metadata" },
    {
      name: 'model.safetensors',
      contents: serializeSafetensors(model.stateDict(), { metadata: { format: 'pt' } }),
      description: "the weights under PyTorch's names",
    },
  ];
  if (kind === 'textgen') {
    files.push(
      { name: 'vocab.json', contents: json(tokenizer!.toJSON()), description: 'the characters in id order (the tokenizer)' },
      {
        name: 'train_ddp.py',
        contents: TRAIN_DDP_PY,
        description: 'training with DistributedDataParallel (torchrun), writing tensorloom checkpoints',
      },
    );
  }
  files.push({ name: 'README.md', contents: readme, description: 'how to load, run and train the model' });
  return { kind, files };
}
