import { TensorloomError, fmtShape } from '../errors.js';
import { shapesEqual } from '../shape.js';
import { Tensor, type NestedArray } from '../tensor.js';

/** Raised by `expectClose` and `gradcheck` when values disagree. */
export class AssertionMismatchError extends TensorloomError {}

export interface CloseOptions {
  /** Relative tolerance. Default 1e-5 (as torch.testing for float32). */
  rtol?: number;
  /** Absolute tolerance. Default 1e-8. */
  atol?: number;
  /** Treat NaN as equal to NaN. Default true. */
  equalNaN?: boolean;
  /** Prefix for the message. */
  message?: string;
}

function flatten(x: Tensor | NestedArray | ArrayLike<number>): { values: ArrayLike<number>; shape: number[] | null } {
  if (x instanceof Tensor) return { values: x.data, shape: [...x.shape] };
  if (typeof x === 'number') return { values: [x], shape: [] };
  if (ArrayBuffer.isView(x)) return { values: x as ArrayLike<number>, shape: null };
  const shape: number[] = [];
  let probe: unknown = x;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const values: number[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const child of node) walk(child);
    else values.push(node as number);
  };
  walk(x);
  return { values, shape };
}

/**
 * Asserts `|actual − expected| ≤ atol + rtol·|expected|` elementwise (and equal shapes when both
 * have one). Throws `AssertionMismatchError` naming the worst element.
 */
export function expectClose(
  actual: Tensor | NestedArray | ArrayLike<number>,
  expected: Tensor | NestedArray | ArrayLike<number>,
  options: CloseOptions = {},
): void {
  const { rtol = 1e-5, atol = 1e-8, equalNaN = true } = options;
  const prefix = options.message ? `${options.message}: ` : '';
  const a = flatten(actual);
  const e = flatten(expected);
  if (a.shape && e.shape && !shapesEqual(a.shape, e.shape) && !(a.values.length === e.values.length && a.values.length === 1)) {
    throw new AssertionMismatchError(`${prefix}shapes differ: actual ${fmtShape(a.shape)}, expected ${fmtShape(e.shape)}`);
  }
  if (a.values.length !== e.values.length) {
    throw new AssertionMismatchError(`${prefix}sizes differ: actual has ${a.values.length} values, expected ${e.values.length}`);
  }
  let worst = -1;
  let worstExcess = 0;
  let bad = 0;
  for (let i = 0; i < a.values.length; i++) {
    const av = a.values[i]!;
    const ev = e.values[i]!;
    if (Number.isNaN(av) || Number.isNaN(ev)) {
      if (equalNaN && Number.isNaN(av) && Number.isNaN(ev)) continue;
      bad++;
      if (worst < 0 || worstExcess !== Infinity) {
        worst = i;
        worstExcess = Infinity;
      }
      continue;
    }
    if (av === ev) continue; // equal infinities
    const excess = Math.abs(av - ev) - (atol + rtol * Math.abs(ev));
    if (!(excess <= 0)) {
      bad++;
      if (excess > worstExcess || worst < 0) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  if (bad > 0) {
    const av = a.values[worst]!;
    const ev = e.values[worst]!;
    throw new AssertionMismatchError(
      `${prefix}${bad} of ${a.values.length} values differ beyond atol=${atol}, rtol=${rtol}; ` +
        `worst at flat index ${worst}: actual ${av}, expected ${ev} (|diff| ${Math.abs(av - ev)})`,
    );
  }
}
