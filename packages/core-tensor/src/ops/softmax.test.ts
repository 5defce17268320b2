import { describe, expect, it } from 'vitest';
import { DTypeError, IndexError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { gradcheck } from '../testing/gradcheck.js';
import { expectClose } from '../testing/expect-close.js';
import type { Tensor } from '../tensor.js';
import { mul } from './arithmetic.js';
import { randn, tensor, zeros } from './creation.js';
import { sum } from './reduce.js';
import { logSoftmax, logsumexp, softmax } from './softmax.js';

const f64 = (data: Parameters<typeof tensor>[0], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });

function randn64(gen: Generator, shape: number[]): Tensor {
  return randn(shape, { dtype: 'float64', requiresGrad: true, generator: gen });
}

/** A fixed weighting so that gradchecks see a non-trivial output gradient. */
function weighted(out: Tensor, gen: Generator): Tensor {
  return mul(out, randn(out.shape, { dtype: 'float64', generator: gen }));
}

const E1 = Math.exp(1);
const E2 = Math.exp(2);
const E3 = Math.exp(3);
const S = E1 + E2 + E3;

describe('softmax', () => {
  it('normalises the last axis by default', () => {
    const out = softmax(
      f64([
        [1, 2, 3],
        [1, 1, 1],
      ]),
    );
    expectClose(out, [
      [E1 / S, E2 / S, E3 / S],
      [1 / 3, 1 / 3, 1 / 3],
    ]);
  });

  it('normalises any axis, negative included', () => {
    const x = f64([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    expectClose(softmax(x, 0), [
      [E1 / S, 1 / 3],
      [E2 / S, 1 / 3],
      [E3 / S, 1 / 3],
    ]);
    expectClose(softmax(x, -2), softmax(x, 0));
  });

  it('is stable for large logits and gives 0 to -Infinity (masked) entries', () => {
    expectClose(softmax(f64([1000, 1001])), [1 / (1 + Math.E), Math.E / (1 + Math.E)]);
    expect(softmax(f64([0, -Infinity, 0])).toArray()).toEqual([0.5, 0, 0.5]);
  });

  it('gives NaN for an all -Infinity row and for a row with NaN, as PyTorch', () => {
    const out = softmax(
      f64([
        [-Infinity, -Infinity],
        [NaN, 1],
        [0, 0],
      ]),
    ).toArray() as number[][];
    expect(out[0]!.every(Number.isNaN)).toBe(true);
    expect(out[1]!.every(Number.isNaN)).toBe(true);
    expect(out[2]).toEqual([0.5, 0.5]);
  });

  it('keeps float32 and handles 0-d, size-1 and empty inputs', () => {
    expect(softmax(tensor([1, 2])).dtype).toBe('float32');
    expect(softmax(f64(5)).item()).toBe(1);
    expect(softmax(f64([[3], [4]])).toArray()).toEqual([[1], [1]]);
    expect(softmax(zeros([0, 3])).shape).toEqual([0, 3]);
  });

  it('throws DTypeError for int32 and IndexError for a bad axis', () => {
    expect(() => softmax(tensor([1, 2], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => softmax(f64([1, 2]), 1)).toThrow(IndexError);
  });

  it('passes gradcheck along the last and a middle axis', () => {
    const gen = new Generator(11);
    const x = randn64(gen, [2, 3, 4]);
    expect(gradcheck((t) => weighted(softmax(t), new Generator(1)), [x])).toBe(true);
    expect(gradcheck((t) => weighted(softmax(t, 1), new Generator(2)), [x])).toBe(true);
  });
});

describe('logSoftmax', () => {
  it('equals x - log Σ exp(x)', () => {
    const l = Math.log(S);
    expectClose(logSoftmax(f64([1, 2, 3])), [1 - l, 2 - l, 3 - l]);
  });

  it('stays finite where softmax underflows', () => {
    expectClose(logSoftmax(f64([0, -1000])), [0, -1000]);
    expect(logSoftmax(f64([0, -Infinity])).toArray()).toEqual([0, -Infinity]);
  });

  it('works along a middle axis', () => {
    const x = f64([[[1, 0]], [[2, 0]], [[3, 0]]]); // [3, 1, 2]
    const l = Math.log(S);
    expectClose(logSoftmax(x, 0), [[[1 - l, -Math.log(3)]], [[2 - l, -Math.log(3)]], [[3 - l, -Math.log(3)]]]);
  });

  it('passes gradcheck along the last and a middle axis', () => {
    const gen = new Generator(12);
    const x = randn64(gen, [3, 2, 3]);
    expect(gradcheck((t) => weighted(logSoftmax(t), new Generator(3)), [x])).toBe(true);
    expect(gradcheck((t) => weighted(logSoftmax(t, 0), new Generator(4)), [x])).toBe(true);
  });
});

describe('logsumexp', () => {
  it('reduces all axes by default and one or several axes on request', () => {
    expectClose(logsumexp(f64([1, 2, 3])), Math.log(S));
    const x = f64([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    expectClose(logsumexp(x, 1), [Math.log(S), Math.log(3)]);
    expectClose(logsumexp(x, -1, { keepdim: true }), [[Math.log(S)], [Math.log(3)]]);
    expectClose(logsumexp(x, [0, 1]), Math.log(S + 3));
  });

  it('is stable for large values and keeps infinities', () => {
    expectClose(logsumexp(f64([1000, 1000])), 1000 + Math.LN2);
    expect(logsumexp(f64([-Infinity, -Infinity])).item()).toBe(-Infinity);
    expect(logsumexp(f64([Infinity, 1])).item()).toBe(Infinity);
    expect(logsumexp(f64([NaN, 1])).item()).toBeNaN();
  });

  it('gives -Infinity over an empty axis and computes int32 input in float32', () => {
    expect(logsumexp(zeros([0]), 0).item()).toBe(-Infinity);
    expect(logsumexp(zeros([2, 0]), 1).toArray()).toEqual([-Infinity, -Infinity]);
    expect(logsumexp(f64(2.5), -1).item()).toBe(2.5);
    const out = logsumexp(tensor([0, 0], { dtype: 'int32' }));
    expect(out.dtype).toBe('float32');
    expect(out.item()).toBeCloseTo(Math.LN2, 6);
  });

  it('passes gradcheck over one and several axes, with keepdim both ways', () => {
    const gen = new Generator(13);
    const x = randn64(gen, [2, 3, 4]);
    for (const keepdim of [false, true]) {
      expect(gradcheck((t) => logsumexp(t, 1, { keepdim }), [x])).toBe(true);
      expect(gradcheck((t) => logsumexp(t, [0, 2], { keepdim }), [x])).toBe(true);
    }
    expect(gradcheck((t) => logsumexp(t), [x])).toBe(true);
  });

  it('has softmax as its gradient', () => {
    const x = f64([[1, 2, 3]], true);
    sum(logsumexp(x, 1)).backward();
    expectClose(x.grad!, softmax(f64([[1, 2, 3]])));
  });
});
