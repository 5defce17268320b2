import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { gradcheck } from '../testing/gradcheck.js';
import { expectClose } from '../testing/expect-close.js';
import type { Tensor } from '../tensor.js';
import { add, div, maximum, minimum, mul, neg, pow, sub } from './arithmetic.js';
import { full, randn, tensor, zeros } from './creation.js';

const f64 = (data: Parameters<typeof tensor>[0], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });
const i32 = (data: Parameters<typeof tensor>[0]): Tensor => tensor(data, { dtype: 'int32' });

function randn64(gen: Generator, shape: number[]): Tensor {
  return randn(shape, { dtype: 'float64', requiresGrad: true, generator: gen });
}

/** Float64 values away from 0 (for divisors and bases of pow). */
function positive64(gen: Generator, shape: number[]): Tensor {
  const t = randn(shape, { dtype: 'float64', generator: gen });
  for (let i = 0; i < t.size; i++) t.data[i] = 0.5 + Math.abs(t.data[i]!);
  t.requiresGrad = true;
  return t;
}

describe('add, sub, mul, div: values', () => {
  it('compute elementwise on equal shapes', () => {
    const a = f64([
      [1, 2],
      [3, 4],
    ]);
    const b = f64([
      [10, 20],
      [30, 40],
    ]);
    expect(add(a, b).toArray()).toEqual([
      [11, 22],
      [33, 44],
    ]);
    expect(sub(a, b).toArray()).toEqual([
      [-9, -18],
      [-27, -36],
    ]);
    expect(mul(a, b).toArray()).toEqual([
      [10, 40],
      [90, 160],
    ]);
    expect(div(a, b).toArray()).toEqual([
      [0.1, 0.1],
      [0.1, 0.1],
    ]);
  });

  it('broadcast a row against a matrix, both ways, with rank-different shapes', () => {
    const m = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const row = f64([10, 20, 30]);
    expect(add(m, row).toArray()).toEqual([
      [11, 22, 33],
      [14, 25, 36],
    ]);
    expect(sub(row, m).toArray()).toEqual([
      [9, 18, 27],
      [6, 15, 24],
    ]);
    expect(mul(row, m).shape).toEqual([2, 3]);
  });

  it('broadcast a column against a row into a matrix', () => {
    const col = f64([[1], [2]]);
    const row = f64([10, 20, 30]);
    expect(add(col, row).toArray()).toEqual([
      [11, 21, 31],
      [12, 22, 32],
    ]);
    expect(mul(row, col).toArray()).toEqual([
      [10, 20, 30],
      [20, 40, 60],
    ]);
  });

  it('broadcast size-1 middle axes across rank 3', () => {
    const a = f64([[[1, 2]], [[3, 4]]]); // [2, 1, 2]
    const b = f64([
      [10, 20],
      [30, 40],
      [50, 60],
    ]); // [3, 2]
    const out = add(a, b);
    expect(out.shape).toEqual([2, 3, 2]);
    expect(out.toArray()).toEqual([
      [
        [11, 22],
        [31, 42],
        [51, 62],
      ],
      [
        [13, 24],
        [33, 44],
        [53, 64],
      ],
    ]);
  });

  it('take plain numbers on either side', () => {
    const x = f64([1, 2, 4]);
    expect(add(x, 1).toArray()).toEqual([2, 3, 5]);
    expect(add(1, x).toArray()).toEqual([2, 3, 5]);
    expect(sub(x, 1).toArray()).toEqual([0, 1, 3]);
    expect(sub(1, x).toArray()).toEqual([0, -1, -3]);
    expect(mul(2, x).toArray()).toEqual([2, 4, 8]);
    expect(div(x, 2).toArray()).toEqual([0.5, 1, 2]);
    expect(div(1, x).toArray()).toEqual([1, 0.5, 0.25]);
    expect(add(2, 3).item()).toBe(5);
  });

  it('keep 0-d tensors 0-d and size-1 dims as they are', () => {
    expect(add(f64(2), f64(3)).shape).toEqual([]);
    expect(add(f64([[1]]), f64(3)).shape).toEqual([1, 1]);
    expect(mul(f64([[1], [2]]), f64([[3]])).toArray()).toEqual([[3], [6]]);
  });

  it('produce empty results from empty inputs, broadcasting included', () => {
    expect(add(zeros([0, 3], { dtype: 'float64' }), f64([1, 2, 3])).shape).toEqual([0, 3]);
    expect(mul(zeros([0]), 2).shape).toEqual([0]);
    expect(add(zeros([2, 0]), zeros([1, 0])).shape).toEqual([2, 0]);
  });

  it('propagate NaN and follow IEEE for infinities and division by zero', () => {
    const out = add(f64([NaN, 1]), f64([1, NaN]));
    expect(out.toArray()).toEqual([NaN, NaN]);
    expect(div(f64([1, -1, 0]), 0).toArray()).toEqual([Infinity, -Infinity, NaN]);
    expect(mul(f64([Infinity]), 0).item()).toBeNaN();
  });

  it('throw ShapeError for shapes that do not broadcast', () => {
    expect(() => add(f64([[1, 2, 3]]), f64([1, 2]))).toThrow(ShapeError);
    expect(() => mul(zeros([2, 3]), zeros([3, 2]))).toThrow(ShapeError);
    expect(() => div(zeros([4]), zeros([0]))).toThrow(ShapeError);
  });
});

describe('arithmetic dtype promotion', () => {
  it('keeps int32 for int32 with int32 and with integer numbers', () => {
    const a = i32([1, 2, 3]);
    expect(add(a, i32([1, 1, 1])).dtype).toBe('int32');
    expect(mul(a, 3).dtype).toBe('int32');
    expect(sub(5, a).toArray()).toEqual([4, 3, 2]);
    expect(neg(a).dtype).toBe('int32');
  });

  it('divides int32 by int32 into float32 (true division)', () => {
    const q = div(i32([1, 7, -7]), i32([2, 2, 2]));
    expect(q.dtype).toBe('float32');
    expect(q.toArray()).toEqual([0.5, 3.5, -3.5]);
    expect(div(i32([3]), 2).dtype).toBe('float32');
  });

  it('promotes int32 with a fractional number to float32, and mixed floats to float64', () => {
    expect(add(i32([1]), 0.5).dtype).toBe('float32');
    expect(add(i32([1]), 0.5).item()).toBe(1.5);
    expect(mul(tensor([1], { dtype: 'float32' }), f64([2])).dtype).toBe('float64');
    expect(add(i32([1]), f64([0.25])).dtype).toBe('float64');
    expect(add(tensor([1]), 1e-10).dtype).toBe('float32');
  });

  it('wraps int32 overflow like C', () => {
    expect(mul(i32([1 << 30]), 4).item()).toBe(0);
    expect(add(i32([2147483647]), 1).item()).toBe(-2147483648);
  });

  it('computes int32 powers as int32 and rejects a negative number exponent', () => {
    const p = pow(i32([2, 3]), 2);
    expect(p.dtype).toBe('int32');
    expect(p.toArray()).toEqual([4, 9]);
    expect(pow(i32([2, 3]), i32([-1, 2])).toArray()).toEqual([0, 9]);
    expect(() => pow(i32([2]), -1)).toThrow(ValueError);
    expect(pow(i32([4]), 0.5).dtype).toBe('float32');
  });

  it('casts gradients back to each input dtype', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = f64([3, 4], true);
    const out = mul(a, b);
    expect(out.dtype).toBe('float64');
    out.backward(full([2], 1, { dtype: 'float64' }));
    expect(a.grad!.dtype).toBe('float32');
    expect(a.grad!.toArray()).toEqual([3, 4]);
    expect(b.grad!.dtype).toBe('float64');
  });

  it('refuses gradients on int32 tensors', () => {
    expect(() => tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow(DTypeError);
  });
});

describe('pow, maximum, minimum, neg: values', () => {
  it('pow computes a ** b with broadcasting and numbers on either side', () => {
    expect(pow(f64([1, 2, 3]), 2).toArray()).toEqual([1, 4, 9]);
    expect(pow(2, f64([0, 1, 3])).toArray()).toEqual([1, 2, 8]);
    expect(pow(f64([[2], [3]]), f64([1, 2])).toArray()).toEqual([
      [2, 4],
      [3, 9],
    ]);
    expect(pow(f64([-8]), 1 / 3).item()).toBeNaN();
    expect(pow(f64([NaN]), 0).item()).toBe(1);
  });

  it('maximum and minimum pick elementwise, broadcast, and propagate NaN', () => {
    const a = f64([
      [1, 5],
      [7, -2],
    ]);
    expect(maximum(a, f64([3, 0])).toArray()).toEqual([
      [3, 5],
      [7, 0],
    ]);
    expect(minimum(a, f64([3, 0])).toArray()).toEqual([
      [1, 0],
      [3, -2],
    ]);
    expect(maximum(a, 4).toArray()).toEqual([
      [4, 5],
      [7, 4],
    ]);
    expect(minimum(4, a).toArray()).toEqual([
      [1, 4],
      [4, -2],
    ]);
    expect(maximum(f64([NaN, 1]), f64([1, NaN])).toArray()).toEqual([NaN, NaN]);
    expect(minimum(f64([NaN, 1]), f64([1, NaN])).toArray()).toEqual([NaN, NaN]);
    expect(maximum(i32([1, 5]), i32([3, 2])).dtype).toBe('int32');
  });

  it('neg flips the sign and keeps the dtype', () => {
    expect(neg(f64([1, -2, 0])).toArray()).toEqual([-1, 2, -0]);
    expect(neg(i32([3])).toArray()).toEqual([-3]);
    expect(neg(zeros([0])).shape).toEqual([0]);
  });
});

describe('arithmetic gradients', () => {
  const gen = new Generator(7);

  it('add and sub pass gradcheck with broadcasting both ways', () => {
    for (const [sa, sb] of [
      [
        [2, 3],
        [2, 3],
      ],
      [[2, 3], [3]],
      [[3], [2, 3]],
      [
        [2, 1, 4],
        [3, 1],
      ],
      [[2, 3], []],
    ] as const) {
      const a = randn64(gen, [...sa]);
      const b = randn64(gen, [...sb]);
      expect(gradcheck(add, [a, b])).toBe(true);
      expect(gradcheck(sub, [a, b])).toBe(true);
    }
  });

  it('mul and div pass gradcheck with broadcasting both ways', () => {
    for (const [sa, sb] of [
      [
        [2, 3],
        [2, 3],
      ],
      [
        [2, 3],
        [1, 3],
      ],
      [
        [2, 1],
        [2, 3],
      ],
      [[4], [2, 3, 4]],
    ] as const) {
      const a = randn64(gen, [...sa]);
      const b = positive64(gen, [...sb]);
      expect(gradcheck(mul, [a, b])).toBe(true);
      expect(gradcheck(div, [a, b])).toBe(true);
      expect(gradcheck(div, [b, positive64(gen, [...sa])])).toBe(true);
    }
  });

  it('pow passes gradcheck in base and exponent with broadcasting', () => {
    const base = positive64(gen, [2, 3]);
    const exponent = randn64(gen, [3]);
    expect(gradcheck(pow, [base, exponent])).toBe(true);
    expect(gradcheck((x) => pow(x, 3), [randn64(gen, [4])])).toBe(true);
    expect(gradcheck((e) => pow(2, e), [randn64(gen, [2, 2])])).toBe(true);
  });

  it('maximum and minimum pass gradcheck with broadcasting away from ties', () => {
    const a = f64(
      [
        [0.1, 2.5, -1.2],
        [3.3, -0.7, 0.9],
      ],
      true,
    );
    const b = f64([1.1, -0.4, 0.2], true);
    expect(gradcheck(maximum, [a, b])).toBe(true);
    expect(gradcheck(minimum, [a, b])).toBe(true);
  });

  it('neg and the number-operand forms pass gradcheck', () => {
    const x = randn64(gen, [2, 3]);
    expect(gradcheck(neg, [x])).toBe(true);
    expect(gradcheck((t) => sub(1, t), [x])).toBe(true);
    expect(gradcheck((t) => div(3, add(mul(t, t), 1)), [x])).toBe(true);
  });

  it('accumulates the gradient of a tensor used twice', () => {
    const x = f64([1, -2, 3], true);
    mul(x, x).backward(f64([1, 1, 1]));
    expect(x.grad!.toArray()).toEqual([2, -4, 6]);
    const y = f64([1, 2], true);
    add(y, y).backward(f64([1, 1]));
    expect(y.grad!.toArray()).toEqual([2, 2]);
    const z = randn64(gen, [3]);
    expect(gradcheck((t) => mul(t, t), [z])).toBe(true);
    expect(gradcheck((t) => div(t, add(t, 3)), [z])).toBe(true);
  });

  it('sums a broadcast gradient back to the smaller shape', () => {
    const bias = f64([1, 2, 3], true);
    const m = f64([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    add(m, bias).backward(
      f64([
        [1, 1, 1],
        [1, 1, 1],
      ]),
    );
    expect(bias.grad!.toArray()).toEqual([2, 2, 2]);
    const s = f64(5, true);
    mul(m, s).backward(
      f64([
        [1, 1, 1],
        [1, 1, 1],
      ]),
    );
    expect(s.grad!.toArray()).toBe(9);
  });

  it('gives pow the gradients PyTorch gives at 0 ** 0 and 0 ** −1', () => {
    const a = f64([0, 0, 2], true);
    const e = f64([0, -1, 0], true);
    pow(a, e).backward(f64([1, 1, 1]));
    expectClose(a.grad!, [0, -Infinity, 0]);
    expectClose(e.grad!, [0, -Infinity, Math.LN2]);
  });

  it('splits maximum and minimum gradients on ties, and gives both sides g where NaN makes them incomparable', () => {
    const a = f64([NaN, 1, 2, 5], true);
    const b = f64([1, NaN, 2, 3], true);
    maximum(a, b).backward(f64([1, 1, 1, 1]));
    expect(a.grad!.toArray()).toEqual([1, 1, 0.5, 1]);
    expect(b.grad!.toArray()).toEqual([1, 1, 0.5, 0]);
    const c = f64([1, 2, 5], true);
    const d = f64([1, 3, 3], true);
    minimum(c, d).backward(f64([1, 1, 1]));
    expect(c.grad!.toArray()).toEqual([0.5, 1, 0]);
    expect(d.grad!.toArray()).toEqual([0.5, 0, 1]);
  });

  it('back-propagates through empty tensors to empty gradients', () => {
    const x = zeros([0, 2], { dtype: 'float64', requiresGrad: true });
    const w = f64([1, 2], true);
    mul(x, w).backward(zeros([0, 2], { dtype: 'float64' }));
    expect(x.grad!.shape).toEqual([0, 2]);
    expect(w.grad!.toArray()).toEqual([0, 0]);
  });

  it('records nothing for inputs that need no gradient', () => {
    expect(add(f64([1]), f64([2])).requiresGrad).toBe(false);
    expect(add(f64([1], true), 2).requiresGrad).toBe(true);
  });
});

describe('dtype promotion with 0-d tensors', () => {
  it('follows PyTorch: a 0-d tensor widens only across kinds', async () => {
    const { tensor } = await import('./creation.js');
    const { add } = await import('./arithmetic.js');
    const f64scalar = tensor(1.5, { dtype: 'float64' });
    expect(add(tensor([1, 2, 3]), f64scalar).dtype).toBe('float32');
    expect(add(tensor([1, 2, 3], { dtype: 'int32' }), f64scalar).dtype).toBe('float64');
    expect(add(tensor(1), f64scalar).dtype).toBe('float64');
  });
});
