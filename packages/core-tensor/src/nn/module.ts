/**
 * The base of every layer: a registry of parameters, buffers and child modules with PyTorch's
 * names and order, the train/eval flag, state dicts, dtype conversion and re-initialisation.
 *
 * The lifecycle is PyTorch's: a layer's constructor stores its hyper-parameters, registers its
 * parameters (uninitialised), then ends with `this.resetParameters()`, which holds all
 * initialisation and can be re-run later. A layer puts its own initialisation in
 * `resetOwnParameters(generator)`; `resetParameters()` calls it on this module and on every
 * descendant, so a composite module needs no code of its own to re-initialise its children.
 *
 * The registry is the one source of truth: a layer exposes its parameters through getters that
 * read it (`get weight(): Tensor { return this.getParameter('weight')! }`), so `to(dtype)`, which
 * has to replace tensors (a tensor's storage is read-only), never leaves a stale field behind.
 */
import { noGrad } from '../autograd.js';
import { isFloatDType, type DType, type FloatDType } from '../dtype.js';
import { DTypeError, StateDictError, ValueError, fmtShape } from '../errors.js';
import type { Generator } from '../random/generator.js';
import { shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { indentTail, quote } from './repr.js';

export { formatNumber } from './repr.js';
import type {
  LoadStateDictOptions,
  LoadStateDictResult,
  NamedOptions,
  RegisterBufferOptions,
  RegisterParameterOptions,
  ResetParametersOptions,
  ZeroGradOptions,
} from './module-options.js';
export type * from './module-options.js';

/** Any module, whatever its forward's signature. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = Module<any[], any>;

/**
 * The abstract base of layers. `In` is the tuple of `forward`'s arguments and `Out` its result,
 * so `Module<[Tensor, Tensor | undefined], [Tensor, Tensor]>` types a layer with an optional state.
 *
 * @example
 * class Affine extends Module {
 *   constructor(size: number) {
 *     super();
 *     this.registerParameter('scale', Tensor.empty([size], 'float32'));
 *     this.resetParameters();
 *   }
 *   get scale(): Tensor { return this.getParameter('scale')!; }
 *   protected override resetOwnParameters(): void { init.ones_(this.scale); }
 *   forward(x: Tensor): Tensor { return mul(x, this.scale); }
 * }
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** Training mode (true) or evaluation mode (false); switched by `train()` / `eval()`. */
  training = true;

  private readonly parameterEntries = new Map<string, Tensor | null>();
  private readonly bufferEntries = new Map<string, Tensor | null>();
  private readonly nonPersistentBuffers = new Set<string>();
  private readonly moduleEntries = new Map<string, AnyModule | null>();

  /** The computation. Call the module through `call(...)`, which runs it. */
  abstract forward(...args: In): Out;

  /** Runs `forward` (the single entry point, as calling a PyTorch module). */
  call(...args: In): Out {
    return this.forward(...args);
  }

  /** The name `toString` prints; the class name by default. */
  get typeName(): string {
    return this.constructor.name;
  }

  // ---- registration -----------------------------------------------------------------------------

  /**
   * Registers (or replaces) a parameter: a leaf float tensor that optimizers update. `null`
   * declares an absent optional parameter (as `bias=false`), skipped by `parameters()` and the
   * state dict. Sets `requiresGrad` on the tensor (true unless told otherwise).
   */
  registerParameter(name: string, tensor: Tensor | null, options: RegisterParameterOptions = {}): void {
    this.checkName('registerParameter', name, this.parameterEntries);
    if (tensor !== null) {
      if (!(tensor instanceof Tensor)) throw new ValueError(`registerParameter: '${name}' must be a Tensor or null`);
      if (!isFloatDType(tensor.dtype)) {
        throw new DTypeError(`registerParameter: parameter '${name}' must be float32 or float64, got ${tensor.dtype}`);
      }
      if (!tensor.isLeaf) {
        throw new ValueError(
          `registerParameter: '${name}' is the result of an op; register a leaf tensor (use detach() or clone().detach())`,
        );
      }
      tensor.requiresGrad = options.requiresGrad ?? true;
    }
    this.parameterEntries.set(name, tensor);
  }

  /**
   * Registers (or replaces) a buffer: state that is not trained (running statistics, masks).
   * A persistent buffer (the default) is part of the state dict, after the parameters.
   */
  registerBuffer(name: string, tensor: Tensor | null, options: RegisterBufferOptions = {}): void {
    this.checkName('registerBuffer', name, this.bufferEntries);
    if (tensor !== null && !(tensor instanceof Tensor)) throw new ValueError(`registerBuffer: '${name}' must be a Tensor or null`);
    this.bufferEntries.set(name, tensor);
    if (options.persistent ?? true) this.nonPersistentBuffers.delete(name);
    else this.nonPersistentBuffers.add(name);
  }

  /** Registers (or replaces) a child module; its tensors are named `name.<theirs>`. */
  registerModule<M extends AnyModule | null>(name: string, module: M): M {
    this.checkName('registerModule', name, this.moduleEntries);
    if (module !== null && !(module instanceof Module)) throw new ValueError(`registerModule: '${name}' must be a Module or null`);
    this.moduleEntries.set(name, module);
    return module;
  }

  private checkName(op: string, name: string, own: Map<string, unknown>): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new ValueError(`${op}: a name must be a non-empty string without '.', got '${String(name)}'`);
    }
    for (const kinds of [this.parameterEntries, this.bufferEntries, this.moduleEntries] as Map<string, unknown>[]) {
      if (kinds !== own && kinds.has(name))
        throw new ValueError(`${op}: '${name}' is already registered as another kind (parameter, buffer or module)`);
    }
  }

  // ---- look-ups ---------------------------------------------------------------------------------

  /**
   * The parameter at a dotted path (`'encoder.lin.weight'`); null when registered as null.
   * Throws a ValueError when there is none.
   */
  getParameter(target: string): Tensor | null {
    const { owner, name } = this.resolve('getParameter', target);
    if (!owner.parameterEntries.has(name))
      throw new ValueError(`getParameter: ${owner.typeName} has no parameter '${name}' (path '${target}')`);
    return owner.parameterEntries.get(name)!;
  }

  /** The buffer at a dotted path; null when registered as null. Throws a ValueError when there is none. */
  getBuffer(target: string): Tensor | null {
    const { owner, name } = this.resolve('getBuffer', target);
    if (!owner.bufferEntries.has(name)) throw new ValueError(`getBuffer: ${owner.typeName} has no buffer '${name}' (path '${target}')`);
    return owner.bufferEntries.get(name)!;
  }

  /** The descendant at a dotted path (`''` is this module). Throws a ValueError when there is none. */
  getSubmodule(target: string): AnyModule {
    let current: AnyModule = this as AnyModule;
    if (target === '') return current;
    for (const part of target.split('.')) {
      const next: AnyModule | null | undefined = current.moduleEntries.get(part);
      if (next === undefined || next === null)
        throw new ValueError(`getSubmodule: ${current.typeName} has no submodule '${part}' (path '${target}')`);
      current = next;
    }
    return current;
  }

  private resolve(op: string, target: string): { owner: AnyModule; name: string } {
    const cut = target.lastIndexOf('.');
    if (cut < 0) return { owner: this, name: target };
    try {
      return { owner: this.getSubmodule(target.slice(0, cut)), name: target.slice(cut + 1) };
    } catch (error) {
      if (error instanceof ValueError) throw new ValueError(`${op}: ${error.message}`);
      throw error;
    }
  }

  // ---- iteration --------------------------------------------------------------------------------

  /** The direct children, in registration order, with their names (null entries skipped). */
  namedChildren(): Array<[string, AnyModule]> {
    const out: Array<[string, AnyModule]> = [];
    const seen = new Set<AnyModule>();
    for (const [name, module] of this.moduleEntries) {
      if (module === null || seen.has(module)) continue;
      seen.add(module);
      out.push([name, module]);
    }
    return out;
  }

  /** The direct children, in registration order. */
  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module (named `prefix`, default '') and every descendant, depth-first in registration
   * order, with dotted names. A module reachable twice is listed once.
   */
  namedModules(options: { prefix?: string } = {}): Array<[string, AnyModule]> {
    const out: Array<[string, AnyModule]> = [];
    const seen = new Set<AnyModule>();
    const visit = (module: AnyModule, prefix: string): void => {
      if (seen.has(module)) return;
      seen.add(module);
      out.push([prefix, module]);
      for (const [name, child] of module.moduleEntries) {
        if (child !== null) visit(child, joinName(prefix, name));
      }
    };
    visit(this, options.prefix ?? '');
    return out;
  }

  /** This module and every descendant, depth-first. */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Parameters with dotted names (`0.weight`, `encoder.lin.bias`), own first then each child's
   * in registration order. A tensor shared by two modules is listed once, under its first name.
   */
  namedParameters(options: NamedOptions = {}): Array<[string, Tensor]> {
    return this.namedTensors((m) => m.parameterEntries, options);
  }

  /** The parameters (see `namedParameters`). */
  parameters(options: { recurse?: boolean } = {}): Tensor[] {
    return this.namedParameters(options).map(([, t]) => t);
  }

  /** Buffers with dotted names, persistent or not (see `namedParameters` for the order). */
  namedBuffers(options: NamedOptions = {}): Array<[string, Tensor]> {
    return this.namedTensors((m) => m.bufferEntries, options);
  }

  /** The buffers (see `namedBuffers`). */
  buffers(options: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(options).map(([, t]) => t);
  }

  private namedTensors(entries: (m: AnyModule) => Map<string, Tensor | null>, options: NamedOptions): Array<[string, Tensor]> {
    const { prefix = '', recurse = true } = options;
    const modules: Array<[string, AnyModule]> = recurse ? this.namedModules({ prefix }) : [[prefix, this]];
    const out: Array<[string, Tensor]> = [];
    const seen = new Set<Tensor>();
    for (const [modulePrefix, module] of modules) {
      for (const [name, t] of entries(module)) {
        if (t === null || seen.has(t)) continue;
        seen.add(t);
        out.push([joinName(modulePrefix, name), t]);
      }
    }
    return out;
  }

  /** The number of parameter elements (shared tensors counted once). */
  numParameters(options: { onlyTrainable?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) if (!options.onlyTrainable || p.requiresGrad) n += p.size;
    return n;
  }

  // ---- modes and gradients ----------------------------------------------------------------------

  /** Sets training mode on this module and every descendant (`mode = false` is `eval()`). */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: dropout off, as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Sets `requiresGrad` on every parameter (false freezes the module). */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /** Clears every parameter's gradient: drops it (default) or zeroes it in place. */
  zeroGrad(options: ZeroGradOptions = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) p.grad = null;
      else p.grad.data.fill(0);
    }
  }

  /** Calls `fn` on every descendant (children first, as PyTorch) and then on this module. */
  apply(fn: (module: AnyModule) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Re-initialises this module and every descendant by calling each one's `resetOwnParameters`
   * (parents before children). Each layer draws from the generator it was built with, unless
   * `generator` is given here, so re-seeding that generator replays the same values.
   */
  resetParameters(options: ResetParametersOptions = {}): this {
    for (const m of this.modules()) m.resetOwnParameters(options.generator);
    return this;
  }

  /**
   * Initialises this module's own parameters and buffers (not its children's), in place. The
   * base does nothing; layers override it. `generator` is the override passed to
   * `resetParameters`, or undefined to use the layer's own.
   */
  protected resetOwnParameters(_generator?: Generator): void {}

  // ---- dtype ------------------------------------------------------------------------------------

  /**
   * Converts every float parameter and buffer (and any gradient) to `dtype`, in place in the
   * module. The tensors are replaced, not mutated (storage cannot change type), so references
   * held elsewhere (an optimizer's parameter list) go stale: convert before building the
   * optimizer. int32 buffers are left alone, as PyTorch.
   */
  to(dtype: FloatDType): this {
    if (!isFloatDType(dtype as DType)) throw new DTypeError(`Module.to: expected float32 or float64, got ${String(dtype)}`);
    noGrad(() => {
      const converted = new Map<Tensor, Tensor>();
      const convert = (t: Tensor): Tensor => {
        if (t.dtype === dtype || !isFloatDType(t.dtype)) return t;
        let out = converted.get(t);
        if (out === undefined) {
          out = castLeaf(t, dtype);
          if (t.requiresGrad) out.requiresGrad = true;
          if (t.grad !== null) out.grad = castLeaf(t.grad, dtype);
          converted.set(t, out);
        }
        return out;
      };
      for (const m of this.modules()) {
        for (const [name, t] of m.parameterEntries) if (t !== null) m.parameterEntries.set(name, convert(t));
        for (const [name, t] of m.bufferEntries) if (t !== null) m.bufferEntries.set(name, convert(t));
      }
    });
    return this;
  }

  /** `to('float64')`. */
  double(): this {
    return this.to('float64');
  }

  /** `to('float32')`. */
  float(): this {
    return this.to('float32');
  }

  // ---- state dict -------------------------------------------------------------------------------

  /**
   * The module's state by PyTorch's names and order: for each module depth-first, its parameters
   * then its persistent buffers. Values are detached views of the live storage (no copy).
   */
  stateDict(options: { prefix?: string } = {}): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [key, t] of this.stateEntries(options.prefix ?? '')) out[key] = t.detach();
    return out;
  }

  /** Every state-dict key with its live tensor (shared tensors appear under each name). */
  private stateEntries(prefix: string): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    const visit = (module: AnyModule, modulePrefix: string): void => {
      for (const [name, t] of module.parameterEntries) if (t !== null) out.push([joinName(modulePrefix, name), t]);
      for (const [name, t] of module.bufferEntries) {
        if (t !== null && !module.nonPersistentBuffers.has(name)) out.push([joinName(modulePrefix, name), t]);
      }
      for (const [name, child] of module.moduleEntries) if (child !== null) visit(child, joinName(modulePrefix, name));
    };
    visit(this, prefix);
    return out;
  }

  /**
   * Copies `state` into the module's existing tensors (converting dtypes), under `noGrad`.
   * Everything is checked before anything is written, so a failed load changes nothing.
   * Throws a `StateDictError` listing every problem when a shape differs (always) or, with
   * `strict` (default true), when keys are missing or unexpected.
   * @returns the missing and unexpected keys (both empty after a strict load).
   */
  loadStateDict(state: Readonly<Record<string, Tensor>>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const entries = this.stateEntries('');
    const expected = new Set(entries.map(([key]) => key));
    const missingKeys: string[] = [];
    const shapeMismatches: { key: string; expected: readonly number[]; received: readonly number[] }[] = [];
    const writes: Array<[Tensor, Tensor]> = [];
    for (const [key, target] of entries) {
      if (!Object.prototype.hasOwnProperty.call(state, key)) {
        missingKeys.push(key);
        continue;
      }
      const source = state[key];
      if (!(source instanceof Tensor)) throw new ValueError(`loadStateDict: the value for '${key}' is not a Tensor`);
      if (!shapesEqual(source.shape, target.shape)) {
        shapeMismatches.push({ key, expected: target.shape, received: source.shape });
        continue;
      }
      writes.push([target, source]);
    }
    const unexpectedKeys = Object.keys(state).filter((key) => !expected.has(key));

    const problems: string[] = [];
    if (strict && missingKeys.length > 0) problems.push(`missing keys: ${missingKeys.map(quote).join(', ')}`);
    if (strict && unexpectedKeys.length > 0) problems.push(`unexpected keys: ${unexpectedKeys.map(quote).join(', ')}`);
    for (const m of shapeMismatches) {
      problems.push(`size mismatch for '${m.key}': the module has ${fmtShape(m.expected)}, the state dict has ${fmtShape(m.received)}`);
    }
    if (problems.length > 0) {
      throw new StateDictError(
        `loadStateDict: ${problems.length} problem${problems.length === 1 ? '' : 's'} loading into ` +
          `${this.typeName}:\n  ${problems.join('\n  ')}`,
        strict ? missingKeys : [],
        strict ? unexpectedKeys : [],
        shapeMismatches,
      );
    }
    noGrad(() => {
      // Copy through a snapshot: a state dict taken from this module aliases its own storage.
      const snapshots = writes.map(([, source]) => source.data.slice());
      writes.forEach(([target], i) => target.data.set(snapshots[i]!));
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ---------------------------------------------------------------------------------

  /** The hyper-parameters `toString` prints inside the parentheses (`inFeatures=3, …`). */
  extraRepr(): string {
    return '';
  }

  /**
   * The module tree as PyTorch prints it:
   * ```
   * Sequential(
   *   (0): Linear(inFeatures=3, outFeatures=2, bias=true)
   *   (1): ReLU()
   * )
   * ```
   */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra === '' ? [] : extra.split('\n');
    const childLines = [...this.moduleEntries].map(
      ([name, child]) => `(${name}): ${indentTail(child === null ? 'null' : child.toString(), 2)}`,
    );
    const lines = [...extraLines, ...childLines];
    if (lines.length === 0) return `${this.typeName}()`;
    if (childLines.length === 0 && extraLines.length === 1) return `${this.typeName}(${extraLines[0]})`;
    return `${this.typeName}(\n  ${lines.join('\n  ')}\n)`;
  }
}

function joinName(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

/** A detached leaf copy of `t` in `dtype`. */
function castLeaf(t: Tensor, dtype: FloatDType): Tensor {
  const out = Tensor.empty(t.shape, dtype);
  out.data.set(t.data);
  return out;
}
