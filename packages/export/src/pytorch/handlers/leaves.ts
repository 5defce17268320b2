/**
 * Handlers of core-tensor's layers that torch.nn has as they are: Linear, Embedding, Dropout,
 * Identity, Flatten, the activations, Sequential and ModuleList.
 */
import { nn } from '@tensorloom/core-tensor';
import { GraphLinear } from '@tensorloom/gnn';
import type { PytorchHandler, PytorchSpecNode, WalkContext } from '../spec.js';

type AnyModule = nn.AnyModule;
type ModuleClass<M> = abstract new (...args: never[]) => M;

/**
 * A handler for the modules of `cls` (and its subclasses): a spec node of `type` with the options
 * `options` reads, built in Python by `builder` (statements over the dicts `options` and
 * `modules`); `extra.spec` replaces the node (to walk children), `extra.definitions` adds Python.
 */
export function handler<M extends AnyModule>(
  type: string,
  cls: ModuleClass<M>,
  options: (module: M, context: WalkContext) => Record<string, unknown>,
  builder: string,
  extra: Partial<Pick<PytorchHandler, 'definitions' | 'spec'>> = {},
): PytorchHandler {
  return {
    type,
    matches: (module) => module instanceof cls,
    spec: extra.spec ?? ((module, context): PytorchSpecNode => ({ type, options: options(module as M, context) })),
    definitions: extra.definitions ?? (() => []),
    builder: () => builder,
  };
}

/**
 * `return callee(args…)` as Python: on one line when short, else one argument a line (black's style).
 * @example pythonReturn('nn.Linear', ["options['inFeatures']", "options['outFeatures']"])
 */
export function pythonReturn(callee: string, args: readonly string[]): string {
  const line = `return ${callee}(${args.join(', ')})`;
  return line.length <= 100 ? line : `return ${callee}(\n${args.map((arg) => `    ${arg},`).join('\n')}\n)`;
}

/** A parameter-free activation that torch.nn has under the same name. */
const plain = (type: string, cls: ModuleClass<AnyModule>): PytorchHandler => handler(type, cls, () => ({}), `return nn.${type}()`);

/** `nn.Linear`: weight `[out, in]`, bias `[out]`. */
const LINEAR = handler(
  'Linear',
  nn.Linear,
  (m) => ({ inFeatures: m.inFeatures, outFeatures: m.outFeatures, bias: m.bias !== null }),
  "return nn.Linear(options['inFeatures'], options['outFeatures'], bias=options['bias'])",
);

/** gnn's `GraphLinear` (a Linear with PyG's initialisers: the maths and names of `nn.Linear`). */
const GRAPH_LINEAR = handler(
  'Linear',
  GraphLinear,
  (m) => ({ inFeatures: m.inFeatures, outFeatures: m.outFeatures, bias: m.bias !== null }),
  "return nn.Linear(options['inFeatures'], options['outFeatures'], bias=options['bias'])",
);

const EMBEDDING = handler(
  'Embedding',
  nn.Embedding,
  (m) => ({ numEmbeddings: m.numEmbeddings, embeddingDim: m.embeddingDim, paddingIdx: m.paddingIdx ?? null }),
  "return nn.Embedding(options['numEmbeddings'], options['embeddingDim'], padding_idx=options['paddingIdx'])",
);

/** Sequential: children in order (the order is kept in `options.order`, since JSON objects list integer-like keys first). */
const SEQUENTIAL = handler(
  'Sequential',
  nn.Sequential,
  () => ({}),
  "return nn.Sequential(collections.OrderedDict((name, modules[name]) for name in options['order']))",
  {
    spec: (module, context) => {
      const modules = context.children();
      return { type: 'Sequential', options: { order: module.namedChildren().map(([name]) => name) }, modules };
    },
  },
);

const MODULE_LIST = handler(
  'ModuleList',
  nn.ModuleList,
  () => ({}),
  'return nn.ModuleList([modules[str(i)] for i in range(len(modules))])',
  {
    spec: (_module, context) => ({ type: 'ModuleList', options: {}, modules: context.children() }),
  },
);

/** The handlers of core-tensor's `nn` layers (and gnn's GraphLinear). */
export const LEAF_HANDLERS: readonly PytorchHandler[] = [
  LINEAR,
  GRAPH_LINEAR,
  EMBEDDING,
  handler('Dropout', nn.Dropout, (m) => ({ p: m.p }), "return nn.Dropout(options['p'])"),
  plain('Identity', nn.Identity),
  handler(
    'Flatten',
    nn.Flatten,
    (m) => ({ startDim: m.startDim, endDim: m.endDim }),
    "return nn.Flatten(options['startDim'], options['endDim'])",
  ),
  plain('ReLU', nn.ReLU),
  plain('Tanh', nn.Tanh),
  plain('Sigmoid', nn.Sigmoid),
  plain('SiLU', nn.SiLU),
  handler('GELU', nn.GELU, (m) => ({ approximate: m.approximate }), "return nn.GELU(approximate=options['approximate'])"),
  handler('LeakyReLU', nn.LeakyReLU, (m) => ({ negativeSlope: m.negativeSlope }), "return nn.LeakyReLU(options['negativeSlope'])"),
  handler('ELU', nn.ELU, (m) => ({ alpha: m.alpha }), "return nn.ELU(options['alpha'])"),
  handler(
    'Softplus',
    nn.Softplus,
    (m) => ({ beta: m.beta, threshold: m.threshold }),
    "return nn.Softplus(beta=options['beta'], threshold=options['threshold'])",
  ),
  handler('Softmax', nn.Softmax, (m) => ({ dim: m.dim }), "return nn.Softmax(dim=options['dim'])"),
  handler('LogSoftmax', nn.LogSoftmax, (m) => ({ dim: m.dim }), "return nn.LogSoftmax(dim=options['dim'])"),
  SEQUENTIAL,
  MODULE_LIST,
];
