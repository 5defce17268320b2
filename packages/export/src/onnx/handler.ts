/**
 * The module-tree walk of the ONNX exporter: each module is written by the handler of its class
 * (an `instanceof` test), which emits its nodes given the names of its input values and returns
 * the names of its outputs, walking into its children through the context.
 */
import type { Tensor, nn } from '@tensorloom/core-tensor';
import { ExportError } from '../errors.js';
import type { OnnxAttributeInput, OnnxGraphBuilder } from './graph-builder.js';

/** What a handler's `emit` may use: the graph, its place in the tree, its tensors and its children. */
export interface OnnxEmitContext {
  /** The module's path in the tree ('' for the root, else `convs.1`): the scope of its node and value names. */
  readonly path: string;
  readonly graph: OnnxGraphBuilder;
  /** Adds the node `opType(inputs)` in this module's scope; its single output's name. */
  op(
    opType: string,
    inputs: readonly string[],
    options?: { hint?: string; attributes?: Readonly<Record<string, OnnxAttributeInput>> },
  ): string;
  /** As `op` for a node with `outputs` outputs. */
  ops(
    opType: string,
    inputs: readonly string[],
    outputs: number,
    options?: { hint?: string; attributes?: Readonly<Record<string, OnnxAttributeInput>> },
  ): string[];
  /** The initializer of this module's own parameter or buffer `name`, under its state-dict name (`convs.0.lin.weight`). */
  tensor(name: string): string;
  /** Whether this module has the parameter or buffer `name` (not null). */
  has(name: string): boolean;
  /** Emits the child module registered as `name` on `inputs`; its outputs. */
  child(name: string, inputs: readonly string[]): string[];
}

/** Writes the modules of one class. */
export interface OnnxHandler<M extends nn.AnyModule = nn.AnyModule> {
  /** The class name, as errors list the supported types. */
  readonly type: string;
  /** Whether the handler takes this module (an `instanceof` test). */
  matches(module: nn.AnyModule): module is M;
  /** Emits the module's nodes on the values `inputs`; returns its output values. */
  emit(module: M, inputs: readonly string[], context: OnnxEmitContext): string[];
}

/**
 * Emits `module` (at `path`) on `inputs` with the first handler that matches it, and its children
 * likewise; a module no handler takes is an ExportError naming its path, its type and the
 * supported types.
 */
export function emitModule(
  graph: OnnxGraphBuilder,
  handlers: readonly OnnxHandler[],
  module: nn.AnyModule,
  path: string,
  inputs: readonly string[],
): string[] {
  const handler = handlers.find((h) => h.matches(module));
  if (handler === undefined) {
    const where = path === '' ? 'the model itself' : `'${path}'`;
    throw new ExportError(
      `onnx: cannot export ${where}, a ${module.typeName}: no ONNX handler for that type ` +
        `(supported: ${supportedTypes(handlers).join(', ')})`,
    );
  }
  const scoped = (name: string): string => (path === '' ? name : `${path}.${name}`);
  const context: OnnxEmitContext = {
    path,
    graph,
    op: (opType, opInputs, options = {}) => graph.node(opType, opInputs, { scope: path, ...options })[0]!,
    ops: (opType, opInputs, outputs, options = {}) => graph.node(opType, opInputs, { scope: path, outputs, ...options }),
    tensor: (name) => {
      const tensor = ownTensor(module, name);
      if (tensor === null) throw new ExportError(`onnx: ${module.typeName} at '${path}' has no tensor '${name}'`);
      return graph.initializer(scoped(name), tensor);
    },
    has: (name) => ownTensor(module, name) !== null,
    child: (name, childInputs) => {
      let child: nn.AnyModule;
      try {
        child = module.getSubmodule(name);
      } catch {
        throw new ExportError(`onnx: ${module.typeName} at '${path}' has no child module '${name}'`);
      }
      return emitModule(graph, handlers, child, scoped(name), childInputs);
    },
  };
  return handler.emit(module, inputs, context);
}

/** The module's own parameter or buffer `name`, or null (registered as null, or absent). */
function ownTensor(module: nn.AnyModule, name: string): Tensor | null {
  const parameters = module.namedParameters({ recurse: false });
  const found = parameters.find(([key]) => key === name) ?? module.namedBuffers({ recurse: false }).find(([key]) => key === name);
  return found === undefined ? null : found[1];
}

/** The types the handlers write, without repeats, in handler order. */
export function supportedTypes(handlers: readonly OnnxHandler[]): string[] {
  return [...new Set(handlers.map((h) => h.type))];
}
