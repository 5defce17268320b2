import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { expectClose } from '../testing/expect-close.js';
import { Adagrad } from './adagrad.js';

// The quadratic f(θ) = ½ Σ aᵢθᵢ², whose gradient is a ⊙ θ.
const A = [1, 2, 0.5];
const THETA0 = [1, -2, 3];

function setQuadraticGrad(p: Tensor): number[] {
  const g = Array.from(p.data, (v, i) => A[i]! * v);
  p.grad = tensor(g, { dtype: p.dtype });
  return g;
}

function param(): Tensor {
  return tensor(THETA0, { dtype: 'float64', requiresGrad: true });
}

describe('Adagrad', () => {
  it('has PyTorch defaults', () => {
    expect(new Adagrad([param()]).defaults).toEqual({
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
    });
  });

  it('first step is γ·g/(|g| + ε) from a zero accumulator', () => {
    const p = param();
    const opt = new Adagrad([p], { lr: 0.5 });
    const g = setQuadraticGrad(p);
    opt.step();
    expectClose(
      p,
      THETA0.map((v, i) => v - (0.5 * g[i]!) / (Math.abs(g[i]!) + 1e-10)),
      { rtol: 0, atol: 1e-15 },
    );
  });

  it('matches the formulas with lr decay, weight decay and an initial accumulator', () => {
    const lr = 0.3;
    const lrDecay = 0.1;
    const weightDecay = 0.05;
    const initial = 0.2;
    const p = param();
    const opt = new Adagrad([p], { lr, lrDecay, weightDecay, initialAccumulatorValue: initial });
    let theta = [...THETA0];
    const sum = [initial, initial, initial];
    for (let t = 1; t <= 6; t++) {
      const grad = setQuadraticGrad(p);
      opt.step();
      const clr = lr / (1 + (t - 1) * lrDecay);
      theta = theta.map((th, i) => {
        const g = grad[i]! + weightDecay * th;
        sum[i] = sum[i]! + g * g;
        return th - (clr * g) / (Math.sqrt(sum[i]!) + 1e-10);
      });
      expectClose(p, theta, { rtol: 1e-12, atol: 1e-14, message: `step ${t}` });
    }
  });

  it('creates its state (step 0, the initial sum) at construction, as PyTorch', () => {
    const opt = new Adagrad([param()], { initialAccumulatorValue: 0.25 });
    const state = opt.stateDict().state[0]!;
    expect(state.step).toBe(0);
    expect(Array.from((state.sum as Tensor).data)).toEqual([0.25, 0.25, 0.25]);
  });

  it('gives parameters of a group added later their state on the first step', () => {
    const first = param();
    const later = param();
    const opt = new Adagrad([first], { lr: 0.5 });
    opt.addParamGroup({ params: [later] });
    const g = setQuadraticGrad(later);
    opt.step();
    expectClose(
      later,
      THETA0.map((v, i) => v - (0.5 * g[i]!) / (Math.abs(g[i]!) + 1e-10)),
      { rtol: 0, atol: 1e-15 },
    );
    expect(Array.from(first.data)).toEqual(THETA0);
  });

  it('rejects negative hyper-parameters', () => {
    for (const bad of [{ lr: -1 }, { lrDecay: -1 }, { weightDecay: -1 }, { initialAccumulatorValue: -1 }, { eps: -1 }]) {
      expect(() => new Adagrad([param()], bad)).toThrow(ValueError);
    }
  });
});
