/**
 * Ranges along one axis: narrow, slice (with a step), select. Each copies the strided region into
 * fresh contiguous storage; each gradient is zeros with the output's gradient copied back into the
 * region (one strided copy), itself recorded so that it is differentiable too.
 */
import { record } from '../autograd.js';
import { getBackend } from '../backend/registry.js';
import { IndexError, ValueError, fmtShape } from '../errors.js';
import { contiguousStrides, normalizeAxis } from '../shape.js';
import { Tensor } from '../tensor.js';
import { reshape } from './shape.js';

/** The region `start, start + step, …` (`length` entries) along `axis` of a tensor of `shape`. */
interface Region {
  readonly axis: number;
  readonly start: number;
  readonly length: number;
  readonly step: number;
  /** False for `select`: the axis (of length 1) is dropped from the result. */
  readonly keepAxis: boolean;
}

/** Where the region lives in the full tensor: its shape (axis kept), offset and strides. */
function regionLayout(shape: readonly number[], region: Region): { regionShape: number[]; offset: number; strides: number[] } {
  const strides = contiguousStrides(shape);
  const regionShape = [...shape];
  regionShape[region.axis] = region.length;
  const offset = region.length === 0 ? 0 : region.start * strides[region.axis]!;
  strides[region.axis] = strides[region.axis]! * region.step;
  return { regionShape, offset, strides };
}

function outputShape(regionShape: readonly number[], region: Region): number[] {
  return region.keepAxis ? [...regionShape] : regionShape.filter((_, i) => i !== region.axis);
}

/** Copies the region of `x` out into a contiguous tensor; the gradient embeds it back. */
function extract(op: string, x: Tensor, region: Region): Tensor {
  const { regionShape, offset, strides } = regionLayout(x.shape, region);
  const out = Tensor.empty(outputShape(regionShape, region), x.dtype);
  getBackend().copy({
    src: x.data,
    srcOffset: offset,
    srcStrides: strides,
    dst: out.data,
    dstOffset: 0,
    dstStrides: contiguousStrides(regionShape),
    shape: regionShape,
  });
  return record(out, op, [x], (g) => [embed(op, g, x.shape, region)]);
}

/** Zeros of `shape` with `g` copied into the region: the adjoint of `extract`. */
function embed(op: string, g: Tensor, shape: readonly number[], region: Region): Tensor {
  const { regionShape, offset, strides } = regionLayout(shape, region);
  const out = Tensor.empty(shape, g.dtype);
  getBackend().copy({
    src: g.data,
    srcOffset: 0,
    srcStrides: contiguousStrides(regionShape),
    dst: out.data,
    dstOffset: offset,
    dstStrides: strides,
    shape: regionShape,
  });
  return record(out, `${op}Backward`, [g], (gg) => [extract(op, gg, region)]);
}

function requireAxis(op: string, x: Tensor, axis: number): number {
  if (x.ndim === 0) throw new IndexError(`${op}: cannot be applied to a 0-d tensor (it has no axis ${axis})`);
  return normalizeAxis(op, axis, x.ndim);
}

function requireInteger(op: string, name: string, value: number): void {
  if (!Number.isInteger(value)) throw new ValueError(`${op}: ${name} must be an integer, got ${value}`);
}

/**
 * The `length` entries from `start` along `axis`: `x[..., start : start + length, ...]`. A negative
 * `start` counts from the end. Throws `IndexError` when the range leaves the axis.
 *
 * Shapes: `[..., n, ...]` → `[..., length, ...]`.
 * @example narrow(arange(10), 0, 2, 3)  // [2, 3, 4]
 */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const op = 'narrow';
  const a = requireAxis(op, x, axis);
  const size = x.shape[a]!;
  requireInteger(op, 'start', start);
  requireInteger(op, 'length', length);
  if (length < 0) throw new ValueError(`${op}: length must be non-negative, got ${length}`);
  if (start < -size || start > size) throw new IndexError(`${op}: start ${start} is out of range for axis ${axis} of size ${size}`);
  const s = start < 0 ? start + size : start;
  if (s + length > size) {
    throw new IndexError(`${op}: start (${start}) + length (${length}) exceeds the size ${size} of axis ${axis} of ${fmtShape(x.shape)}`);
  }
  if (s === 0 && length === size) return reshape(x, x.shape);
  return extract(op, x, { axis: a, start: s, length, step: 1, keepAxis: true });
}

/** Python's slice bound: negative counts from the end, then clamped to [0, size]. */
function clampBound(value: number, size: number): number {
  if (value < 0) return Math.max(0, value + size);
  return Math.min(value, size);
}

/**
 * Python-style slicing along one axis: `x[..., start:end:step, ...]`. Negative `start`/`end` count
 * from the end and out-of-range bounds are clamped, as in Python; `step ≥ 1`.
 *
 * Options (positional): `start` default 0, `end` default the axis size, `step` default 1.
 * Shapes: `[..., n, ...]` → `[..., max(0, ⌈(end − start) / step⌉), ...]`.
 * @example slice(arange(10), 0, 1, -1, 3)  // [1, 4, 7]
 */
export function slice(x: Tensor, axis: number, start = 0, end?: number, step = 1): Tensor {
  const op = 'slice';
  const a = requireAxis(op, x, axis);
  const size = x.shape[a]!;
  requireInteger(op, 'step', step);
  if (step < 1) throw new ValueError(`${op}: step must be at least 1, got ${step}`);
  for (const [name, bound] of [
    ['start', start],
    ['end', end ?? size],
  ] as const) {
    if (!Number.isInteger(bound) && Math.abs(bound) !== Infinity) throw new ValueError(`${op}: ${name} must be an integer, got ${bound}`);
  }
  const s = clampBound(start, size);
  const e = clampBound(end ?? size, size);
  const length = e > s ? Math.ceil((e - s) / step) : 0;
  if (s === 0 && length === size && step === 1) return reshape(x, x.shape);
  return extract(op, x, { axis: a, start: s, length, step, keepAxis: true });
}

/**
 * The entry `index` along `axis`, with that axis removed: `x[..., index, ...]`. A negative `index`
 * counts from the end; out of range is an `IndexError`.
 *
 * Shapes: `[a, n, b]` with `axis = 1` → `[a, b]`.
 * @example select(tensor([[1, 2], [3, 4]]), 1, -1)  // [2, 4]
 */
export function select(x: Tensor, axis: number, index: number): Tensor {
  const op = 'select';
  const a = requireAxis(op, x, axis);
  const size = x.shape[a]!;
  requireInteger(op, 'index', index);
  if (index < -size || index >= size) throw new IndexError(`${op}: index ${index} is out of range for axis ${axis} of size ${size}`);
  const i = index < 0 ? index + size : index;
  return extract(op, x, { axis: a, start: i, length: 1, step: 1, keepAxis: false });
}
