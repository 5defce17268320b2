import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../errors.js';
import { randn, tensor } from '../ops/creation.js';
import { Generator } from '../random/generator.js';
import type { Tensor } from '../tensor.js';
import { expectClose } from '../testing/expect-close.js';
import { gradcheck } from '../testing/gradcheck.js';
import { normal_ } from './init.js';
import { LayerNorm } from './layer-norm.js';

/** Reference: normalise each row of `size` trailing values with the biased variance. */
function reference(x: Tensor, size: number, eps: number, weight?: Tensor | null, bias?: Tensor | null): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.size / size; r++) {
    const row = Array.from(x.data.subarray(r * size, (r + 1) * size));
    const mean = row.reduce((s, v) => s + v, 0) / size;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / size;
    row.forEach((v, i) => out.push(((v - mean) / Math.sqrt(variance + eps)) * (weight ? weight.data[i]! : 1) + (bias ? bias.data[i]! : 0)));
  }
  return out;
}

describe('LayerNorm', () => {
  it('normalises over the last axis with the biased variance', () => {
    const norm = new LayerNorm({ normalizedShape: 4, dtype: 'float64' });
    const x = tensor(
      [
        [1, 2, 3, 4],
        [-1, 0, 0, 5],
      ],
      { dtype: 'float64' },
    );
    expectClose(norm.call(x).data, reference(x, 4, 1e-5), { rtol: 1e-12, atol: 1e-14 });
  });

  it('normalises over several trailing axes and applies weight and bias', () => {
    const gen = new Generator(0);
    const norm = new LayerNorm({ normalizedShape: [3, 2], eps: 1e-3, dtype: 'float64' });
    normal_(norm.weight!, { generator: gen });
    normal_(norm.bias!, { generator: gen });
    const x = randn([2, 2, 3, 2], { dtype: 'float64', generator: gen });
    const y = norm.call(x);
    expect(y.shape).toEqual([2, 2, 3, 2]);
    expectClose(y.data, reference(x, 6, 1e-3, norm.weight, norm.bias), { rtol: 1e-12, atol: 1e-14 });
  });

  it('initialises weight to ones and bias to zeros of normalizedShape', () => {
    const norm = new LayerNorm({ normalizedShape: [2, 3] });
    expect(norm.weight!.toArray()).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(norm.bias!.toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(norm.numParameters()).toBe(12);
  });

  it('has no parameters without elementwiseAffine, and no bias with bias: false', () => {
    const plain = new LayerNorm({ normalizedShape: 3, elementwiseAffine: false });
    expect(plain.weight).toBeNull();
    expect(plain.bias).toBeNull();
    expect(plain.parameters()).toEqual([]);
    const noBias = new LayerNorm({ normalizedShape: 3, bias: false });
    expect(noBias.bias).toBeNull();
    expect(Object.keys(noBias.stateDict())).toEqual(['weight']);
  });

  it('maps a constant row to the bias (zero variance, eps keeps it finite)', () => {
    const y = new LayerNorm({ normalizedShape: 3 }).call(tensor([[2, 2, 2]]));
    expect(y.toArray()).toEqual([[0, 0, 0]]);
  });

  it('propagates NaN within its row only', () => {
    const y = new LayerNorm({ normalizedShape: 2 })
      .call(
        tensor([
          [NaN, 1],
          [1, 3],
        ]),
      )
      .toArray() as number[][];
    expect(y[0]!.every(Number.isNaN)).toBe(true);
    expectClose(y[1]!, [-1, 1], { rtol: 1e-4 });
  });

  it('passes gradcheck in its input, weight and bias', () => {
    const gen = new Generator(1);
    const norm = new LayerNorm({ normalizedShape: [2, 3], dtype: 'float64' });
    normal_(norm.weight!, { generator: gen });
    normal_(norm.bias!, { generator: gen });
    const x = randn([2, 2, 3], { dtype: 'float64', requiresGrad: true, generator: gen });
    expect(gradcheck((input) => norm.call(input), [x, norm.weight!, norm.bias!])).toBe(true);
  });

  it('rejects an input that does not end with normalizedShape with a ShapeError', () => {
    const norm = new LayerNorm({ normalizedShape: [2, 3] });
    expect(() => norm.call(randn([3, 2]))).toThrow(ShapeError);
    expect(() => norm.call(randn([3]))).toThrow(ShapeError);
  });

  it('rejects bad options with a ValueError', () => {
    expect(() => new LayerNorm({ normalizedShape: [] })).toThrow(ValueError);
    expect(() => new LayerNorm({ normalizedShape: -2 })).toThrow(ValueError);
    expect(() => new LayerNorm({ normalizedShape: 2, eps: -1 })).toThrow(ValueError);
  });

  it('prints its hyper-parameters', () => {
    expect(new LayerNorm({ normalizedShape: 4 }).toString()).toBe('LayerNorm(normalizedShape=[4], eps=1e-5, elementwiseAffine=true)');
  });
});
