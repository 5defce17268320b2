import { IndexError, ShapeError, ValueError, fmtShape } from './errors.js';

export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar `[]`). */
export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-contiguous) strides in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks a user-given shape: non-negative integers only. */
export function validateShape(op: string, shape: Shape): number[] {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: a shape holds non-negative integers, got ${fmtShape(shape)}`);
    }
  }
  return [...shape];
}

/** NumPy/PyTorch broadcasting of any number of shapes. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const shape of shapes) {
    const offset = rank - shape.length;
    for (let i = 0; i < shape.length; i++) {
      const d = shape[i]!;
      const o = out[offset + i]!;
      if (o === 1) out[offset + i] = d;
      else if (d !== 1 && d !== o) {
        throw new ShapeError(`${op}: shapes cannot be broadcast together: ${shapes.map(fmtShape).join(' and ')}`);
      }
    }
  }
  return out;
}

/**
 * Strides that read `shape` as if broadcast to `outShape`: 0 along broadcast dimensions.
 * This is the layout the elementwise kernels take, so broadcasting never copies.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = contiguousStrides(shape);
  const offset = outShape.length - shape.length;
  const out = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) {
    out[offset + i] = shape[i] === 1 && outShape[offset + i] !== 1 ? 0 : strides[i]!;
  }
  return out;
}

/** Resolves a possibly negative axis against a rank, with a typed error when out of range. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis)) throw new ValueError(`${op}: axis must be an integer, got ${axis}`);
  const a = axis < 0 ? axis + Math.max(rank, 1) : axis;
  if (a < 0 || a >= Math.max(rank, 1)) {
    throw new IndexError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}

/** Resolves an axis list (or all axes when undefined); sorted, unique. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(op, a, rank));
  const unique = [...new Set(out)].sort((x, y) => x - y);
  if (unique.length !== out.length) throw new ValueError(`${op}: an axis appears twice in [${list.join(', ')}]`);
  return unique;
}
