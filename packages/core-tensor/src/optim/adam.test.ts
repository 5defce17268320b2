import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { expectClose } from '../testing/expect-close.js';
import { Adam, AdamW } from './adam.js';

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

interface Reference {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupled: boolean;
  amsgrad: boolean;
}

/** Adam written out from the formulas, one step on plain arrays. */
function referenceStep(theta: number[], grad: number[], m: number[], v: number[], vMax: number[], t: number, ref: Reference): number[] {
  const { lr, beta1, beta2, eps, weightDecay, decoupled, amsgrad } = ref;
  return theta.map((th, i) => {
    let g = grad[i]!;
    let p = th;
    if (decoupled) p *= 1 - lr * weightDecay;
    else g += weightDecay * th;
    m[i] = beta1 * m[i]! + (1 - beta1) * g;
    v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
    vMax[i] = Math.max(vMax[i]!, v[i]!);
    const mHat = m[i]! / (1 - beta1 ** t);
    const vHat = (amsgrad ? vMax[i]! : v[i]!) / (1 - beta2 ** t);
    return p - (lr * mHat) / (Math.sqrt(vHat) + eps);
  });
}

function runAgainstReference(makeOpt: (p: Tensor) => Adam, ref: Reference, steps = 5): void {
  const p = param();
  const opt = makeOpt(p);
  let theta = [...THETA0];
  const m = [0, 0, 0];
  const v = [0, 0, 0];
  const vMax = [0, 0, 0];
  for (let t = 1; t <= steps; t++) {
    const g = setQuadraticGrad(p);
    opt.step();
    theta = referenceStep(theta, g, m, v, vMax, t, ref);
    expectClose(p, theta, { rtol: 1e-12, atol: 1e-14, message: `step ${t}` });
  }
}

const BASE: Reference = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: false };

describe('Adam', () => {
  it('has PyTorch defaults', () => {
    expect(new Adam([param()]).defaults).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
    });
  });

  it('first step moves every coordinate by about lr against the gradient sign', () => {
    const p = param();
    const opt = new Adam([p], { lr: 0.1 });
    const g = setQuadraticGrad(p);
    opt.step();
    // t = 1: m̂ = g, v̂ = g², so the step is γ·g/(|g| + ε).
    expectClose(
      p,
      THETA0.map((v, i) => v - (0.1 * g[i]!) / (Math.abs(g[i]!) + 1e-8)),
      { rtol: 0, atol: 1e-15 },
    );
  });

  it('matches the bias-corrected formulas over several steps', () => {
    runAgainstReference((p) => new Adam([p], { lr: 0.1 }), BASE);
  });

  it('adds an L2 weight decay to the gradient', () => {
    runAgainstReference((p) => new Adam([p], { lr: 0.1, weightDecay: 0.1 }), { ...BASE, weightDecay: 0.1 });
  });

  it('amsgrad uses the running maximum of the second moment', () => {
    runAgainstReference(
      (p) => new Adam([p], { lr: 0.1, amsgrad: true, betas: [0.5, 0.6] }),
      { ...BASE, amsgrad: true, beta1: 0.5, beta2: 0.6 },
      8,
    );
  });

  it('maximize equals minimizing with the negated gradient', () => {
    const a = param();
    const b = param();
    const optA = new Adam([a], { lr: 0.1, maximize: true });
    const optB = new Adam([b], { lr: 0.1 });
    for (let t = 0; t < 3; t++) {
      const g = setQuadraticGrad(a);
      optA.step();
      b.grad = tensor(
        g.map((x) => -x),
        { dtype: 'float64' },
      );
      optB.step();
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
    }
  });

  it('keeps step, exp_avg and exp_avg_sq (and max_exp_avg_sq with amsgrad) in its state', () => {
    const p = param();
    const opt = new Adam([p], { amsgrad: true });
    setQuadraticGrad(p);
    opt.step();
    opt.step();
    const state = opt.stateDict().state[0]!;
    expect(Object.keys(state).sort()).toEqual(['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'step']);
    expect(state.step).toBe(2);
  });

  it('rejects betas outside [0, 1) and a negative eps', () => {
    expect(() => new Adam([param()], { betas: [1, 0.999] })).toThrow(ValueError);
    expect(() => new Adam([param()], { betas: [0.9, -0.1] })).toThrow(ValueError);
    expect(() => new Adam([param()], { eps: -1 })).toThrow(ValueError);
    expect(() => new Adam([param()], { weightDecay: -1 })).toThrow(ValueError);
  });

  it.each(['float32', 'float64'] as const)('takes the same %s roundings on its branch-free path as on the general one', (dtype) => {
    // Default options run the branch-free loop; maximize on the negated gradient runs the general
    // loop with the same arithmetic (−1 · −g = g exactly), so the parameters must match bit for bit.
    const values = Array.from({ length: 256 }, (_, i) => 3 * Math.sin(1.3 * i + 0.2));
    const plain = tensor(values, { dtype, requiresGrad: true });
    const general = tensor(values, { dtype, requiresGrad: true });
    const plainAdam = new Adam([plain], { lr: 0.01 });
    const generalAdam = new Adam([general], { lr: 0.01, maximize: true });
    for (let t = 0; t < 5; t++) {
      const g = Array.from(plain.data, (v, i) => Math.sin(3 * v + i + t));
      plain.grad = tensor(g, { dtype });
      general.grad = tensor(
        g.map((x) => -x),
        { dtype },
      );
      plainAdam.step();
      generalAdam.step();
    }
    expect(Array.from(plain.data)).toEqual(Array.from(general.data));
    expect(Array.from(plain.data)).not.toEqual(Array.from(tensor(values, { dtype }).data));
  });
});

describe('AdamW', () => {
  it('has PyTorch defaults, weight decay 1e-2', () => {
    expect(new AdamW([param()]).defaults).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
    });
  });

  it('decays the parameter by (1 − γλ) before the Adam step', () => {
    const p = param();
    const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.5 });
    const g = setQuadraticGrad(p);
    opt.step();
    expectClose(
      p,
      THETA0.map((v, i) => v * (1 - 0.1 * 0.5) - (0.1 * g[i]!) / (Math.abs(g[i]!) + 1e-8)),
      { rtol: 0, atol: 1e-15 },
    );
  });

  it('matches the decoupled formulas over several steps', () => {
    runAgainstReference((p) => new AdamW([p], { lr: 0.05, weightDecay: 0.2 }), { ...BASE, lr: 0.05, weightDecay: 0.2, decoupled: true });
  });

  it('equals Adam when weight decay is 0', () => {
    const a = param();
    const b = param();
    const adam = new Adam([a], { lr: 0.1 });
    const adamw = new AdamW([b], { lr: 0.1, weightDecay: 0 });
    for (let t = 0; t < 4; t++) {
      const g = setQuadraticGrad(a);
      b.grad = tensor(g, { dtype: 'float64' });
      adam.step();
      adamw.step();
    }
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });
});
