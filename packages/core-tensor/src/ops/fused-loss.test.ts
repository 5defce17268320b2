import { describe, expect, it } from 'vitest';
import { IndexError, ShapeError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { expectClose } from '../testing/expect-close.js';
import { gradcheck } from '../testing/gradcheck.js';
import type { Tensor } from '../tensor.js';
import { mul } from './arithmetic.js';
import { rand, randint, randn, tensor } from './creation.js';
import { crossEntropy, type CrossEntropyOptions } from './loss.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';

/**
 * The generic (unfused) path of crossEntropy on the same problem: a trailing axis of size 1 makes
 * the logits [N, C, 1], which the fused path does not take.
 */
function unfused(logits: Tensor, target: Tensor, options: CrossEntropyOptions): Tensor {
  const loss = crossEntropy(reshape(logits, [...logits.shape, 1]), reshape(target, [...target.shape, 1]), options);
  return options.reduction === 'none' ? reshape(loss, target.shape) : loss;
}

/** Loss value and logits gradient (seeded with `seed` for reduction 'none'). */
function lossAndGrad(logits: Tensor, run: (x: Tensor) => Tensor, seed: Tensor): { loss: Tensor; grad: Tensor } {
  const x = logits.detach().clone().requiresGrad_();
  const loss = run(x);
  (loss.ndim === 0 ? loss : sum(mul(loss, seed))).backward();
  return { loss, grad: x.grad! };
}

const OPTIONS: readonly CrossEntropyOptions[] = [
  {},
  { reduction: 'sum' },
  { reduction: 'none' },
  { ignoreIndex: 1 },
  { ignoreIndex: 2, reduction: 'none' },
  { labelSmoothing: 0.15 },
  { labelSmoothing: 0.3, reduction: 'sum', ignoreIndex: 0 },
];

describe('crossEntropy on [N, C] logits (the fused path)', () => {
  it('equals the unfused path to 1e-12 in float64 for every option, values and gradients', () => {
    const gen = new Generator(21);
    const [N, C] = [9, 5];
    const logits = mul(randn([N, C], { dtype: 'float64', generator: gen }), 3);
    const target = randint(0, C, [N], { generator: gen });
    const weight = rand([C], { dtype: 'float64', generator: gen });
    const seed = randn([N], { dtype: 'float64', generator: gen });
    for (const base of OPTIONS) {
      for (const options of [base, { ...base, weight }]) {
        const fused = lossAndGrad(logits, (x) => crossEntropy(x, target, options), seed);
        const reference = lossAndGrad(logits, (x) => unfused(x, target, options), seed);
        const message = JSON.stringify({ ...options, weight: options.weight ? 'yes' : 'no' });
        expect(fused.loss.shape, message).toEqual(reference.loss.shape);
        expectClose(fused.loss, reference.loss, { rtol: 1e-12, atol: 1e-12, message });
        expectClose(fused.grad, reference.grad, { rtol: 1e-12, atol: 1e-12, message });
      }
    }
  });

  it('passes gradcheck with weights, ignoreIndex and label smoothing', () => {
    const gen = new Generator(22);
    const logits = randn([4, 3], { dtype: 'float64', generator: gen, requiresGrad: true });
    const target = tensor([0, 2, 1, 2], { dtype: 'int32' });
    const weight = tensor([0.5, 2, 1], { dtype: 'float64' });
    for (const options of [{}, { weight, ignoreIndex: 1, labelSmoothing: 0.2 }, { weight, reduction: 'none' as const }]) {
      expect(gradcheck((x) => crossEntropy(x!, target, options), [logits], { name: 'crossEntropy' })).toBe(true);
    }
  });

  it('agrees with float64 to float32 precision and stays finite for large logits', () => {
    const gen = new Generator(23);
    const logits = mul(randn([6, 11], { generator: gen }), 4).add(500);
    const target = randint(0, 11, [6], { generator: gen });
    const options = { labelSmoothing: 0.1, reduction: 'none' } as const;
    const seed = randn([6], { dtype: 'float64', generator: gen });
    const fused = lossAndGrad(logits, (x) => crossEntropy(x, target, options), seed);
    const reference = lossAndGrad(logits.to('float64'), (x) => crossEntropy(x, target, options), seed);
    expect(fused.loss.dtype).toBe('float32');
    expectClose(fused.loss, reference.loss, { rtol: 1e-5 });
    expectClose(fused.grad, reference.grad, { rtol: 1e-4, atol: 1e-6 });
  });

  it('takes a single [C] sample with a 0-d target', () => {
    const logits = tensor([2, 0, -1], { dtype: 'float64' });
    expectClose(crossEntropy(logits, tensor(0, { dtype: 'int32' })), Math.log(1 + Math.exp(-2) + Math.exp(-3)), { rtol: 1e-14 });
    expect(crossEntropy(logits, tensor(0, { dtype: 'int32' }), { reduction: 'none' }).shape).toEqual([]);
  });

  it('keeps PyTorch edge cases: all targets ignored gives NaN, −∞ off the target a finite loss', () => {
    const ignored = crossEntropy(tensor([[1, 2]], { dtype: 'float64' }), tensor([-100], { dtype: 'int32' }));
    expect(Number.isNaN(ignored.item())).toBe(true);
    const masked = crossEntropy(tensor([[0, -Infinity, 0]], { dtype: 'float64' }), tensor([2], { dtype: 'int32' }));
    expectClose(masked, Math.log(2), { rtol: 1e-14 });
    expect(crossEntropy(tensor([[0, -Infinity]]), tensor([0], { dtype: 'int32' }), { labelSmoothing: 0.1 }).item()).toBe(Infinity);
  });

  it('throws ShapeError for mismatched targets or weights and IndexError for out-of-range targets', () => {
    const logits = randn([3, 4]);
    expect(() => crossEntropy(logits, tensor([0, 1], { dtype: 'int32' }))).toThrow(ShapeError);
    expect(() => crossEntropy(logits, tensor([0, 1, 2], { dtype: 'int32' }), { weight: tensor([1, 2, 3]) })).toThrow(ShapeError);
    expect(() => crossEntropy(logits, tensor([0, 4, 2], { dtype: 'int32' }))).toThrow(IndexError);
    expect(() => crossEntropy(logits, tensor([0, -1, 2], { dtype: 'int32' }))).toThrow(IndexError);
  });
});
