/** `model.py`: the Python definitions a model's handlers need, their builders, and the loader. */
import type { nn } from '@tensorloom/core-tensor';
import { PYTORCH_HANDLERS } from './handlers/index.js';
import { SAFETENSORS_PY, loaderPython, pythonHeader } from './python/runtime.js';
import { walkModule, type PythonDefinition, type PytorchSpecNode, type PytorchWalkOptions } from './spec.js';

/** A module tree as PyTorch code: its spec (config.json's `model`) and the source of `model.py`. */
export interface PytorchModule {
  /** The spec tree: `build_model(spec)` in `modelPy` builds the module. */
  readonly spec: PytorchSpecNode;
  /** The source of `model.py`: only the classes the tree uses, the safetensors helpers, `build_model` and `load`. */
  readonly modelPy: string;
  /** The spec types the tree uses, in first-use order. */
  readonly types: readonly string[];
}

/** Definitions in dependency order, each once. */
function orderDefinitions(definitions: readonly PythonDefinition[]): PythonDefinition[] {
  const out: PythonDefinition[] = [];
  const seen = new Set<string>();
  const add = (definition: PythonDefinition): void => {
    if (seen.has(definition.name)) return;
    seen.add(definition.name);
    definition.requires?.forEach(add);
    out.push(definition);
  };
  definitions.forEach(add);
  return out;
}

const indent = (code: string): string =>
  code
    .split('\n')
    .map((line) => (line === '' ? '' : `    ${line}`))
    .join('\n');

/**
 * The PyTorch form of any tree of supported modules (`exportPytorch` uses it for whole models):
 * the spec and a `model.py` that builds it. The supported classes are core-tensor's `Linear`,
 * `Embedding`, `Dropout`, `Identity`, `Flatten`, activations, `Sequential`, `ModuleList`; rnn's `RNN`,
 * `GRU`; lstm's `LSTM`; textgen's `TextGenerationModel`; gnn's `GNN` (`GCN`, `GAT`), `GCNConv`,
 * `GATConv`. Another module is an `ExportError` naming its path, its type and the supported types.
 *
 * @example
 * const { spec, modelPy } = pytorchModule(new nn.Sequential(new nn.Linear({ inFeatures: 4, outFeatures: 2 }), new nn.Tanh()));
 * spec.modules?.['0']?.type  // 'Linear'
 */
export function pytorchModule(module: nn.AnyModule, options: PytorchWalkOptions = {}): PytorchModule {
  const pyg = options.pyg ?? false;
  const { spec, handlers } = walkModule(module, PYTORCH_HANDLERS, { pyg });
  const definitions = orderDefinitions(handlers.flatMap((h) => h.definitions(pyg)));
  const builders = new Map<string, string>();
  for (const h of handlers) if (!builders.has(h.type)) builders.set(h.type, h.builder(pyg));
  const types = [...builders.keys()];
  const builderSource = [...builders].map(([type, body]) => `def build_${type}(options, modules):\n${indent(body)}`);
  const title = `A tensorloom ${module.typeName} as a PyTorch module${pyg ? ' (graph layers from PyTorch Geometric)' : ''}.`;
  const parts = [pythonHeader(title), SAFETENSORS_PY, ...definitions.map((d) => d.source), ...builderSource, loaderPython(types)];
  return { spec, modelPy: `${parts.join('\n\n\n')}\n`, types };
}
