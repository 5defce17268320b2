/**
 * A small builder of one ONNX graph: unique value and node names, initializers from tensorloom
 * tensors under their state-dict names, constants, nodes, and the graph's inputs and outputs.
 */
import type { FloatDType, Tensor } from '@tensorloom/core-tensor';
import { ExportError } from '../errors.js';
import {
  rawData,
  type OnnxAttributeValue,
  type OnnxDataType,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './proto.js';

/** An attribute as a handler writes it: numbers and strings are typed by the builder (see `attribute`). */
export type OnnxAttributeInput = OnnxAttributeValue | number | string | readonly number[];

/**
 * Builds one graph. Value names are unique: `value(hint)` appends `_1`, `_2`, … to a name already
 * taken; initializers keep the exact state-dict names (`lin.weight`), registered once per tensor.
 * `floatType` is the model's parameter dtype, the type of every float constant it makes.
 */
export class OnnxGraphBuilder {
  readonly floatType: 'float32' | 'float64';
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly taken: Set<string>;
  private readonly counters: Map<string, number>;
  private readonly tensorNames = new Map<Tensor, string>();
  private readonly memos = new Map<string, unknown>();
  private readonly opsUsed = new Set<string>();

  /** `names`: the value names already taken and the counters of their hints (shared with the subgraphs of a graph). */
  constructor(
    floatType: FloatDType,
    names: { taken: Set<string>; counters: Map<string, number> } = { taken: new Set(), counters: new Map() },
  ) {
    this.floatType = floatType;
    this.taken = names.taken;
    this.counters = names.counters;
  }

  /**
   * A builder for a subgraph (the body of a `Scan`): its own nodes, inputs, outputs and
   * initializers, value names unique together with this graph's, whose values it may read.
   */
  subgraph(): OnnxGraphBuilder {
    return new OnnxGraphBuilder(this.floatType, { taken: this.taken, counters: this.counters });
  }

  /** A fresh value name from `hint` (itself when free). */
  value(hint: string): string {
    if (!this.taken.has(hint)) {
      this.taken.add(hint);
      return hint;
    }
    let n = this.counters.get(hint) ?? 0;
    let name: string;
    do name = `${hint}_${++n}`;
    while (this.taken.has(name));
    this.counters.set(hint, n);
    this.taken.add(name);
    return name;
  }

  /** Declares a graph input named exactly `name`. */
  input(name: string, dataType: OnnxDataType, shape: readonly (number | string)[], docString?: string): string {
    if (this.taken.has(name)) throw new ExportError(`onnx: the graph input name '${name}' is already used`);
    this.taken.add(name);
    this.inputs.push({ name, dataType, shape, ...(docString === undefined ? {} : { docString }) });
    return name;
  }

  /** Declares a graph input named from `hint` (made unique): for subgraphs, whose inputs are named by the builder. */
  freshInput(hint: string, dataType: OnnxDataType, shape: readonly (number | string)[]): string {
    const name = this.value(hint);
    this.inputs.push({ name, dataType, shape });
    return name;
  }

  /** Declares `value` as the graph output `name` (through an Identity when the names differ). */
  output(value: string, name: string, dataType: OnnxDataType, shape: readonly (number | string)[], docString?: string): void {
    if (value !== name) {
      if (this.taken.has(name)) throw new ExportError(`onnx: the graph output name '${name}' is already used`);
      this.taken.add(name);
      this.nodes.push({ opType: 'Identity', name: `${name}/Identity`, inputs: [value], outputs: [name], attributes: {} });
    }
    this.outputs.push({ name, dataType, shape, ...(docString === undefined ? {} : { docString }) });
  }

  /** Declares a copy of `value` (an Identity) as a graph output named from `hint`: for a value a subgraph outputs twice. */
  freshOutput(value: string, hint: string, dataType: OnnxDataType, shape: readonly (number | string)[]): string {
    const [name] = this.node('Identity', [value], { scope: '', hint });
    this.outputs.push({ name: name!, dataType, shape });
    return name!;
  }

  /**
   * The initializer holding `tensor`'s values under `name` (a state-dict name). The same tensor
   * asked for twice (a module shared in the tree) is stored once, under its first name.
   */
  initializer(name: string, tensor: Tensor): string {
    const known = this.tensorNames.get(tensor);
    if (known !== undefined) return known;
    if (this.taken.has(name)) throw new ExportError(`onnx: two tensors want the initializer name '${name}'`);
    this.taken.add(name);
    const dataType: OnnxDataType = tensor.dtype === 'int32' ? 'int32' : tensor.dtype;
    this.initializers.push({ name, dataType, dims: [...tensor.shape], raw: rawData(tensor.data, dataType) });
    this.tensorNames.set(tensor, name);
    return name;
  }

  /** A constant initializer (`const/<hint>`) of `values` with `dims` (default: a vector; `[]` a scalar). */
  constant(hint: string, values: ArrayLike<number>, dataType: OnnxDataType, dims: readonly number[] = [values.length]): string {
    const name = this.value(`const/${hint}`);
    this.initializers.push({ name, dataType, dims, raw: rawData(values, dataType) });
    return name;
  }

  /** A float scalar constant of the model's dtype. */
  scalar(hint: string, value: number): string {
    return this.memo(`scalar:${this.floatType}:${value}`, () => this.constant(hint, [value], this.floatType, []));
  }

  /** An int64 vector constant (axes, shapes, indices). */
  ints(hint: string, values: readonly number[]): string {
    return this.memo(`ints:${values.join(',')}`, () => this.constant(hint, values, 'int64'));
  }

  /**
   * Adds a node `opType(inputs)` named `<scope>/<opType>` and returns its `outputs` fresh output
   * names (made from `scope` and `hint`).
   */
  node(
    opType: string,
    inputs: readonly string[],
    options: { scope: string; hint?: string; attributes?: Readonly<Record<string, OnnxAttributeInput>>; outputs?: number },
  ): string[] {
    const { scope, hint = opType, attributes = {}, outputs = 1 } = options;
    const prefix = scope === '' ? '' : `${scope}/`;
    const names = Array.from({ length: outputs }, (_, i) => this.value(`${prefix}${hint}${outputs > 1 ? `_out${i}` : ''}`));
    const typed: Record<string, OnnxAttributeValue> = {};
    for (const [key, value] of Object.entries(attributes)) typed[key] = attribute(value);
    this.nodes.push({ opType, name: this.value(`${prefix}${opType}#node`), inputs, outputs: names, attributes: typed });
    this.opsUsed.add(opType);
    return names;
  }

  /** `memo(key, build)`: the value built once per key (shared sub-graphs such as the self-looped edges). */
  memo<T>(key: string, build: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = build();
    this.memos.set(key, value);
    return value;
  }

  /** The operator types used, sorted. */
  get operators(): string[] {
    return [...this.opsUsed].sort();
  }

  /** The names of the initializers, in the order they were added. */
  get initializerNames(): string[] {
    return this.initializers.map((t) => t.name);
  }

  /** The finished graph. */
  build(name: string, docString?: string): OnnxGraph {
    return {
      name,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: this.inputs,
      outputs: this.outputs,
      ...(docString === undefined ? {} : { docString }),
    };
  }
}

/** A FLOAT attribute, also for a value that happens to be an integer (`alpha: floatAttribute(1)`). */
export function floatAttribute(value: number): OnnxAttributeValue {
  return { type: 'float', value };
}

/**
 * A handler's attribute value as ONNX types it: an integer number is INT, another number FLOAT,
 * a string STRING, an array INTS; `{ type: 'float', value: 1 }` forces a FLOAT that is an integer.
 */
function attribute(value: OnnxAttributeInput): OnnxAttributeValue {
  if (typeof value === 'number') return Number.isInteger(value) ? { type: 'int', value } : { type: 'float', value };
  if (typeof value === 'string') return { type: 'string', value };
  if (Array.isArray(value)) return { type: 'ints', value: value as readonly number[] };
  return value as OnnxAttributeValue;
}
