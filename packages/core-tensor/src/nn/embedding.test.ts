import { describe, expect, it } from 'vitest';
import { IndexError, ShapeError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { Generator } from '../random/generator.js';
import { expectClose } from '../testing/expect-close.js';
import { gradcheck } from '../testing/gradcheck.js';
import { Embedding } from './embedding.js';

const idx = (data: Parameters<typeof tensor>[0]) => tensor(data, { dtype: 'int32' });

describe('Embedding', () => {
  it('looks up rows: [*] indices give [*, embeddingDim]', () => {
    const emb = new Embedding({ numEmbeddings: 5, embeddingDim: 3, generator: new Generator(0) });
    const y = emb.call(
      idx([
        [4, 0],
        [2, 4],
      ]),
    );
    expect(y.shape).toEqual([2, 2, 3]);
    const row = (i: number) => Array.from(emb.weight.data.subarray(i * 3, i * 3 + 3));
    expect(Array.from(y.data)).toEqual([...row(4), ...row(0), ...row(2), ...row(4)]);
  });

  it('initialises from N(0, 1)', () => {
    const emb = new Embedding({ numEmbeddings: 1000, embeddingDim: 100, generator: new Generator(1) });
    let sum = 0;
    let sq = 0;
    for (const v of emb.weight.data) {
      sum += v;
      sq += v * v;
    }
    const n = emb.weight.size;
    expect(Math.abs(sum / n)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.02);
  });

  it('zeroes the padding row at init and gives it no gradient', () => {
    const emb = new Embedding({ numEmbeddings: 4, embeddingDim: 2, paddingIdx: -1, dtype: 'float64', generator: new Generator(2) });
    expect(emb.paddingIdx).toBe(3);
    expect(emb.weight.toArray()).toContainEqual([0, 0]);
    expect((emb.weight.toArray() as number[][])[3]).toEqual([0, 0]);
    emb
      .call(idx([3, 1, 3]))
      .sum()
      .backward();
    expect(emb.weight.grad!.toArray()).toEqual([
      [0, 0],
      [1, 1],
      [0, 0],
      [0, 0],
    ]);
  });

  it('passes gradcheck in its weight, repeated indices accumulating', () => {
    const emb = new Embedding({ numEmbeddings: 4, embeddingDim: 3, dtype: 'float64', generator: new Generator(3) });
    const indices = idx([
      [1, 3, 1],
      [0, 1, 2],
    ]);
    expect(gradcheck(() => emb.call(indices).mul(emb.call(indices)), [emb.weight])).toBe(true);
  });

  it('builds from pretrained weights, frozen by default', () => {
    const weights = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const frozen = Embedding.fromPretrained(weights);
    expect(frozen.weight.requiresGrad).toBe(false);
    expect(frozen.weight.data).toBe(weights.data);
    expect(frozen.call(idx([2, 0])).toArray()).toEqual([
      [5, 6],
      [1, 2],
    ]);
    const trainable = Embedding.fromPretrained(weights, { freeze: false, paddingIdx: 0 });
    expect(trainable.weight.requiresGrad).toBe(true);
    expect(trainable.paddingIdx).toBe(0);
    expect(trainable.weight.toArray()).toEqual(weights.toArray());
    expect(() => Embedding.fromPretrained(tensor([1, 2]))).toThrow(ShapeError);
  });

  it('re-draws reproducibly from its generator', () => {
    const gen = new Generator(4);
    const emb = new Embedding({ numEmbeddings: 3, embeddingDim: 2, paddingIdx: 1, generator: gen });
    gen.manualSeed(4);
    const fresh = new Embedding({ numEmbeddings: 3, embeddingDim: 2, paddingIdx: 1, generator: gen });
    expect(emb.weight.toArray()).toEqual(fresh.weight.toArray());
    gen.manualSeed(4);
    emb.resetParameters();
    expect(emb.weight.toArray()).toEqual(fresh.weight.toArray());
  });

  it('rejects an out-of-range paddingIdx or index with an IndexError', () => {
    expect(() => new Embedding({ numEmbeddings: 3, embeddingDim: 2, paddingIdx: 3 })).toThrow(IndexError);
    expect(() => new Embedding({ numEmbeddings: 3, embeddingDim: 2, paddingIdx: -4 })).toThrow(IndexError);
    expect(() => new Embedding({ numEmbeddings: 3, embeddingDim: 2 }).call(idx([3]))).toThrow(IndexError);
  });

  it('handles empty index tensors', () => {
    expect(new Embedding({ numEmbeddings: 3, embeddingDim: 2 }).call(idx([])).shape).toEqual([0, 2]);
  });

  it('prints its hyper-parameters', () => {
    expect(new Embedding({ numEmbeddings: 10, embeddingDim: 3 }).toString()).toBe('Embedding(numEmbeddings=10, embeddingDim=3)');
    expect(new Embedding({ numEmbeddings: 10, embeddingDim: 3, paddingIdx: 0 }).toString()).toBe(
      'Embedding(numEmbeddings=10, embeddingDim=3, paddingIdx=0)',
    );
  });

  it('keeps float64 values exactly in a float64 table', () => {
    const emb = Embedding.fromPretrained(tensor([[0.1, 0.2]], { dtype: 'float64' }));
    expectClose(
      emb.call(idx([0, 0])),
      [
        [0.1, 0.2],
        [0.1, 0.2],
      ],
      { rtol: 0, atol: 0 },
    );
  });
});
