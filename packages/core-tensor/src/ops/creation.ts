/** Tensor creation: from data, constants, ranges, identity, and random draws. */
import { isDType, type DType, type TypedArray, dtypeOfArray } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { shapeSize, validateShape } from '../shape.js';
import { Tensor, type NestedArray } from '../tensor.js';

export interface CreationOptions {
  /** Default float32 (int32 for `arange`/`randint` with integer arguments and for Int32Array data). */
  dtype?: DType;
  /** Record operations on the result for autograd. Default false. */
  requiresGrad?: boolean;
}

export interface RandomOptions extends CreationOptions {
  /** The generator to draw from. Default: the global one (`manualSeed`). */
  generator?: Generator;
}

function finish(t: Tensor, options: CreationOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

function checkDType(op: string, dtype: unknown): DType {
  if (!isDType(dtype)) throw new DTypeError(`${op}: unknown dtype ${String(dtype)}: expected float32, float64 or int32`);
  return dtype;
}

/**
 * A tensor from nested arrays, a flat typed array (with `shape`), or a number (a 0-d tensor).
 * @example tensor([[1, 2], [3, 4]])  // float32, shape [2, 2]
 */
export function tensor(
  data: NestedArray | TypedArray | readonly number[],
  options: CreationOptions & { shape?: readonly number[] } = {},
): Tensor {
  if (ArrayBuffer.isView(data)) {
    const dtype = checkDType('tensor', options.dtype ?? dtypeOfArray(data as TypedArray));
    const shape = options.shape ? validateShape('tensor', options.shape) : [data.length];
    if (shapeSize(shape) !== data.length) {
      throw new ShapeError(`tensor: ${data.length} values do not fill shape ${fmtShape(shape)}`);
    }
    const t = Tensor.empty(shape, dtype);
    t.data.set(data as TypedArray);
    return finish(t, options);
  }
  const dtype = checkDType('tensor', options.dtype ?? 'float32');
  const shape: number[] = [];
  let probe: NestedArray = data as NestedArray;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0]!;
  }
  const flat: number[] = [];
  const walk = (node: NestedArray, depth: number): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') throw new ShapeError(`tensor: ragged nested array: expected a number at depth ${depth}`);
      flat.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new ShapeError(
        `tensor: ragged nested array: expected length ${shape[depth]} at ` +
          `depth ${depth}, got ${Array.isArray(node) ? node.length : 'a number'}`,
      );
    }
    for (const child of node) walk(child, depth + 1);
  };
  walk(data as NestedArray, 0);
  const finalShape = options.shape ? validateShape('tensor', options.shape) : shape;
  if (shapeSize(finalShape) !== flat.length)
    throw new ShapeError(`tensor: ${flat.length} values do not fill shape ${fmtShape(finalShape)}`);
  const t = Tensor.empty(finalShape, dtype);
  for (let i = 0; i < flat.length; i++) t.data[i] = flat[i]!;
  return finish(t, options);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, options: CreationOptions = {}): Tensor {
  const dtype = checkDType('full', options.dtype ?? 'float32');
  const t = Tensor.empty(validateShape('full', shape), dtype);
  if (value !== 0) t.data.fill(value);
  return finish(t, options);
}

export function zeros(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return full(shape, 1, options);
}

export function zerosLike(x: Tensor, options: CreationOptions = {}): Tensor {
  return full(x.shape, 0, { dtype: x.dtype, ...options });
}

export function onesLike(x: Tensor, options: CreationOptions = {}): Tensor {
  return full(x.shape, 1, { dtype: x.dtype, ...options });
}

export function fullLike(x: Tensor, value: number, options: CreationOptions = {}): Tensor {
  return full(x.shape, value, { dtype: x.dtype, ...options });
}

/**
 * Values from `start` (inclusive) to `end` (exclusive) in steps of `step`, as `torch.arange`.
 * `arange(5)` is 0..4. int32 when all arguments are integers, else float32.
 */
export function arange(start: number, end?: number, step = 1, options: CreationOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (step === 0 || !Number.isFinite(step)) throw new ValueError(`arange: step must be a finite non-zero number, got ${step}`);
  if ((end - start) / step < 0) throw new ValueError(`arange: the range ${start}..${end} cannot be reached with step ${step}`);
  const dtype = options.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const t = Tensor.empty([n], checkDType('arange', dtype));
  for (let i = 0; i < n; i++) t.data[i] = start + i * step;
  return finish(t, options);
}

/** `steps` evenly spaced values from `start` to `end`, both included. */
export function linspace(start: number, end: number, steps: number, options: CreationOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const t = Tensor.empty([steps], checkDType('linspace', options.dtype ?? 'float32'));
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill symmetrically from both ends, as PyTorch, so that the last value is exactly `end`.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) t.data[i] = i < half || steps === 1 ? start + delta * i : end - delta * (steps - 1 - i);
  return finish(t, options);
}

/** An `n × m` matrix with ones on the diagonal (m defaults to n). */
export function eye(n: number, m = n, options: CreationOptions = {}): Tensor {
  const t = Tensor.empty(validateShape('eye', [n, m]), checkDType('eye', options.dtype ?? 'float32'));
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return finish(t, options);
}

/** Uniform draws in [0, 1). */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  const gen = options.generator ?? defaultGenerator;
  const dtype = checkDType('rand', options.dtype ?? 'float32');
  if (dtype === 'int32') throw new DTypeError('rand: expected a float dtype, got int32 (use randint)');
  const t = Tensor.empty(validateShape('rand', shape), dtype);
  for (let i = 0; i < t.data.length; i++) t.data[i] = gen.random();
  return finish(t, options);
}

/** Standard normal draws. */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  const gen = options.generator ?? defaultGenerator;
  const dtype = checkDType('randn', options.dtype ?? 'float32');
  if (dtype === 'int32') throw new DTypeError('randn: expected a float dtype, got int32');
  const t = Tensor.empty(validateShape('randn', shape), dtype);
  for (let i = 0; i < t.data.length; i++) t.data[i] = gen.normal();
  return finish(t, options);
}

/** Uniform integers in [low, high). int32 unless asked otherwise. */
export function randint(low: number, high: number, shape: readonly number[], options: RandomOptions = {}): Tensor {
  const gen = options.generator ?? defaultGenerator;
  const t = Tensor.empty(validateShape('randint', shape), checkDType('randint', options.dtype ?? 'int32'));
  for (let i = 0; i < t.data.length; i++) t.data[i] = gen.integer(low, high);
  return finish(t, options);
}

export function randLike(x: Tensor, options: RandomOptions = {}): Tensor {
  return rand(x.shape, { dtype: x.dtype, ...options });
}

export function randnLike(x: Tensor, options: RandomOptions = {}): Tensor {
  return randn(x.shape, { dtype: x.dtype, ...options });
}
