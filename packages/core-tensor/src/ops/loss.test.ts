import { describe, expect, it } from 'vitest';
import { DTypeError, IndexError, ShapeError, ValueError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { gradcheck } from '../testing/gradcheck.js';
import { expectClose } from '../testing/expect-close.js';
import type { Tensor } from '../tensor.js';
import { rand, randn, tensor, zeros } from './creation.js';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, huberLoss, l1Loss, mseLoss, nllLoss } from './loss.js';
import { logSoftmax, softmax } from './softmax.js';

const f64 = (data: Parameters<typeof tensor>[0], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });
const i32 = (data: Parameters<typeof tensor>[0]): Tensor => tensor(data, { dtype: 'int32' });

function randn64(gen: Generator, shape: number[], requiresGrad = true): Tensor {
  return randn(shape, { dtype: 'float64', requiresGrad, generator: gen });
}

// Logits with one ignored target (-100) and per-class weights. Expected values were computed by
// hand from the formulas in loss.ts and agree with torch.nn.functional.cross_entropy (PyTorch 1.13).
const LOGITS = [
  [2, 0, -1],
  [0.5, 1.5, 0],
  [1, 1, 1],
  [-2, 3, 0.5],
];
const TARGETS = [0, 1, -100, 2];
const WEIGHT = [0.5, 2, 1];

/** −log softmax(row)[k], straight from the definition. */
function nll(row: number[], k: number): number {
  return Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[k]!;
}

describe('crossEntropy with class indices', () => {
  it('is −log softmax of the target class for one sample', () => {
    expectClose(crossEntropy(f64([LOGITS[0]!]), i32([0])), Math.log(1 + Math.exp(-2) + Math.exp(-3)));
    expectClose(crossEntropy(f64([LOGITS[0]!]), i32([0])), 0.169846019556, { rtol: 1e-10 });
  });

  it('averages over the non-ignored targets and zeroes ignored ones with reduction none', () => {
    const expected = [nll(LOGITS[0]!, 0), nll(LOGITS[1]!, 1), 0, nll(LOGITS[3]!, 2)];
    expectClose(crossEntropy(f64(LOGITS), i32(TARGETS), { reduction: 'none' }), expected);
    expectClose(crossEntropy(f64(LOGITS), i32(TARGETS)), (expected[0]! + expected[1]! + expected[3]!) / 3);
    expectClose(crossEntropy(f64(LOGITS), i32(TARGETS)), 1.073104016676, { rtol: 1e-10 });
    expectClose(crossEntropy(f64(LOGITS), i32(TARGETS), { reduction: 'sum' }), expected[0]! + expected[1]! + expected[3]!);
  });

  it('divides by the total weight of the non-ignored targets with class weights', () => {
    const num = 0.5 * nll(LOGITS[0]!, 0) + 2 * nll(LOGITS[1]!, 1) + 1 * nll(LOGITS[3]!, 2);
    expectClose(crossEntropy(f64(LOGITS), i32(TARGETS), { weight: f64(WEIGHT) }), num / 3.5);
    expectClose(crossEntropy(f64(LOGITS), i32(TARGETS), { weight: f64(WEIGHT) }), 1.028216521245, { rtol: 1e-10 });
  });

  it('smooths labels as PyTorch, with weights and an ignored target', () => {
    const eps = 0.1;
    const rows = [0, 1, 3];
    const perSample = (n: number): number => {
      const row = LOGITS[n]!;
      const t = TARGETS[n]!;
      const smooth = WEIGHT.reduce((s, w, c) => s + w * nll(row, c), 0);
      return (1 - eps) * WEIGHT[t]! * nll(row, t) + (eps / 3) * smooth;
    };
    const options = { weight: f64(WEIGHT), labelSmoothing: eps };
    expectClose(crossEntropy(f64(LOGITS), i32(TARGETS), { ...options, reduction: 'none' }), [perSample(0), perSample(1), 0, perSample(3)]);
    const total = rows.reduce((s, n) => s + perSample(n), 0);
    expectClose(crossEntropy(f64(LOGITS), i32(TARGETS), { ...options, reduction: 'sum' }), total);
    expectClose(crossEntropy(f64(LOGITS), i32(TARGETS), options), total / 3.5);
    expectClose(crossEntropy(f64(LOGITS), i32(TARGETS), options), 1.082705270788, { rtol: 1e-10 });
  });

  it('takes [N, C, d] logits with [N, d] targets (class axis 1)', () => {
    const x = f64([
      [
        [1, 2],
        [0, -1],
        [3, 0.5],
      ],
    ]); // [1, 3, 2]
    const out = crossEntropy(x, i32([[2, 0]]), { reduction: 'none' });
    expect(out.shape).toEqual([1, 2]);
    expectClose(out, [[nll([1, 0, 3], 2), nll([2, -1, 0.5], 0)]]);
    expectClose(out, [[0.169846019556, 0.241311296657]], { rtol: 1e-10 });
  });

  it('takes a single [C] sample with a 0-d target', () => {
    const out = crossEntropy(f64([2, 0, -1]), i32(0));
    expect(out.shape).toEqual([]);
    expectClose(out, nll([2, 0, -1], 0));
  });

  it('gives NaN for mean over an empty batch or all-ignored targets, 0 for sum', () => {
    expect(crossEntropy(zeros([0, 3], { dtype: 'float64' }), i32([])).item()).toBeNaN();
    expect(crossEntropy(zeros([0, 3], { dtype: 'float64' }), i32([]), { reduction: 'sum' }).item()).toBe(0);
    expect(crossEntropy(f64([[1, 2]]), i32([-100])).item()).toBeNaN();
  });

  it('stays finite for huge logits', () => {
    expectClose(crossEntropy(f64([[1000, 0]]), i32([1])), 1000);
  });

  it('throws IndexError for an out-of-range target, ShapeError for mismatched shapes, DTypeError for float indices', () => {
    expect(() => crossEntropy(f64(LOGITS), i32([0, 3, 1, 1]))).toThrow(IndexError);
    expect(() => crossEntropy(f64(LOGITS), i32([0, -1, 1, 1]))).toThrow(IndexError);
    expect(() => crossEntropy(f64(LOGITS), i32([0, 1, 1]))).toThrow(ShapeError);
    expect(() => crossEntropy(f64(LOGITS), i32(TARGETS), { weight: f64([1, 2]) })).toThrow(ShapeError);
    expect(() => crossEntropy(f64(1), i32(0))).toThrow(ShapeError);
    expect(() => nllLoss(f64(LOGITS), f64([0, 1, 1, 1]))).toThrow(DTypeError);
  });

  it('throws ValueError for a bad labelSmoothing or reduction', () => {
    expect(() => crossEntropy(f64(LOGITS), i32(TARGETS), { labelSmoothing: 1.5 })).toThrow(ValueError);
    expect(() => crossEntropy(f64(LOGITS), i32(TARGETS), { reduction: 'avg' as 'mean' })).toThrow(ValueError);
  });

  it('passes gradcheck with weights, ignoreIndex and labelSmoothing, for each reduction', () => {
    const gen = new Generator(21);
    const x = randn64(gen, [4, 3]);
    const options = { weight: f64(WEIGHT), ignoreIndex: -100, labelSmoothing: 0.2 };
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      expect(gradcheck((t) => crossEntropy(t, i32(TARGETS), { ...options, reduction }), [x])).toBe(true);
    }
    expect(gradcheck((t) => crossEntropy(t, i32([2, 0, 1, 1])), [x])).toBe(true);
  });

  it('passes gradcheck on [N, C, d1, d2] logits with weights, a custom ignoreIndex and smoothing', () => {
    const gen = new Generator(22);
    const x = randn64(gen, [2, 3, 2, 2]);
    const target = i32([
      [
        [0, 2],
        [1, 7],
      ],
      [
        [7, 1],
        [2, 0],
      ],
    ]);
    const options = { weight: f64(WEIGHT), ignoreIndex: 7, labelSmoothing: 0.1 };
    expect(gradcheck((t) => crossEntropy(t, target, options), [x])).toBe(true);
    expect(gradcheck((t) => crossEntropy(t, target, { ...options, reduction: 'none' }), [x])).toBe(true);
  });
});

describe('crossEntropy with class probabilities', () => {
  const PROBS = [
    [0.7, 0.2, 0.1],
    [0, 1, 0],
    [1 / 3, 1 / 3, 1 / 3],
    [0, 0, 1],
  ];

  it('is −Σ w·q·log softmax, averaged over samples, with smoothed targets', () => {
    const eps = 0.2;
    const perSample = LOGITS.map((row, n) => WEIGHT.reduce((s, w, c) => s + w * ((1 - eps) * PROBS[n]![c]! + eps / 3) * nll(row, c), 0));
    const options = { weight: f64(WEIGHT), labelSmoothing: eps };
    expectClose(crossEntropy(f64(LOGITS), f64(PROBS), { ...options, reduction: 'none' }), perSample);
    expectClose(crossEntropy(f64(LOGITS), f64(PROBS), options), perSample.reduce((a, b) => a + b, 0) / 4);
    expectClose(crossEntropy(f64(LOGITS), f64(PROBS), options), 1.547362573354, { rtol: 1e-10 });
  });

  it('equals the class-index loss for one-hot targets', () => {
    const oneHot = f64([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [0, 0, 1],
    ]);
    expectClose(crossEntropy(f64(LOGITS), oneHot), crossEntropy(f64(LOGITS), i32([0, 1, 2, 2])));
  });

  it('rejects a shape mismatch and a non-negative ignoreIndex', () => {
    expect(() => crossEntropy(f64(LOGITS), f64([0.5, 0.5]))).toThrow(ShapeError);
    expect(() => crossEntropy(f64(LOGITS), f64(PROBS), { ignoreIndex: 1 })).toThrow(ValueError);
  });

  it('passes gradcheck in the logits and the target, with [N, C, d] inputs', () => {
    const gen = new Generator(23);
    const x = randn64(gen, [2, 3, 2]);
    const q = softmax(randn64(gen, [2, 3, 2], false), 1);
    q.requiresGrad = true;
    expect(gradcheck((a, b) => crossEntropy(a, b, { weight: f64(WEIGHT), labelSmoothing: 0.3 }), [x, q])).toBe(true);
    expect(gradcheck((a, b) => crossEntropy(a, b, { reduction: 'none' }), [x, q])).toBe(true);
  });
});

describe('nllLoss', () => {
  it('picks −w[t]·logp[t] and averages by the weights', () => {
    const logp = logSoftmax(f64(LOGITS), 1);
    const direct = nllLoss(logp, i32(TARGETS), { weight: f64(WEIGHT) });
    expectClose(direct, crossEntropy(f64(LOGITS), i32(TARGETS), { weight: f64(WEIGHT) }));
    expectClose(
      nllLoss(
        f64([
          [-1, -2],
          [-3, -4],
        ]),
        i32([1, 0]),
        { reduction: 'none' },
      ),
      [2, 3],
    );
  });

  it('gives 0, not NaN, for an ignored target whose picked value is -Infinity', () => {
    const out = nllLoss(
      f64([
        [-Infinity, 0],
        [-1, -2],
      ]),
      i32([-100, 0]),
      { reduction: 'none' },
    );
    expect(out.toArray()).toEqual([0, 1]);
  });

  it('passes gradcheck with weights and ignoreIndex', () => {
    const gen = new Generator(24);
    const x = randn64(gen, [4, 3]);
    expect(gradcheck((t) => nllLoss(t, i32(TARGETS), { weight: f64(WEIGHT) }), [x])).toBe(true);
  });
});

describe('mseLoss, l1Loss and huberLoss', () => {
  const input = [0, 3, -1, 0.5];
  const target = [0.5, 0, 1, 0.5];

  it('compute the per-element losses and reduce them', () => {
    expectClose(mseLoss(f64(input), f64(target), { reduction: 'none' }), [0.25, 9, 4, 0]);
    expectClose(mseLoss(f64(input), f64(target)), 13.25 / 4);
    expectClose(l1Loss(f64(input), f64(target), { reduction: 'sum' }), 5.5);
    expectClose(l1Loss(f64(input), f64(target)), 5.5 / 4);
    expectClose(huberLoss(f64(input), f64(target), { reduction: 'none' }), [0.125, 2.5, 1.5, 0]);
    expectClose(huberLoss(f64(input), f64(target), { delta: 2, reduction: 'none' }), [0.125, 4, 2, 0]);
  });

  it('give NaN for mean over empty input and propagate NaN', () => {
    expect(mseLoss(zeros([0]), zeros([0])).item()).toBeNaN();
    expect(l1Loss(f64([NaN]), f64([0])).item()).toBeNaN();
  });

  it('throw ShapeError for different shapes and ValueError for a non-positive delta', () => {
    expect(() => mseLoss(f64([1, 2]), f64([[1, 2]]))).toThrow(ShapeError);
    expect(() => l1Loss(f64([1, 2]), f64([1]))).toThrow(ShapeError);
    expect(() => huberLoss(f64([1]), f64([1]), { delta: 0 })).toThrow(ValueError);
  });

  it('pass gradcheck in the input and the target', () => {
    const gen = new Generator(25);
    const a = randn64(gen, [3, 4]);
    const b = randn64(gen, [3, 4]);
    expect(gradcheck((x, y) => mseLoss(x, y), [a, b])).toBe(true);
    expect(gradcheck((x, y) => l1Loss(x, y, { reduction: 'none' }), [a, b])).toBe(true);
    expect(gradcheck((x, y) => huberLoss(x, y, { delta: 0.5, reduction: 'sum' }), [a, b])).toBe(true);
  });
});

describe('binaryCrossEntropyWithLogits', () => {
  it('matches the definition, stably for large logits, with weight and posWeight', () => {
    const x = [0, -2, 30, -30];
    const t = [0.3, 1, 0, 1];
    const w = [1, 0.5, 2, 1];
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    const expected = x.map((v, k) => -w[k]! * (2 * t[k]! * Math.log(sig(v)) + (1 - t[k]!) * Math.log(1 - sig(v))));
    const out = binaryCrossEntropyWithLogits(f64(x), f64(t), { weight: f64(w), posWeight: f64([2]), reduction: 'none' });
    expectClose(out, [expected[0]!, expected[1]!, 60, 60]);
    expectClose(out, [0.901091334728, 2.126928011043, 60, 60], { rtol: 1e-10 });
    expectClose(binaryCrossEntropyWithLogits(f64([0]), f64([1])), Math.LN2);
  });

  it('throws ShapeError for mismatched targets or a weight that does not broadcast', () => {
    expect(() => binaryCrossEntropyWithLogits(f64([[0, 1]]), f64([0, 1]))).toThrow(ShapeError);
    expect(() => binaryCrossEntropyWithLogits(f64([[0, 1]]), f64([[0, 1]]), { posWeight: f64([1, 2, 3]) })).toThrow(ShapeError);
    expect(() =>
      binaryCrossEntropyWithLogits(f64([0, 1]), f64([0, 1]), {
        weight: f64([
          [1, 2],
          [3, 4],
        ]),
      }),
    ).toThrow(ShapeError);
  });

  it('passes gradcheck in the logits, the targets and posWeight, broadcasting per class', () => {
    const gen = new Generator(26);
    const x = randn64(gen, [3, 2]);
    const t = rand([3, 2], { dtype: 'float64', generator: gen });
    t.requiresGrad = true;
    const pos = f64([1.5, 0.5], true);
    const weight = f64([[1], [2], [0.5]]);
    expect(gradcheck((a, b, p) => binaryCrossEntropyWithLogits(a, b, { posWeight: p, weight }), [x, t, pos])).toBe(true);
    expect(gradcheck((a, b) => binaryCrossEntropyWithLogits(a, b, { reduction: 'none' }), [x, t])).toBe(true);
  });
});

describe('binaryCrossEntropy', () => {
  it('matches the definition and clamps the logs at -100', () => {
    const out = binaryCrossEntropy(f64([0.2, 0.7, 0, 1]), f64([0.3, 1, 1, 1]), { reduction: 'none' });
    expectClose(out, [-(0.3 * Math.log(0.2) + 0.7 * Math.log(0.8)), -Math.log(0.7), 100, 0]);
    expectClose(binaryCrossEntropy(f64([0.5]), f64([1]), { weight: f64([3]) }), 3 * Math.LN2);
  });

  it('gives PyTorch gradients at the clamped ends (input gradient divided by max(x(1−x), 1e−12))', () => {
    const p = f64([0, 1e-30, 1], true);
    binaryCrossEntropy(p, f64([1, 0, 1]), { reduction: 'sum' }).backward();
    expectClose(p.grad!, [-1e12, 1e-18, 0]);
  });

  it('throws ValueError for inputs outside [0, 1] and ShapeError for mismatched targets', () => {
    expect(() => binaryCrossEntropy(f64([1.5]), f64([1]))).toThrow(ValueError);
    expect(() => binaryCrossEntropy(f64([NaN]), f64([1]))).toThrow(ValueError);
    expect(() => binaryCrossEntropy(f64([0.5]), f64([[1]]))).toThrow(ShapeError);
  });

  it('passes gradcheck in the probabilities and the targets', () => {
    const gen = new Generator(27);
    const p = rand([2, 3], { dtype: 'float64', generator: gen });
    for (let k = 0; k < p.size; k++) p.data[k] = 0.1 + 0.8 * p.data[k]!;
    p.requiresGrad = true;
    const t = rand([2, 3], { dtype: 'float64', generator: gen });
    t.requiresGrad = true;
    expect(gradcheck((a, b) => binaryCrossEntropy(a, b, { weight: f64([1, 2, 0.5]) }), [p, t])).toBe(true);
  });
});
