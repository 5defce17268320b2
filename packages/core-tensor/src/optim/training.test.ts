import { describe, expect, it } from 'vitest';
import { add, mul, sub } from '../ops/arithmetic.js';
import { tensor, zeros } from '../ops/creation.js';
import { mean } from '../ops/reduce.js';
import { square } from '../ops/unary.js';
import type { Tensor } from '../tensor.js';
import { expectClose } from '../testing/expect-close.js';
import { Adam, AdamW } from './adam.js';
import { clipGradNorm } from './clip-grad.js';
import { CosineAnnealingLR } from './cosine-annealing-lr.js';
import { LinearLR } from './linear-lr.js';
import { SequentialLR } from './sequential-lr.js';
import { SGD } from './sgd.js';

// y = 3x − 0.5 on a few points; the model y = w·x + b is fitted through autograd.
const X = tensor([-1, -0.5, 0, 0.5, 1, 1.5], { dtype: 'float64' });
const Y = tensor([-3.5, -2, -0.5, 1, 2.5, 4], { dtype: 'float64' });

function loss(w: Tensor, b: Tensor): Tensor {
  return mean(square(sub(add(mul(w, X), b), Y)));
}

describe('training with autograd', () => {
  it('Adam with gradient clipping and a warm-up + cosine schedule fits a line', () => {
    const w = zeros([1], { dtype: 'float64', requiresGrad: true });
    const b = zeros([1], { dtype: 'float64', requiresGrad: true });
    const opt = new Adam([w, b], { lr: 0.1 });
    const scheduler = new SequentialLR(opt, {
      schedulers: [new LinearLR(opt, { startFactor: 0.1, totalIters: 20 }), new CosineAnnealingLR(opt, { tMax: 380, etaMin: 1e-3 })],
      milestones: [20],
    });
    let first = Infinity;
    let last = Infinity;
    for (let epoch = 0; epoch < 400; epoch++) {
      opt.zeroGrad();
      const l = loss(w, b);
      l.backward();
      clipGradNorm([w, b], 1);
      opt.step();
      scheduler.step();
      if (epoch === 0) first = l.item();
      last = l.item();
    }
    expect(last).toBeLessThan(first * 1e-6);
    expectClose(w, [3], { rtol: 0, atol: 1e-3 });
    expectClose(b, [-0.5], { rtol: 0, atol: 1e-3 });
  });

  it('SGD with momentum driven by step(closure) fits a line', () => {
    const w = zeros([1], { dtype: 'float64', requiresGrad: true });
    const b = zeros([1], { dtype: 'float64', requiresGrad: true });
    const opt = new SGD([w, b], { lr: 0.05, momentum: 0.9 });
    for (let epoch = 0; epoch < 300; epoch++) {
      opt.step(() => {
        opt.zeroGrad();
        const l = loss(w, b);
        l.backward();
        return l;
      });
    }
    expectClose(w, [3], { rtol: 0, atol: 1e-6 });
    expectClose(b, [-0.5], { rtol: 0, atol: 1e-6 });
  });

  it('AdamW weight decay pulls the fitted slope towards zero', () => {
    const fit = (weightDecay: number): number => {
      const w = zeros([1], { dtype: 'float64', requiresGrad: true });
      const b = zeros([1], { dtype: 'float64', requiresGrad: true });
      const opt = new AdamW([{ params: [w] }, { params: [b], weightDecay: 0 }], { lr: 0.05, weightDecay });
      for (let epoch = 0; epoch < 1500; epoch++) {
        opt.zeroGrad();
        loss(w, b).backward();
        opt.step();
      }
      return w.item();
    };
    const plain = fit(0);
    const decayed = fit(0.5);
    expect(plain).toBeCloseTo(3, 2);
    expect(decayed).toBeLessThan(plain - 0.01);
  });
});
