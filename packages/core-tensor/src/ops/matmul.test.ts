import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { contiguousStrides, shapeSize } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { expectClose } from '../testing/expect-close.js';
import { gradcheck } from '../testing/gradcheck.js';
import { randn, tensor, zeros } from './creation.js';
import { bmm, dot, linear, matmul, mm, outer } from './matmul.js';

const gen = new Generator(7);

function randn64(shape: number[], requiresGrad = true): Tensor {
  return randn(shape, { dtype: 'float64', requiresGrad, generator: gen });
}

/** torch.matmul from its definition, in doubles: returns the result's shape and values. */
function reference(a: Tensor, b: Tensor): { shape: number[]; values: Float64Array } {
  const aShape = a.ndim === 1 ? [1, a.shape[0]!] : [...a.shape];
  const bShape = b.ndim === 1 ? [b.shape[0]!, 1] : [...b.shape];
  const m = aShape[aShape.length - 2]!;
  const k = aShape[aShape.length - 1]!;
  const n = bShape[bShape.length - 1]!;
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const pad = (s: number[]): number[] => [...new Array<number>(rank - s.length).fill(1), ...s];
  const pa = pad(aBatch);
  const pb = pad(bBatch);
  const batch = pa.map((d, i) => Math.max(d, pb[i]!));
  const values = new Float64Array(shapeSize(batch) * m * n);
  const aStrides = contiguousStrides(pa);
  const bStrides = contiguousStrides(pb);
  for (let t = 0; t < shapeSize(batch); t++) {
    let rest = t;
    let aOff = 0;
    let bOff = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const idx = rest % batch[d]!;
      rest = Math.floor(rest / batch[d]!);
      if (pa[d]! > 1) aOff += idx * aStrides[d]!;
      if (pb[d]! > 1) bOff += idx * bStrides[d]!;
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.data[aOff * m * k + i * k + p]! * b.data[bOff * k * n + p * n + j]!;
        values[t * m * n + i * n + j] = s;
      }
    }
  }
  const shape = [...batch];
  if (a.ndim > 1) shape.push(m);
  if (b.ndim > 1) shape.push(n);
  return { shape, values };
}

function expectMatchesReference(a: Tensor, b: Tensor): void {
  const out = matmul(a, b);
  const ref = reference(a, b);
  expect(out.shape).toEqual(ref.shape);
  expectClose(out.data, ref.values, { rtol: 1e-10, atol: 1e-10 });
}

describe('matmul: values', () => {
  it('multiplies two matrices', () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tensor([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    const c = matmul(a, b);
    expect(c.dtype).toBe('float32');
    expect(c.toArray()).toEqual([
      [58, 64],
      [139, 154],
    ]);
    expect(a.matmul(b).toArray()).toEqual([
      [58, 64],
      [139, 154],
    ]);
  });

  it('gives a 0-d dot product for two vectors', () => {
    const c = matmul(tensor([1, 2, 3]), tensor([4, 5, 6]));
    expect(c.shape).toEqual([]);
    expect(c.item()).toBe(32);
  });

  it('prepends and removes an axis for a vector on the left, appends and removes one on the right', () => {
    const v = tensor([1, 2]);
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(matmul(v, m).toArray()).toEqual([9, 12, 15]);
    expect(
      matmul(
        tensor([
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
        v,
      ).toArray(),
    ).toEqual([5, 11, 17]);
  });

  it('matches the definition for vectors against batches', () => {
    expectMatchesReference(randn64([4], false), randn64([3, 4, 5], false));
    expectMatchesReference(randn64([2, 3, 4, 5], false), randn64([5], false));
  });

  it('broadcasts batch axes: shared, stacked, and partially broadcast operands', () => {
    expectMatchesReference(randn64([5, 3, 4], false), randn64([4, 2], false));
    expectMatchesReference(randn64([3, 4], false), randn64([5, 4, 2], false));
    expectMatchesReference(randn64([1, 3, 4], false), randn64([6, 4, 2], false));
    expectMatchesReference(randn64([2, 1, 3, 4], false), randn64([1, 3, 4, 5], false));
    expectMatchesReference(randn64([2, 3, 3, 4], false), randn64([3, 4, 5], false));
    expectMatchesReference(randn64([7, 1, 2, 3], false), randn64([4, 3, 2], false));
  });

  it('matches the definition on sizes that take the blocked kernel path', () => {
    expectMatchesReference(randn64([70, 300], false), randn64([300, 45], false));
    expectMatchesReference(randn64([3, 33, 40], false), randn64([40, 37], false));
  });

  it('handles size-1 dimensions', () => {
    expectMatchesReference(randn64([1, 1], false), randn64([1, 1], false));
    expectMatchesReference(randn64([1, 5], false), randn64([5, 1], false));
    expectMatchesReference(randn64([4, 1], false), randn64([1, 3], false));
    expectMatchesReference(randn64([1], false), randn64([1, 1, 6], false));
  });

  it('returns empty results for empty operands and zeros when the inner size is 0', () => {
    expect(matmul(zeros([0, 3]), zeros([3, 4])).shape).toEqual([0, 4]);
    expect(matmul(zeros([2, 3]), zeros([3, 0])).shape).toEqual([2, 0]);
    expect(matmul(zeros([0, 2, 3]), zeros([3, 4])).shape).toEqual([0, 2, 4]);
    const c = matmul(zeros([2, 0]), zeros([0, 3]));
    expect(c.toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(matmul(zeros([0]), zeros([0])).item()).toBe(0);
  });

  it('propagates NaN and Infinity', () => {
    const a = tensor(
      [
        [NaN, 1],
        [1, 1],
      ],
      { dtype: 'float64' },
    );
    const b = tensor(
      [
        [1, 2],
        [Infinity, 1],
      ],
      { dtype: 'float64' },
    );
    const c = matmul(a, b).toArray() as number[][];
    expect(c[0]![0]).toBeNaN();
    expect(c[0]![1]).toBeNaN();
    expect(c[1]![0]).toBe(Infinity);
    expect(c[1]![1]).toBe(3);
  });

  it('rounds float32 results to float32 and promotes a float32 · float64 pair to float64', () => {
    const a = tensor([[0.1, 0.2]]);
    const b = tensor([[0.3], [0.4]]);
    const c = matmul(a, b);
    expect(c.dtype).toBe('float32');
    expect(c.item()).toBe(Math.fround(Math.fround(0.1) * Math.fround(0.3) + Math.fround(0.2) * Math.fround(0.4)));
    expect(matmul(a, tensor([[0.3], [0.4]], { dtype: 'float64' })).dtype).toBe('float64');
  });
});

describe('matmul: errors', () => {
  it('rejects int32 operands with DTypeError', () => {
    expect(() => matmul(tensor([[1, 2]], { dtype: 'int32' }), tensor([[1], [2]]))).toThrow(DTypeError);
    expect(() => mm(tensor([[1, 2]]), tensor([[1], [2]], { dtype: 'int32' }))).toThrow(DTypeError);
  });

  it('rejects differing inner sizes, 0-d operands and batches that do not broadcast with ShapeError', () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(ShapeError);
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow('matmul: inner dimensions differ: a is [2, 3], b is [4, 5]');
    expect(() => matmul(zeros([3]), zeros([4]))).toThrow(ShapeError);
    expect(() => matmul(zeros([3]), zeros([2, 4]))).toThrow(ShapeError);
    expect(() => matmul(zeros([2, 3]), zeros([2]))).toThrow(ShapeError);
    expect(() => matmul(zeros([]), zeros([2]))).toThrow(ShapeError);
    expect(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 4]))).toThrow(ShapeError);
  });
});

describe('matmul: gradients', () => {
  it('passes gradcheck for matrix · matrix and the vector cases', () => {
    expect(gradcheck(matmul, [randn64([3, 4]), randn64([4, 2])])).toBe(true);
    expect(gradcheck(matmul, [randn64([4]), randn64([4])])).toBe(true);
    expect(gradcheck(matmul, [randn64([4]), randn64([4, 3])])).toBe(true);
    expect(gradcheck(matmul, [randn64([3, 4]), randn64([4])])).toBe(true);
    expect(gradcheck(matmul, [randn64([3]), randn64([2, 3, 2])])).toBe(true);
    expect(gradcheck(matmul, [randn64([2, 2, 3]), randn64([3])])).toBe(true);
  });

  it('passes gradcheck for stacked and broadcast batches', () => {
    expect(gradcheck(matmul, [randn64([2, 3, 4]), randn64([2, 4, 2])])).toBe(true);
    expect(gradcheck(matmul, [randn64([3, 2, 4]), randn64([4, 3])])).toBe(true); // shared B (folded dB)
    expect(gradcheck(matmul, [randn64([2, 4]), randn64([3, 4, 2])])).toBe(true); // shared A
    expect(gradcheck(matmul, [randn64([1, 2, 3]), randn64([3, 3, 2])])).toBe(true);
    expect(gradcheck(matmul, [randn64([2, 1, 2, 3]), randn64([1, 3, 3, 2])])).toBe(true); // partial
    expect(gradcheck(matmul, [randn64([2, 3, 2, 3]), randn64([3, 3, 2])])).toBe(true);
  });

  it('passes gradcheck when only one operand requires a gradient', () => {
    expect(gradcheck(matmul, [randn64([3, 2, 4]), randn64([4, 3], false)])).toBe(true);
    expect(gradcheck(matmul, [randn64([2, 4], false), randn64([3, 4, 2])])).toBe(true);
  });

  it('sums the gradient of a shared weight over the batch', () => {
    const x = randn64([5, 3, 4], false);
    const w = randn64([4, 2]);
    matmul(x, w).sum().backward();
    // d(Σ x·w)/dw[p, j] = Σ_{t,i} x[t, i, p]
    const expected = new Float64Array(8);
    for (let t = 0; t < 15; t++) for (let p = 0; p < 4; p++) for (let j = 0; j < 2; j++) expected[p * 2 + j]! += x.data[t * 4 + p]!;
    expectClose(w.grad!.data, expected, { rtol: 1e-12, atol: 1e-12 });
  });
});

describe('mm, bmm', () => {
  it('mm multiplies 2-D matrices and rejects other ranks', () => {
    expectClose(mm(tensor([[1, 2]]), tensor([[3], [4]])), [[11]]);
    expect(() => mm(zeros([2]), zeros([2, 2]))).toThrow(ShapeError);
    expect(() => mm(zeros([1, 2, 2]), zeros([2, 2]))).toThrow(ShapeError);
    expect(() => mm(zeros([2, 3]), zeros([2, 3]))).toThrow(ShapeError);
    expect(gradcheck(mm, [randn64([3, 4]), randn64([4, 5])])).toBe(true);
  });

  it('bmm multiplies equal batches and rejects broadcasting and other ranks', () => {
    const a = randn64([3, 2, 4], false);
    const b = randn64([3, 4, 5], false);
    expectClose(bmm(a, b).data, reference(a, b).values, { rtol: 1e-10, atol: 1e-10 });
    expect(() => bmm(randn64([1, 2, 4], false), b)).toThrow(ShapeError);
    expect(() => bmm(randn64([2, 4], false), randn64([4, 5], false))).toThrow(ShapeError);
    expect(() => bmm(randn64([3, 2, 3], false), b)).toThrow(ShapeError);
    expect(gradcheck(bmm, [randn64([2, 3, 4]), randn64([2, 4, 2])])).toBe(true);
  });
});

describe('linear', () => {
  function linearReference(x: Tensor, w: Tensor, bias: Tensor | null): Float64Array {
    const inF = w.shape[1]!;
    const outF = w.shape[0]!;
    const rows = x.size / inF;
    const out = new Float64Array(rows * outF);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < outF; o++) {
        let s = bias ? bias.data[o]! : 0;
        for (let i = 0; i < inF; i++) s += x.data[r * inF + i]! * w.data[o * inF + i]!;
        out[r * outF + o] = s;
      }
    }
    return out;
  }

  it('computes x · Wᵀ + b with the weight stored [out, in], for 1-D, 2-D and 3-D inputs', () => {
    const w = randn64([5, 4], false);
    const bias = randn64([5], false);
    for (const shape of [[4], [3, 4], [2, 3, 4]]) {
      const x = randn64(shape, false);
      const y = linear(x, w, bias);
      expect(y.shape).toEqual([...shape.slice(0, -1), 5]);
      expectClose(y.data, linearReference(x, w, bias), { rtol: 1e-10, atol: 1e-10 });
      expectClose(linear(x, w).data, linearReference(x, w, null), { rtol: 1e-10, atol: 1e-10 });
    }
  });

  it('rejects mismatched features, a non-2-D weight, a wrong bias and int32 inputs', () => {
    expect(() => linear(zeros([3, 4]), zeros([5, 3]))).toThrow(ShapeError);
    expect(() => linear(zeros([3, 4]), zeros([4]))).toThrow(ShapeError);
    expect(() => linear(zeros([]), zeros([5, 4]))).toThrow(ShapeError);
    expect(() => linear(zeros([3, 4]), zeros([5, 4]), zeros([4]))).toThrow(ShapeError);
    expect(() => linear(zeros([3, 4], { dtype: 'int32' }), zeros([5, 4]))).toThrow(DTypeError);
  });

  it('passes gradcheck with and without bias, on 1-D, 2-D and batched inputs', () => {
    expect(gradcheck(linear, [randn64([3, 4]), randn64([2, 4]), randn64([2])])).toBe(true);
    expect(gradcheck((x, w) => linear(x, w), [randn64([3, 4]), randn64([2, 4])])).toBe(true);
    expect(gradcheck(linear, [randn64([4]), randn64([3, 4]), randn64([3])])).toBe(true);
    expect(gradcheck(linear, [randn64([2, 3, 4]), randn64([2, 4]), randn64([2])])).toBe(true);
  });
});

describe('outer, dot', () => {
  it('outer gives the [n, m] table of products', () => {
    expect(outer(tensor([1, 2]), tensor([3, 4, 5])).toArray()).toEqual([
      [3, 4, 5],
      [6, 8, 10],
    ]);
    expect(outer(zeros([0]), zeros([3])).shape).toEqual([0, 3]);
    expect(() => outer(zeros([2, 1]), zeros([3]))).toThrow(ShapeError);
    expect(gradcheck(outer, [randn64([3]), randn64([4])])).toBe(true);
  });

  it('dot sums the products into a 0-d tensor and needs equal lengths', () => {
    const d = dot(tensor([1, 2, 3]), tensor([4, 5, 6]));
    expect(d.shape).toEqual([]);
    expect(d.item()).toBe(32);
    expect(dot(zeros([0]), zeros([0])).item()).toBe(0);
    expect(() => dot(zeros([3]), zeros([4]))).toThrow(ShapeError);
    expect(() => dot(zeros([3, 1]), zeros([3]))).toThrow(ShapeError);
    expect(gradcheck(dot, [randn64([5]), randn64([5])])).toBe(true);
  });
});
