/**
 * The optimizer base: parameter groups, the step loop, `zeroGrad`, and PyTorch-shaped state dicts.
 *
 * Subclasses implement one element-wise update per parameter (`updateParam`) over raw typed arrays:
 * no graph is built, the parameter's storage is written in place, and per-parameter state lives in
 * typed arrays of the parameter's dtype (so float32 parameters keep float32 moments, as PyTorch).
 * Within one element's update the arithmetic runs in JS doubles and is rounded when stored.
 */
import { withGradEnabled } from '../autograd.js';
import { isFloatDType, type FloatArray, type TypedArray } from '../dtype.js';
import { DTypeError, ShapeError, StateDictError, ValueError, fmtShape } from '../errors.js';
import { shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';

/** The hyper-parameter every optimizer has, and the one schedulers change. */
export interface BaseHyperParams {
  lr: number;
}

/**
 * One parameter group: its tensors and its own copy of every hyper-parameter. Mutable: a scheduler
 * writes `lr`, and `initialLr` is set by the first scheduler attached (PyTorch's `initial_lr`).
 */
export type ParamGroup<H extends BaseHyperParams> = H & {
  params: Tensor[];
  initialLr?: number;
};

/** A parameter group as given to a constructor: tensors plus any hyper-parameters to override. */
export type ParamGroupInput<H extends BaseHyperParams> = Partial<H> & { params: Iterable<Tensor> };

/** What an optimizer takes: the tensors to optimize, or parameter groups. */
export type ParamsInput<H extends BaseHyperParams> = Iterable<Tensor> | Iterable<ParamGroupInput<H>>;

/** A value in a state dict's per-parameter state: a tensor (moments, buffers) or a number (`step`). */
export type StateDictValue = Tensor | number;

/**
 * An optimizer's state dict, with PyTorch's structure: per-parameter state keyed by the parameter's
 * index (counted across groups in order, as `state_dict()` numbers them), and every group's
 * hyper-parameters with `params` as those indices. State keys are PyTorch's (`exp_avg`,
 * `momentum_buffer`…), so a checkpoint can hold both.
 */
export interface OptimizerStateDict {
  state: Record<number, Record<string, StateDictValue | null>>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/** The kind of each per-parameter state entry, for validating a loaded state dict. */
export type StateKind = 'number' | 'tensor' | 'optional-tensor';

/** Per-parameter state as held in memory: typed arrays of the parameter's dtype and numbers. */
export type ParamState = Record<string, number | FloatArray | undefined>;

export interface ZeroGradOptions {
  /** Drop the gradients (`grad = null`) rather than fill them with zeros. Default true. */
  setToNone?: boolean;
}

/** A fresh zero-filled array of the parameter's float dtype and size. */
export function stateArrayLike(param: Tensor): FloatArray {
  return param.dtype === 'float64' ? new Float64Array(param.size) : new Float32Array(param.size);
}

/** Throws ValueError unless `value` is a number ≥ 0 (NaN fails). */
export function checkNonNegative(optimizer: string, name: string, value: number): void {
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new ValueError(`${optimizer}: invalid ${name}: expected a number >= 0, got ${String(value)}`);
  }
}

function cloneHyperValue(value: unknown): unknown {
  return Array.isArray(value) ? [...(value as unknown[])] : value;
}

/**
 * Base class of every optimizer, as PyTorch's `torch.optim.Optimizer`.
 *
 * `H` is the hyper-parameter record of one group, `S` the per-parameter state.
 */
export abstract class Optimizer<H extends BaseHyperParams, S extends ParamState = ParamState> {
  /** The parameter groups, each with its hyper-parameters (schedulers change `lr` here). */
  readonly paramGroups: ParamGroup<H>[] = [];
  /** The defaults each group starts from. */
  readonly defaults: Readonly<H>;
  /** Per-parameter state, created on a parameter's first step. */
  protected readonly state = new Map<Tensor, S>();
  /** The class name, for messages. */
  protected readonly name: string;

  protected constructor(name: string, params: ParamsInput<H>, defaults: H) {
    this.name = name;
    this.validateHyperParams(defaults);
    this.defaults = Object.freeze({ ...defaults });
    const items = Array.from(params as Iterable<Tensor | ParamGroupInput<H>>);
    if (items.length === 0) throw new ValueError(`${name}: got an empty parameter list`);
    if (items.every((item) => item instanceof Tensor)) {
      this.addParamGroup({ params: items as Tensor[] } as unknown as ParamGroupInput<H>);
    } else if (items.some((item) => item instanceof Tensor)) {
      throw new ValueError(`${name}: params must be all tensors or all parameter groups, not a mix`);
    } else {
      for (const group of items as ParamGroupInput<H>[]) this.addParamGroup(group);
    }
  }

  /**
   * Adds a parameter group (as PyTorch's `add_param_group`): hyper-parameters it leaves out take
   * the optimizer's defaults. A tensor may belong to one group only.
   */
  addParamGroup(group: ParamGroupInput<H>): void {
    if (group === null || typeof group !== 'object' || group.params === undefined) {
      throw new ValueError(`${this.name}: a parameter group is an object with a 'params' list`);
    }
    const params = group.params instanceof Tensor ? [group.params] : Array.from(group.params);
    const seen = new Set<Tensor>();
    for (const p of this.paramGroups) for (const t of p.params) seen.add(t);
    params.forEach((param, i) => {
      if (!(param instanceof Tensor)) throw new ValueError(`${this.name}: params[${i}] is not a Tensor`);
      if (!isFloatDType(param.dtype)) {
        throw new DTypeError(`${this.name}: can only optimize float32 or float64 tensors, params[${i}] is ${param.dtype}`);
      }
      if (!param.isLeaf)
        throw new ValueError(`${this.name}: can't optimize a non-leaf tensor (params[${i}] was made by '${param.gradFn!.op}')`);
      if (seen.has(param)) throw new ValueError(`${this.name}: some parameters appear more than once (in one group or across groups)`);
      seen.add(param);
    });
    const overrides: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(group)) {
      if (key !== 'params' && value !== undefined) overrides[key] = cloneHyperValue(value);
    }
    const merged = { ...this.defaults, ...overrides, params } as ParamGroup<H>;
    this.validateHyperParams(merged);
    this.paramGroups.push(merged);
  }

  /**
   * Clears the gradients of every parameter: sets them to null (the default, as PyTorch 2.x), or
   * with `{ setToNone: false }` fills them with zeros (detached from any graph).
   */
  zeroGrad(options: ZeroGradOptions = {}): void {
    const { setToNone = true } = options;
    for (const group of this.paramGroups) {
      for (const param of group.params) {
        const grad = param.grad;
        if (grad === null) continue;
        if (setToNone) {
          param.grad = null;
        } else if (grad.gradFn !== null || grad.requiresGrad) {
          param.grad = Tensor.empty(grad.shape, grad.dtype);
        } else {
          grad.data.fill(0);
        }
      }
    }
  }

  /**
   * Performs one optimization step over every parameter that has a gradient (parameters whose
   * `grad` is null are skipped). `closure`, if given, re-evaluates the model and returns the loss;
   * it runs with gradient recording on, before the update, and its result is returned.
   */
  step<T = undefined>(closure?: () => T): T | undefined {
    const loss = closure === undefined ? undefined : withGradEnabled(true, closure);
    withGradEnabled(false, () => {
      for (const group of this.paramGroups) {
        for (const param of group.params) {
          const grad = param.grad;
          if (grad === null) continue;
          if (grad.size !== param.size) {
            throw new ShapeError(
              `${this.name}.step: the gradient has shape ${fmtShape(grad.shape)}, its parameter ${fmtShape(param.shape)}`,
            );
          }
          const state = this.updateParam(param.data as FloatArray, grad.data, this.state.get(param), group, param);
          if (state !== undefined) this.state.set(param, state);
        }
      }
    });
    return loss;
  }

  /**
   * Updates one parameter in place from its gradient. `state` is undefined on the first step (or
   * when the optimizer keeps none); return the state to keep (the same object, updated, or new).
   */
  protected abstract updateParam(
    param: FloatArray,
    grad: TypedArray,
    state: S | undefined,
    group: ParamGroup<H>,
    tensor: Tensor,
  ): S | undefined;

  /** Throws ValueError on an invalid hyper-parameter (checked for the defaults and every group). */
  protected abstract validateHyperParams(hyper: H): void;

  /** The per-parameter state entries a group's settings imply, for `loadStateDict`. */
  protected abstract stateSchema(group: H): Record<string, StateKind>;

  /**
   * The optimizer's state, with PyTorch's structure (see `OptimizerStateDict`). State arrays are
   * copied into new tensors of the parameter's shape and dtype, so the dict is a snapshot: later
   * steps do not change it.
   */
  stateDict(): OptimizerStateDict {
    const indexOf = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(group)) if (key !== 'params') out[key] = cloneHyperValue(value);
      const params = group.params.map((p) => {
        indexOf.set(p, indexOf.size);
        return indexOf.get(p)!;
      });
      return { ...out, params };
    });
    const state: OptimizerStateDict['state'] = {};
    for (const [param, index] of indexOf) {
      const entry = this.state.get(param);
      if (entry === undefined) continue;
      const saved: Record<string, StateDictValue> = {};
      for (const [key, value] of Object.entries(entry)) {
        if (value === undefined) continue;
        if (typeof value === 'number') {
          saved[key] = value;
        } else {
          const t = Tensor.empty(param.shape, param.dtype);
          t.data.set(value);
          saved[key] = t;
        }
      }
      state[index] = saved;
    }
    return { state, paramGroups };
  }

  /**
   * Restores a state dict from `stateDict()` (or PyTorch's, with the same keys). The groups must
   * match this optimizer's in number and sizes (ValueError otherwise); the saved hyper-parameters
   * replace the current ones; state tensors must have their parameter's shape and are copied in the
   * parameter's dtype (StateDictError on missing, unexpected or misshaped entries). Nothing changes
   * when it throws.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const savedGroups = stateDict?.paramGroups;
    if (!Array.isArray(savedGroups) || stateDict.state === null || typeof stateDict.state !== 'object') {
      throw new StateDictError(
        `${this.name}.loadStateDict: expected { state, paramGroups }`,
        ['state', 'paramGroups'].filter((k) => !(k in (stateDict ?? {}))),
      );
    }
    if (savedGroups.length !== this.paramGroups.length) {
      throw new ValueError(
        `${this.name}.loadStateDict: the state dict has ${savedGroups.length} parameter groups, the optimizer ${this.paramGroups.length}`,
      );
    }
    const missing: string[] = [];
    const unexpected: string[] = [];
    const mismatches: { key: string; expected: readonly number[]; received: readonly number[] }[] = [];
    const byIndex = new Map<number, { param: Tensor; group: number }>();
    const newHyper = this.paramGroups.map((group, g) => {
      const saved = savedGroups[g]!;
      if (!Array.isArray(saved.params) || saved.params.length !== group.params.length) {
        throw new ValueError(
          `${this.name}.loadStateDict: parameter group ${g} holds ${Array.isArray(saved.params) ? saved.params.length : 'no'} ` +
            `parameters in the state dict, ${group.params.length} in the optimizer`,
        );
      }
      saved.params.forEach((index, k) => byIndex.set(index, { param: group.params[k]!, group: g }));
      const hyper: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(saved)) {
        if (key === 'params') continue;
        // A key this group lacks is a misspelt or foreign hyper-parameter (say PyTorch's `weight_decay`).
        if (key !== 'initialLr' && !(key in group)) unexpected.push(`paramGroups.${g}.${key}`);
        hyper[key] = cloneHyperValue(value);
      }
      const merged = { ...group, ...hyper, params: group.params } as ParamGroup<H>;
      this.validateHyperParams(merged);
      return merged;
    });

    const newState = new Map<Tensor, S>();
    for (const [indexKey, entry] of Object.entries(stateDict.state)) {
      const target = byIndex.get(Number(indexKey));
      if (target === undefined) {
        unexpected.push(`state.${indexKey}`);
        continue;
      }
      if (entry === null || typeof entry !== 'object' || Object.keys(entry).length === 0) continue;
      const { param } = target;
      const schema = this.stateSchema(newHyper[target.group]!);
      const restored: ParamState = {};
      for (const [key, value] of Object.entries(entry)) {
        const kind = schema[key];
        if (kind === undefined) {
          unexpected.push(`state.${indexKey}.${key}`);
        } else if (value === null || value === undefined) {
          if (kind !== 'optional-tensor') missing.push(`state.${indexKey}.${key}`);
        } else if (kind === 'number') {
          // PyTorch keeps `step` as a one-element tensor; accept that too.
          const n = value instanceof Tensor && value.size === 1 ? value.data[0]! : value;
          if (typeof n !== 'number') unexpected.push(`state.${indexKey}.${key}`);
          else restored[key] = n;
        } else if (!(value instanceof Tensor)) {
          unexpected.push(`state.${indexKey}.${key}`);
        } else if (!shapesEqual(value.shape, param.shape)) {
          mismatches.push({ key: `state.${indexKey}.${key}`, expected: param.shape, received: value.shape });
        } else {
          const array = stateArrayLike(param);
          array.set(value.data);
          restored[key] = array;
        }
      }
      for (const [key, kind] of Object.entries(schema)) {
        if (kind !== 'optional-tensor' && !(key in entry)) missing.push(`state.${indexKey}.${key}`);
      }
      newState.set(param, restored as S);
    }
    if (missing.length > 0 || unexpected.length > 0 || mismatches.length > 0) {
      const parts = [
        missing.length > 0 ? `missing ${missing.join(', ')}` : '',
        unexpected.length > 0 ? `unexpected ${unexpected.join(', ')}` : '',
        ...mismatches.map((m) => `${m.key} has shape ${fmtShape(m.received)}, expected ${fmtShape(m.expected)}`),
      ].filter((s) => s !== '');
      throw new StateDictError(`${this.name}.loadStateDict: ${parts.join('; ')}`, missing, unexpected, mismatches);
    }

    newHyper.forEach((hyper, g) => Object.assign(this.paramGroups[g]!, hyper));
    this.state.clear();
    for (const [param, s] of newState) this.state.set(param, s);
  }
}
