import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { expectClose } from '../testing/expect-close.js';
import { RMSprop } from './rmsprop.js';

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

interface Reference {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
}

function runAgainstReference(options: Reference, steps = 5): void {
  const p = param();
  const opt = new RMSprop([p], options);
  const { lr, alpha, eps, weightDecay, momentum, centered } = options;
  let theta = [...THETA0];
  const v = [0, 0, 0];
  const gAvg = [0, 0, 0];
  const b = [0, 0, 0];
  for (let t = 1; t <= steps; t++) {
    const grad = setQuadraticGrad(p);
    opt.step();
    theta = theta.map((th, i) => {
      const g = grad[i]! + weightDecay * th;
      v[i] = alpha * v[i]! + (1 - alpha) * g * g;
      gAvg[i] = alpha * gAvg[i]! + (1 - alpha) * g;
      const denom = Math.sqrt(centered ? v[i]! - gAvg[i]! ** 2 : v[i]!) + eps;
      if (momentum > 0) {
        b[i] = momentum * b[i]! + g / denom;
        return th - lr * b[i]!;
      }
      return th - (lr * g) / denom;
    });
    expectClose(p, theta, { rtol: 1e-12, atol: 1e-14, message: `step ${t}` });
  }
}

const BASE: Reference = { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false };

describe('RMSprop', () => {
  it('has PyTorch defaults', () => {
    expect(new RMSprop([param()]).defaults).toEqual({ ...BASE, maximize: false });
  });

  it('first step divides the gradient by √((1 − α)g²) + ε', () => {
    const p = param();
    const opt = new RMSprop([p], { lr: 0.01 });
    const g = setQuadraticGrad(p);
    opt.step();
    expectClose(
      p,
      THETA0.map((v, i) => v - (0.01 * g[i]!) / (Math.sqrt(0.01 * g[i]! * g[i]!) + 1e-8)),
      { rtol: 0, atol: 1e-15 },
    );
  });

  it('matches the formulas over several steps', () => {
    runAgainstReference(BASE);
  });

  it('matches the formulas with momentum', () => {
    runAgainstReference({ ...BASE, momentum: 0.9 });
  });

  it('matches the centered formulas', () => {
    runAgainstReference({ ...BASE, centered: true, alpha: 0.9 });
  });

  it('matches the formulas with weight decay, momentum and centering together', () => {
    runAgainstReference({ lr: 0.02, alpha: 0.8, eps: 1e-6, weightDecay: 0.1, momentum: 0.5, centered: true }, 8);
  });

  it('keeps square_avg, and momentum_buffer and grad_avg only when used', () => {
    const plain = param();
    const full = param();
    const a = new RMSprop([plain]);
    const b = new RMSprop([full], { momentum: 0.9, centered: true });
    setQuadraticGrad(plain);
    setQuadraticGrad(full);
    a.step();
    b.step();
    expect(Object.keys(a.stateDict().state[0]!).sort()).toEqual(['square_avg', 'step']);
    expect(Object.keys(b.stateDict().state[0]!).sort()).toEqual(['grad_avg', 'momentum_buffer', 'square_avg', 'step']);
  });

  it('maximize climbs the gradient', () => {
    const p = param();
    const opt = new RMSprop([p], { lr: 0.01, maximize: true });
    const g = setQuadraticGrad(p);
    opt.step();
    expectClose(
      p,
      THETA0.map((v, i) => v + (0.01 * g[i]!) / (Math.sqrt(0.01 * g[i]! * g[i]!) + 1e-8)),
      { rtol: 0, atol: 1e-15 },
    );
  });

  it('rejects negative hyper-parameters', () => {
    for (const bad of [{ lr: -1 }, { alpha: -0.5 }, { eps: -1 }, { momentum: -1 }, { weightDecay: -1 }]) {
      expect(() => new RMSprop([param()], bad)).toThrow(ValueError);
    }
  });
});
