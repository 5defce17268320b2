import { describe, expect, it } from 'vitest';
import { DTypeError, IndexError, ShapeError, ValueError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { expectClose } from '../testing/expect-close.js';
import { gradcheck } from '../testing/gradcheck.js';
import type { Tensor } from '../tensor.js';
import { mul, sub } from './arithmetic.js';
import { indexSelect } from './indexing.js';
import { randn, tensor } from './creation.js';
import { sum } from './reduce.js';
import { scatter, segmentSoftmax, type ScatterReduce } from './segment.js';
import { select } from './slice.js';
import { softmax } from './softmax.js';

const i32 = (values: readonly number[]): Tensor => tensor(values, { dtype: 'int32' });
const f64 = (data: Parameters<typeof tensor>[0], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });

/** The reduction of each segment and trailing position by plain loops (empty segments 0). */
function scatterReference(src: number[][], index: readonly number[], dimSize: number, reduce: ScatterReduce): number[][] {
  const width = src[0]?.length ?? 0;
  return Array.from({ length: dimSize }, (_, s) =>
    Array.from({ length: width }, (_, i) => {
      const members = index.flatMap((t, e) => (t === s ? [src[e]![i]!] : []));
      if (members.length === 0) return 0;
      if (reduce === 'max') return Math.max(...members);
      if (reduce === 'min') return Math.min(...members);
      const total = members.reduce((a, b) => a + b, 0);
      return reduce === 'sum' ? total : total / members.length;
    }),
  );
}

function randomIndex(gen: Generator, entries: number, dimSize: number): number[] {
  // Segment 1 is never used: an empty segment in the middle.
  return Array.from({ length: entries }, () => {
    const s = gen.integer(0, dimSize);
    return s === 1 ? 0 : s;
  });
}

const REDUCES: readonly ScatterReduce[] = ['sum', 'mean', 'max', 'min'];

describe('scatter', () => {
  it('reduces the torch_scatter example, leaving an empty segment at 0', () => {
    const src = tensor([1, 2, 3, 4, 5, 6]);
    const index = i32([0, 1, 0, 1, 2, 1]);
    expect(scatter(src, index, { dimSize: 4 }).toArray()).toEqual([4, 12, 5, 0]);
    expect(scatter(src, index, { dimSize: 4, reduce: 'mean' }).toArray()).toEqual([2, 4, 5, 0]);
    expect(scatter(src, index, { dimSize: 4, reduce: 'max' }).toArray()).toEqual([3, 6, 5, 0]);
    expect(scatter(src, index, { dimSize: 4, reduce: 'min' }).toArray()).toEqual([1, 2, 5, 0]);
  });

  for (const reduce of REDUCES) {
    it(`matches a loop reference with ${reduce}, an unsorted index, trailing axes and empty segments`, () => {
      const gen = new Generator(REDUCES.indexOf(reduce) + 40);
      const index = randomIndex(gen, 11, 5);
      const src = randn([11, 3], { dtype: 'float64', generator: gen });
      const expected = scatterReference(src.toArray() as number[][], index, 5, reduce);
      expectClose(scatter(src, i32(index), { dimSize: 5, reduce }), expected, { rtol: 1e-12, atol: 1e-12 });
      const src32 = src.to('float32');
      const out32 = scatter(src32, i32(index), { dimSize: 5, reduce });
      expect(out32.dtype).toBe('float32');
      expectClose(out32, expected, { rtol: 1e-5, atol: 1e-6 });
      // Trailing axes broadcast the index: [E, 3] viewed as [E, 1, 3] gives [dimSize, 1, 3].
      expect(scatter(src.reshape([11, 1, 3]), i32(index), { dimSize: 5, reduce }).shape).toEqual([5, 1, 3]);
    });

    it(`is differentiable with ${reduce}`, () => {
      const gen = new Generator(REDUCES.indexOf(reduce) + 50);
      const index = i32(randomIndex(gen, 9, 4));
      const src = randn([9, 2], { dtype: 'float64', requiresGrad: true, generator: gen });
      expect(gradcheck((s) => scatter(s, index, { dimSize: 4, reduce }), [src])).toBe(true);
      const vector = randn([9], { dtype: 'float64', requiresGrad: true, generator: gen });
      expect(gradcheck((s) => scatter(s, index, { dimSize: 4, reduce }), [vector])).toBe(true);
    });
  }

  it('gives the max / min gradient to the first entry that attains it, NaN counting as the extreme', () => {
    const index = i32([0, 0, 0, 1, 1]);
    for (const reduce of ['max', 'min'] as const) {
      const src = f64([2, 2, reduce === 'max' ? 1 : 3, 5, 5], true);
      sum(mul(scatter(src, index, { dimSize: 2, reduce }), f64([10, 100]))).backward();
      expect(src.grad!.toArray()).toEqual([10, 0, 0, 100, 0]);
    }
    const withNaN = scatter(f64([1, NaN, 3, NaN]), i32([0, 0, 0, 0]), { dimSize: 1, reduce: 'max' });
    expect(Number.isNaN(withNaN.data[0])).toBe(true);
  });

  it('takes int32 src for sum, max and min', () => {
    const src = tensor([3, -1, 7], { dtype: 'int32' });
    const index = i32([1, 1, 0]);
    expect(scatter(src, index, { dimSize: 2 }).toArray()).toEqual([7, 2]);
    expect(scatter(src, index, { dimSize: 2, reduce: 'min' }).toArray()).toEqual([7, -1]);
    expect(scatter(src, index, { dimSize: 2, reduce: 'max' }).dtype).toBe('int32');
    expect(() => scatter(src, index, { dimSize: 2, reduce: 'mean' })).toThrow(DTypeError);
  });

  it('handles no entries and no segments', () => {
    expect(scatter(tensor([]), i32([]), { dimSize: 3, reduce: 'max' }).toArray()).toEqual([0, 0, 0]);
    expect(scatter(randn([0, 2]), i32([]), { dimSize: 0, reduce: 'mean' }).shape).toEqual([0, 2]);
  });

  it('rejects bad indices, shapes, dimSize and reductions with typed errors', () => {
    const src = tensor([1, 2, 3]);
    expect(() => scatter(src, tensor([0, 1, 2]), { dimSize: 3 })).toThrow(DTypeError);
    expect(() => scatter(src, i32([0, 1, 3]), { dimSize: 3 })).toThrow(IndexError);
    expect(() => scatter(src, i32([0, -1, 2]), { dimSize: 3 })).toThrow(IndexError);
    expect(() => scatter(src, i32([0, 1]), { dimSize: 3 })).toThrow(ShapeError);
    expect(() => scatter(src, tensor([[0, 1, 2]], { dtype: 'int32' }), { dimSize: 3 })).toThrow(ShapeError);
    expect(() => scatter(tensor(1), i32([0]), { dimSize: 3 })).toThrow(ShapeError);
    expect(() => scatter(src, i32([0, 1, 2]), { dimSize: -1 })).toThrow(ValueError);
    expect(() => scatter(src, i32([0, 1, 2]), { dimSize: 2.5 })).toThrow(ValueError);
    expect(() => scatter(src, i32([0, 1, 2]), { dimSize: 3, reduce: 'prod' as ScatterReduce })).toThrow(ValueError);
  });
});

describe('segmentSoftmax', () => {
  it('equals the dense softmax of each segment, for [E] and [E, H] scores', () => {
    const gen = new Generator(60);
    const index = randomIndex(gen, 12, 5);
    const src = randn([12, 3], { dtype: 'float64', generator: gen });
    const out = segmentSoftmax(src, i32(index), { dimSize: 5 });
    for (let s = 0; s < 5; s++) {
      const members = index.flatMap((t, e) => (t === s ? [e] : []));
      for (let h = 0; h < 3; h++) {
        const scores = f64(members.map((e) => src.data[e * 3 + h]!));
        const got = members.map((e) => out.data[e * 3 + h]!);
        if (members.length > 0) expectClose(got, softmax(scores), { rtol: 1e-12, atol: 1e-15 });
      }
    }
    const column = segmentSoftmax(select(src, 1, 0), i32(index), { dimSize: 5 });
    expectClose(column, select(out, 1, 0), { rtol: 1e-12, atol: 0 });
    const out32 = segmentSoftmax(src.to('float32'), i32(index), { dimSize: 5 });
    expect(out32.dtype).toBe('float32');
    expectClose(out32, out, { rtol: 1e-5, atol: 1e-7 });
  });

  it('is stable for huge scores, gives −Infinity entries 0 and an all −Infinity segment NaN', () => {
    const out = segmentSoftmax(f64([1000, 1001, -Infinity, 3, -Infinity]), i32([0, 0, 0, 1, 2]), { dimSize: 3 });
    expectClose(Array.from(out.data).slice(0, 4), [1 / (1 + Math.E), Math.E / (1 + Math.E), 0, 1], { rtol: 1e-12, atol: 0 });
    expect(Number.isNaN(out.data[4])).toBe(true);
  });

  it('writes nothing for empty segments and works with no entries', () => {
    const out = segmentSoftmax(f64([0.5, -0.5]), i32([3, 3]), { dimSize: 6 });
    expectClose(out, softmax(f64([0.5, -0.5])), { rtol: 1e-12, atol: 0 });
    expect(segmentSoftmax(tensor([]), i32([]), { dimSize: 4 }).shape).toEqual([0]);
  });

  it('is differentiable for [E] and [E, H] scores', () => {
    const gen = new Generator(61);
    const index = i32(randomIndex(gen, 8, 4));
    const vector = randn([8], { dtype: 'float64', requiresGrad: true, generator: gen });
    expect(gradcheck((s) => segmentSoftmax(s, index, { dimSize: 4 }), [vector])).toBe(true);
    const heads = randn([8, 2], { dtype: 'float64', requiresGrad: true, generator: gen });
    expect(gradcheck((s) => segmentSoftmax(s, index, { dimSize: 4 }), [heads])).toBe(true);
  });

  it('back-propagates y ⊙ (g − Σ_segment g ⊙ y) in float32 as the composed ops did, across empty segments', () => {
    const gen = new Generator(62);
    const index = i32(randomIndex(gen, 40, 9));
    const src = randn([40, 3], { requiresGrad: true, generator: gen });
    const upstream = randn([40, 3], { generator: gen });
    const y = segmentSoftmax(src, index, { dimSize: 9 });
    sum(mul(y, upstream)).backward();
    // The backward as it was: two products, a scatter-sum, a gather and a subtraction.
    const gy = mul(upstream, y.detach());
    const composed = sub(gy, mul(y.detach(), indexSelect(scatter(gy, index, { dimSize: 9 }), 0, index)));
    expect(src.grad!.dtype).toBe('float32');
    expectClose(src.grad!, composed, { rtol: 1e-5, atol: 1e-7 });
  });

  it('rejects int32 scores, bad indices and shapes', () => {
    expect(() => segmentSoftmax(tensor([1, 2], { dtype: 'int32' }), i32([0, 0]), { dimSize: 1 })).toThrow(DTypeError);
    expect(() => segmentSoftmax(tensor([1, 2]), tensor([0, 0]), { dimSize: 1 })).toThrow(DTypeError);
    expect(() => segmentSoftmax(tensor([1, 2]), i32([0, 1]), { dimSize: 1 })).toThrow(IndexError);
    expect(() => segmentSoftmax(tensor([1, 2]), i32([0]), { dimSize: 1 })).toThrow(ShapeError);
    expect(() => segmentSoftmax(tensor([1, 2]), i32([0, 0]), { dimSize: Number.NaN })).toThrow(ValueError);
  });
});
