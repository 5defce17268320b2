import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { expectClose } from '../testing/expect-close.js';
import { SGD } from './sgd.js';

// The quadratic f(θ) = ½ Σ aᵢθᵢ², whose gradient is a ⊙ θ.
const A = [1, 2, 0.5];
const THETA0 = [1, -2, 3];

function setQuadraticGrad(p: Tensor): number[] {
  const g = Array.from(p.data, (v, i) => A[i]! * v);
  p.grad = tensor(g, { dtype: p.dtype });
  return g;
}

function param(values: number[] = THETA0): Tensor {
  return tensor(values, { dtype: 'float64', requiresGrad: true });
}

describe('SGD', () => {
  it('has PyTorch 2.x defaults', () => {
    const opt = new SGD([param()]);
    expect(opt.defaults).toEqual({ lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
  });

  it('plain SGD steps θ ← θ − γg', () => {
    const p = param();
    const opt = new SGD([p], { lr: 0.1 });
    let expected = [...THETA0];
    for (let t = 0; t < 3; t++) {
      const g = setQuadraticGrad(p);
      opt.step();
      expected = expected.map((v, i) => v - 0.1 * g[i]!);
      expectClose(p, expected, { rtol: 0, atol: 1e-15 });
    }
  });

  it('momentum copies the first gradient into the buffer, then damps later ones', () => {
    const p = param();
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 });
    // Step 1: b = g₁, θ₁ = θ₀ − γb.
    const g1 = setQuadraticGrad(p);
    opt.step();
    const theta1 = THETA0.map((v, i) => v - 0.1 * g1[i]!);
    expectClose(p, theta1, { rtol: 0, atol: 1e-15 });
    // Step 2: b = 0.9b + 0.5g₂.
    const g2 = setQuadraticGrad(p);
    opt.step();
    const b2 = g1.map((b, i) => 0.9 * b + 0.5 * g2[i]!);
    expectClose(
      p,
      theta1.map((v, i) => v - 0.1 * b2[i]!),
      { rtol: 0, atol: 1e-15 },
    );
  });

  it('nesterov steps along g + μb', () => {
    const p = param();
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true });
    const g1 = setQuadraticGrad(p);
    opt.step();
    const theta1 = THETA0.map((v, i) => v - 0.1 * (g1[i]! + 0.9 * g1[i]!));
    expectClose(p, theta1, { rtol: 0, atol: 1e-15 });
    const g2 = setQuadraticGrad(p);
    opt.step();
    const b2 = g1.map((b, i) => 0.9 * b + g2[i]!);
    expectClose(
      p,
      theta1.map((v, i) => v - 0.1 * (g2[i]! + 0.9 * b2[i]!)),
      { rtol: 0, atol: 1e-15 },
    );
  });

  it('weight decay adds λθ to the gradient', () => {
    const p = param();
    const opt = new SGD([p], { lr: 0.1, weightDecay: 0.01 });
    const g = setQuadraticGrad(p);
    opt.step();
    expectClose(
      p,
      THETA0.map((v, i) => v - 0.1 * (g[i]! + 0.01 * v)),
      { rtol: 0, atol: 1e-15 },
    );
  });

  it('maximize climbs the gradient', () => {
    const p = param();
    const opt = new SGD([p], { lr: 0.1, maximize: true });
    const g = setQuadraticGrad(p);
    opt.step();
    expectClose(
      p,
      THETA0.map((v, i) => v + 0.1 * g[i]!),
      { rtol: 0, atol: 1e-15 },
    );
  });

  it('keeps no state without momentum', () => {
    const p = param();
    const opt = new SGD([p], { lr: 0.1 });
    setQuadraticGrad(p);
    opt.step();
    expect(opt.stateDict().state).toEqual({});
  });

  it('updates float32 parameters in float32', () => {
    const p = tensor([0.1, 0.2], { requiresGrad: true });
    const opt = new SGD([p], { lr: 0.3, momentum: 0.9 });
    p.grad = tensor([0.7, -0.3]);
    opt.step();
    expect(p.data).toBeInstanceOf(Float32Array);
    expect(Array.from(p.data)).toEqual([
      Math.fround(Math.fround(0.1) - 0.3 * Math.fround(0.7)),
      Math.fround(Math.fround(0.2) + 0.3 * Math.fround(0.3)),
    ]);
    expect(opt.stateDict().state[0]!.momentum_buffer).toMatchObject({ dtype: 'float32', shape: [2] });
  });

  it('rejects nesterov without momentum or with dampening', () => {
    expect(() => new SGD([param()], { nesterov: true })).toThrow(ValueError);
    expect(() => new SGD([param()], { nesterov: true, momentum: 0.9, dampening: 0.1 })).toThrow(ValueError);
  });

  it('rejects a negative lr, momentum or weight decay', () => {
    expect(() => new SGD([param()], { lr: -1 })).toThrow(ValueError);
    expect(() => new SGD([param()], { momentum: -0.1 })).toThrow(ValueError);
    expect(() => new SGD([param()], { weightDecay: -0.1 })).toThrow(ValueError);
    expect(() => new SGD([param()], { lr: NaN })).toThrow(ValueError);
  });
});
