import { IndexError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

/** A layer that maps one tensor to one tensor, as Sequential chains them. */
export type TensorModule = Module<[Tensor], Tensor>;

/**
 * A chain of layers: `y = fₙ(… f₂(f₁(x)))`. Children are named `0`, `1`, … (or by the keys of a
 * record), so parameters are `0.weight`, `2.bias`… as in PyTorch.
 *
 * - Shapes: whatever the first layer takes → whatever the last one returns. An empty Sequential
 *   is the identity.
 *
 * @example
 * const mlp = new Sequential(new Linear({ inFeatures: 4, outFeatures: 8 }), new ReLU(), new Linear({ inFeatures: 8, outFeatures: 2 }));
 * mlp.call(randn([3, 4])).shape  // [3, 2]
 * const named = new Sequential({ encoder: new Linear({ inFeatures: 4, outFeatures: 8 }), act: new Tanh() });  // 'encoder.weight'…
 */
export class Sequential extends Module {
  private readonly layers: TensorModule[] = [];

  constructor(...modules: TensorModule[]);
  constructor(named: Readonly<Record<string, TensorModule>>);
  constructor(...args: Array<TensorModule | Readonly<Record<string, TensorModule>>>) {
    super();
    const [first] = args;
    if (args.length === 1 && first !== undefined && !(first instanceof Module)) {
      for (const [name, module] of Object.entries(first)) this.add(name, module);
    } else {
      for (const module of args) this.append(module as TensorModule);
    }
  }

  /** Adds `module` at the end, named by its position. */
  append(module: TensorModule): this {
    return this.add(String(this.layers.length), module);
  }

  private add(name: string, module: TensorModule): this {
    if (!(module instanceof Module)) throw new ValueError(`Sequential: entry '${name}' is not a Module`);
    this.registerModule(name, module);
    this.layers.push(module);
    return this;
  }

  /** The number of layers. */
  get length(): number {
    return this.layers.length;
  }

  /** The layer at `index` (negative counts from the end). */
  at(index: number): TensorModule {
    return this.layers[checkIndex('Sequential', index, this.layers.length)]!;
  }

  [Symbol.iterator](): Iterator<TensorModule> {
    return this.layers[Symbol.iterator]();
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const layer of this.layers) y = layer.call(y);
    return y;
  }
}

/**
 * A list of child modules, registered as `0`, `1`, … so their parameters are found, saved and
 * trained; it has no forward of its own (iterate over it, as PyTorch's ModuleList).
 *
 * @example
 * const layers = new ModuleList([1, 2, 3].map(() => new Linear({ inFeatures: 4, outFeatures: 4 })));
 * for (const layer of layers) x = layer.call(x);
 */
export class ModuleList<M extends Module<never, unknown> = Module<never, unknown>> extends Module<[], never> {
  private readonly items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    this.extend(modules);
  }

  /** Adds `module` at the end. */
  append(module: M): this {
    if (!(module instanceof Module)) throw new ValueError(`ModuleList: entry ${this.items.length} is not a Module`);
    this.registerModule(String(this.items.length), module);
    this.items.push(module);
    return this;
  }

  /** Adds every module of `modules` at the end. */
  extend(modules: Iterable<M>): this {
    for (const module of modules) this.append(module);
    return this;
  }

  /** The number of modules. */
  get length(): number {
    return this.items.length;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): M {
    return this.items[checkIndex('ModuleList', index, this.items.length)]!;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }

  /** ModuleList has no forward: iterate over it. Throws a ValueError. */
  forward(): never {
    throw new ValueError('ModuleList: it has no forward; iterate over its modules instead');
  }
}

function checkIndex(op: string, index: number, length: number): number {
  const i = index < 0 ? index + length : index;
  if (!Number.isInteger(index) || i < 0 || i >= length) throw new IndexError(`${op}: index ${index} is out of range for ${length} modules`);
  return i;
}
