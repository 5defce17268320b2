import { describe, expect, it } from 'vitest';
import { DTypeError, IndexError, ShapeError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { expectClose } from '../testing/expect-close.js';
import { gradcheck } from '../testing/gradcheck.js';
import type { Tensor } from '../tensor.js';
import { mul } from './arithmetic.js';
import { randn, tensor } from './creation.js';
import { dropout } from './dropout.js';
import { embedding, embeddingProjection, embeddingSource } from './indexing.js';
import { linear } from './matmul.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';

const i32 = (data: Parameters<typeof tensor>[0]): Tensor => tensor(data, { dtype: 'int32' });

function gradsOf(fn: (w: Tensor, p: Tensor) => Tensor, w: Tensor, p: Tensor, seed: Tensor): [Tensor, Tensor, Tensor] {
  w.grad = null;
  p.grad = null;
  const out = fn(w, p);
  sum(mul(out, seed)).backward();
  return [out, w.grad!, p.grad!];
}

describe('embeddingProjection', () => {
  const gen = new Generator(3);
  // 4 rows, 3 features, projected to 5; repeated indices, [3, 4] of them.
  const weight = randn([4, 3], { dtype: 'float64', requiresGrad: true, generator: gen });
  const projection = randn([5, 3], { dtype: 'float64', requiresGrad: true, generator: gen });
  const indices = i32([
    [0, 2, 2, 3],
    [1, 1, 0, 2],
    [3, 3, 3, 0],
  ]);
  const seed = randn([3, 4, 5], { dtype: 'float64', generator: gen });

  it('equals linear(embedding(weight, indices), projection) with the same gradients', () => {
    const folded = gradsOf((w, p) => embeddingProjection(w, indices, p), weight, projection, seed);
    const plain = gradsOf((w, p) => linear(embedding(w, indices), p), weight, projection, seed);
    expect(folded[0].shape).toEqual([3, 4, 5]);
    folded.forEach((t, k) => expectClose(t, plain[k]!, { rtol: 1e-12, atol: 1e-12 }));
  });

  it('gives the padding row no gradient but lets its lookups reach the projection', () => {
    // A non-zero padding row (as fromPretrained keeps it) makes the projection's gradient depend on it.
    const options = { paddingIdx: 3 };
    const folded = gradsOf((w, p) => embeddingProjection(w, indices, p, options), weight, projection, seed);
    const plain = gradsOf((w, p) => linear(embedding(w, indices, options), p), weight, projection, seed);
    folded.forEach((t, k) => expectClose(t, plain[k]!, { rtol: 1e-12, atol: 1e-12 }));
    expect(Array.from(folded[1].data.subarray(9, 12))).toEqual([0, 0, 0]);
  });

  it('passes a float64 gradient check', () => {
    expect(gradcheck((w, p) => embeddingProjection(w, indices, p), [weight, projection])).toBe(true);
  });

  it('matches the composition in float32 to rounding', () => {
    const g = new Generator(5);
    const w = randn([6, 8], { generator: g });
    const p = randn([16, 8], { generator: g });
    const idx = i32(Array.from({ length: 40 }, (_, k) => (k * 7) % 6));
    expectClose(embeddingProjection(w, idx, p), linear(embedding(w, idx), p), { rtol: 1e-5, atol: 1e-5 });
  });

  it('refuses mixed dtypes, shapes that do not fit and indices out of range', () => {
    expect(() => embeddingProjection(weight, indices, randn([5, 3]))).toThrow(DTypeError);
    expect(() => embeddingProjection(weight, tensor([0, 1]), projection)).toThrow(DTypeError);
    expect(() => embeddingProjection(weight, indices, randn([5, 2], { dtype: 'float64' }))).toThrow(ShapeError);
    expect(() => embeddingProjection(weight, i32([0, 4]), projection)).toThrow(IndexError);
    expect(() => embeddingProjection(weight, indices, projection, { paddingIdx: 4 })).toThrow(IndexError);
  });
});

describe('embeddingSource', () => {
  const gen = new Generator(7);
  const tokens = (): Tensor => i32([0, 1, 2, 1, 0, 2, 2]);

  it('names the weight and a copy of the indices of an embedding output with more lookups than rows', () => {
    const weight = randn([3, 2], { requiresGrad: true, generator: gen });
    const given = tokens();
    const out = embedding(weight, given, { paddingIdx: 1 });
    const source = embeddingSource(out)!;
    expect(source.weight).toBe(weight);
    expect(source.paddingIdx).toBe(1);
    given.data[0] = 2;
    expect(Array.from(source.indices.data)).toEqual([0, 1, 2, 1, 0, 2, 2]);
  });

  it('is undefined for results computed from the output, for few lookups and after the weight changed', () => {
    const weight = randn([3, 2], { requiresGrad: true, generator: gen });
    const out = embedding(weight, tokens());
    expect(embeddingSource(reshape(out, [7, 2]))).toBeUndefined();
    expect(embeddingSource(dropout(out, 0.5, { training: true, generator: gen }))).toBeUndefined();
    expect(embeddingSource(out.detach())).toBeUndefined();
    expect(embeddingSource(embedding(weight, i32([0, 1, 2])))).toBeUndefined();
    weight.data[0] = weight.data[0]! + 1; // as an optimizer step between the lookup and its reader
    expect(embeddingSource(out)).toBeUndefined();
  });
});
