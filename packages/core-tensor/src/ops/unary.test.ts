import { describe, expect, it } from 'vitest';
import { Generator } from '../random/generator.js';
import { gradcheck } from '../testing/gradcheck.js';
import { expectClose } from '../testing/expect-close.js';
import type { Tensor } from '../tensor.js';
import { randn, tensor, zeros } from './creation.js';
import { abs, cos, erf, exp, log, reciprocal, rsqrt, sign, sin, sqrt, square } from './unary.js';

const f64 = (data: Parameters<typeof tensor>[0], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });
const i32 = (data: Parameters<typeof tensor>[0]): Tensor => tensor(data, { dtype: 'int32' });

const ALL = { exp, log, sqrt, rsqrt, abs, sign, square, reciprocal, sin, cos, erf };

function randn64(gen: Generator, shape: number[]): Tensor {
  return randn(shape, { dtype: 'float64', requiresGrad: true, generator: gen });
}

/** Float64 values in [0.5, ∞) that require a gradient (for log, sqrt, rsqrt, reciprocal). */
function positive64(gen: Generator, shape: number[]): Tensor {
  const t = randn(shape, { dtype: 'float64', generator: gen });
  for (let i = 0; i < t.size; i++) t.data[i] = 0.5 + Math.abs(t.data[i]!);
  return t.requiresGrad_();
}

describe('unary values', () => {
  it('computes exp, log, sqrt, rsqrt, reciprocal', () => {
    expectClose(exp(f64([0, 1, -1])), [1, Math.E, 1 / Math.E], { rtol: 1e-15 });
    expectClose(log(f64([1, Math.E, 0.5])), [0, 1, -Math.LN2], { rtol: 1e-15 });
    expect(sqrt(f64([4, 9, 0])).toArray()).toEqual([2, 3, 0]);
    expect(rsqrt(f64([4, 0.25])).toArray()).toEqual([0.5, 2]);
    expect(reciprocal(f64([2, -4])).toArray()).toEqual([0.5, -0.25]);
  });

  it('computes abs, sign, square', () => {
    expect(abs(f64([-2, 0, 3.5])).toArray()).toEqual([2, 0, 3.5]);
    expect(sign(f64([-2, 0, 3.5])).toArray()).toEqual([-1, 0, 1]);
    expect(square(f64([-3, 0.5])).toArray()).toEqual([9, 0.25]);
  });

  it('computes sin, cos, erf', () => {
    expectClose(sin(f64([0, Math.PI / 6, -Math.PI / 2])), [0, 0.5, -1], { atol: 1e-15 });
    expectClose(cos(f64([0, Math.PI / 3, Math.PI])), [1, 0.5, -1], { atol: 1e-15 });
    expectClose(erf(f64([0, 0.5, 1, -2, 10])), [0, 0.5204998778130465, 0.8427007929497149, -0.9953222650189527, 1], { atol: 1e-15 });
  });

  it('follows IEEE at the edges of the domain', () => {
    expect(log(f64([0, -1])).toArray()).toEqual([-Infinity, NaN]);
    expect(sqrt(f64([-1])).item()).toBeNaN();
    expect(rsqrt(f64([0])).item()).toBe(Infinity);
    expect(reciprocal(f64([0, -0])).toArray()).toEqual([Infinity, -Infinity]);
    expect(exp(f64([1000, -1000])).toArray()).toEqual([Infinity, 0]);
    expect(erf(f64([Infinity, -Infinity])).toArray()).toEqual([1, -1]);
  });

  it('propagates NaN through every op but sign, which gives 0 as PyTorch', () => {
    for (const [name, op] of Object.entries(ALL)) {
      const out = op(f64([NaN, 1]));
      if (name === 'sign') expect(out.toArray(), name).toEqual([0, 1]);
      else expect(Number.isNaN(out.data[0]), name).toBe(true);
    }
  });

  it('keeps shapes, including 0-d, size-1 and empty tensors', () => {
    for (const [name, op] of Object.entries(ALL)) {
      expect(op(f64(2)).shape, name).toEqual([]);
      expect(op(f64([[[1]]])).shape, name).toEqual([1, 1, 1]);
      expect(op(zeros([0, 4], { dtype: 'float64' })).shape, name).toEqual([0, 4]);
    }
  });

  it('keeps float32 as float32, rounding the result', () => {
    const out = exp(tensor([0.1]));
    expect(out.dtype).toBe('float32');
    expect(out.item()).toBe(Math.fround(Math.exp(Math.fround(0.1))));
  });
});

describe('unary dtypes', () => {
  it('promotes int32 to float32 for the transcendental ops, as PyTorch', () => {
    for (const op of [exp, log, sqrt, rsqrt, reciprocal, sin, cos, erf]) {
      const out = op(i32([1, 4]));
      expect(out.dtype, op.name).toBe('float32');
    }
    expect(sqrt(i32([4, 9])).toArray()).toEqual([2, 3]);
    expect(reciprocal(i32([2, 0])).toArray()).toEqual([0.5, Infinity]);
  });

  it('keeps int32 for abs, sign and square', () => {
    const x = i32([-3, 0, 2]);
    expect(abs(x).dtype).toBe('int32');
    expect(abs(x).toArray()).toEqual([3, 0, 2]);
    expect(sign(x).toArray()).toEqual([-1, 0, 1]);
    expect(square(x).dtype).toBe('int32');
    expect(square(x).toArray()).toEqual([9, 0, 4]);
  });

  it('keeps float64 as float64', () => {
    for (const [name, op] of Object.entries(ALL)) expect(op(f64([1])).dtype, name).toBe('float64');
  });
});

describe('unary gradients', () => {
  const gen = new Generator(2024);

  it('pass gradcheck over all reals for exp, abs, square, sin, cos, erf, sign', () => {
    for (const op of [exp, abs, square, sin, cos, erf, sign]) {
      expect(gradcheck(op, [randn64(gen, [2, 3])], { name: op.name })).toBe(true);
    }
  });

  it('pass gradcheck on positive inputs for log, sqrt, rsqrt, reciprocal', () => {
    for (const op of [log, sqrt, rsqrt, reciprocal]) {
      expect(gradcheck(op, [positive64(gen, [3, 2])], { name: op.name })).toBe(true);
    }
  });

  it('pass gradcheck on 0-d inputs and through compositions', () => {
    expect(gradcheck((x) => log(exp(x)), [randn64(gen, [])])).toBe(true);
    expect(gradcheck((x) => sqrt(square(x)), [positive64(gen, [4])])).toBe(true);
    expect(gradcheck((x) => erf(sin(x)), [randn64(gen, [1, 1])])).toBe(true);
  });

  it('gives abs the gradient sign(x), so 0 at 0, as PyTorch', () => {
    const x = f64([-2, 0, 3], true);
    abs(x).backward(f64([1, 1, 1]));
    expect(x.grad!.toArray()).toEqual([-1, 0, 1]);
  });

  it('gives sign a zero gradient while still recording it', () => {
    const x = f64([-2, 0, 3], true);
    const out = sign(x);
    expect(out.requiresGrad).toBe(true);
    out.backward(f64([1, 1, 1]));
    expect(x.grad!.toArray()).toEqual([0, 0, 0]);
  });

  it('matches the closed forms: sqrt′ = 1/(2√x), rsqrt′ = −x^(−3/2)/2, erf′ = 2/√π·e^(−x²)', () => {
    const x = f64([4], true);
    sqrt(x).backward(f64([1]));
    expect(x.grad!.item()).toBe(0.25);
    const y = f64([4], true);
    rsqrt(y).backward(f64([1]));
    expect(y.grad!.item()).toBe(-1 / 16);
    const z = f64([1], true);
    erf(z).backward(f64([1]));
    expectClose(z.grad!, [(2 / Math.sqrt(Math.PI)) * Math.exp(-1)], { rtol: 1e-15 });
  });

  it('records nothing when the input needs no gradient', () => {
    for (const [name, op] of Object.entries(ALL)) expect(op(f64([1])).requiresGrad, name).toBe(false);
  });
});
