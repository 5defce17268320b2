/**
 * The module-tree walk behind the PyTorch exporter: each tensorloom module becomes a JSON spec node
 * (`config.json`'s `model`) by the handler of its class, and the handlers used say which Python
 * definitions `model.py` needs.
 */
import type { nn } from '@tensorloom/core-tensor';
import { ExportError } from '../errors.js';

/**
 * One module of an exported model as `config.json` describes it: its type (a key of `model.py`'s
 * `BUILDERS`), its options (tensorloom's names, JSON values) and its child modules by attribute name.
 * `build_model(spec)` in `model.py` builds the children first, then the module from them.
 */
export interface PytorchSpecNode {
  readonly type: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly modules?: Readonly<Record<string, PytorchSpecNode>>;
}

/** What the walk asks of a model. */
export interface PytorchWalkOptions {
  /** Use PyTorch Geometric's `GCNConv`/`GATConv` instead of the self-contained classes. Default false. */
  pyg?: boolean;
}

/** A piece of `model.py`: a class or function definition, written once however many modules use it. */
export interface PythonDefinition {
  /** Unique name of the piece (the class or function it defines). */
  readonly name: string;
  /** Pieces that must come before this one. */
  readonly requires?: readonly PythonDefinition[];
  /** The Python source, at module level, without trailing blank lines. */
  readonly source: string;
}

/** What a handler's `spec` may call: the walk into a child module, and where it stands. */
export interface WalkContext {
  /** The module's path in the tree ('' for the root, else `convs.1`). */
  readonly path: string;
  readonly pyg: boolean;
  /** The spec of the child registered as `name` (walked by its own handler). */
  child(name: string): PytorchSpecNode;
  /** The specs of every registered child, in registration order. */
  children(): Record<string, PytorchSpecNode>;
}

/**
 * Turns the modules of one class into spec nodes and says how `model.py` builds them:
 * `builder` is the body of `def build_<type>(options, modules):` (indented by the caller).
 */
export interface PytorchHandler {
  /** The spec's `type`: the key of the builder in `model.py`. */
  readonly type: string;
  /** Whether the handler takes this module (an `instanceof` test). */
  matches(module: nn.AnyModule): boolean;
  /** The spec node of a module it matches. */
  spec(module: nn.AnyModule, context: WalkContext): PytorchSpecNode;
  /** The definitions `model.py` needs for this type (`pyg`: PyTorch Geometric's classes are used). */
  definitions(pyg: boolean): readonly PythonDefinition[];
  /** Python statements building the module from `options` (a dict) and `modules` (built children, a dict). */
  builder(pyg: boolean): string;
}

/** The result of a walk: the spec tree and the handlers it used, in first-use order. */
export interface PytorchWalk {
  readonly spec: PytorchSpecNode;
  readonly handlers: readonly PytorchHandler[];
}

/**
 * Walks `module` with `handlers` (the first whose `matches` holds takes a module). A module no
 * handler takes is an `ExportError` naming its path, its type and the supported types.
 */
export function walkModule(module: nn.AnyModule, handlers: readonly PytorchHandler[], options: PytorchWalkOptions = {}): PytorchWalk {
  const pyg = options.pyg ?? false;
  const used: PytorchHandler[] = [];
  const visit = (current: nn.AnyModule, path: string): PytorchSpecNode => {
    const handler = handlers.find((h) => h.matches(current));
    if (handler === undefined) {
      const supported = [...new Set(handlers.map((h) => h.type))].join(', ');
      throw new ExportError(
        `exportPytorch: the module at ${path === '' ? 'the root' : `'${path}'`} is a ${current.typeName}, ` +
          `which the PyTorch exporter does not support (supported: ${supported})`,
      );
    }
    if (!used.includes(handler)) used.push(handler);
    const childPath = (name: string): string => (path === '' ? name : `${path}.${name}`);
    const context: WalkContext = {
      path,
      pyg,
      child: (name) => visit(current.getSubmodule(name), childPath(name)),
      children: () => Object.fromEntries(current.namedChildren().map(([name, child]) => [name, visit(child, childPath(name))])),
    };
    return handler.spec(current, context);
  };
  const spec = visit(module, '');
  return { spec, handlers: used };
}

/** The first path where two spec trees differ (`''` for the roots), or undefined when they are equal. */
export function specDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return path;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const found = specDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      path === '' ? key : `${path}.${key}`,
    );
    if (found !== undefined) return found;
  }
  return undefined;
}
