import { describe, expect, it } from 'vitest';
import { Generator } from '../../random/generator.js';
import { expectClose } from '../../testing/expect-close.js';
import { gruCellBackward, gruCellForward, lstmCellBackward, lstmCellForward } from './recurrent.js';

function values(gen: Generator, n: number, scale = 2): Float64Array {
  return Float64Array.from({ length: n }, () => gen.uniform(-scale, scale));
}

/** Σ seed·output of `forward` after nudging `x[k]` by ±eps: the central difference of one input. */
function centralDifference(x: Float64Array, k: number, objective: () => number, eps = 1e-6): number {
  const saved = x[k]!;
  x[k] = saved + eps;
  const plus = objective();
  x[k] = saved - eps;
  const minus = objective();
  x[k] = saved;
  return (plus - minus) / (2 * eps);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe('js lstmCell kernels', () => {
  it('backward is the derivative of forward (central differences, float64)', () => {
    const gen = new Generator(31);
    const [rows, H] = [3, 4];
    const gates = values(gen, rows * 4 * H);
    const cPrev = values(gen, rows * H);
    const [dh, dc] = [values(gen, rows * H, 1), values(gen, rows * H, 1)];
    const objective = (): number => {
      const h = new Float64Array(rows * H);
      const c = new Float64Array(rows * H);
      lstmCellForward({ gates, cPrev, rows, hidden: H, h, c, saved: null });
      return dot(h, dh) + dot(c, dc);
    };
    const saved = new Float64Array(rows * 5 * H);
    lstmCellForward({ gates, cPrev, rows, hidden: H, h: new Float64Array(rows * H), c: new Float64Array(rows * H), saved });
    const dGates = new Float64Array(rows * 4 * H);
    const dcPrev = new Float64Array(rows * H);
    lstmCellBackward({ saved, cPrev, dh, dc, rows, hidden: H, dGates, dcPrev });
    expectClose(
      dGates,
      Array.from(gates, (_, k) => centralDifference(gates, k, objective)),
      { rtol: 1e-6, atol: 1e-9 },
    );
    expectClose(
      dcPrev,
      Array.from(cPrev, (_, k) => centralDifference(cPrev, k, objective)),
      { rtol: 1e-6, atol: 1e-9 },
    );
  });

  it('rounds float32 outputs once, from float64 intermediates', () => {
    const gates = Float32Array.from([0.3, -1.2, 0.7, 2.1]);
    const cPrev = Float32Array.from([0.4]);
    const h = new Float32Array(1);
    const c = new Float32Array(1);
    lstmCellForward({ gates, cPrev, rows: 1, hidden: 1, h, c, saved: null });
    const s = (v: number): number => 1 / (1 + Math.exp(-v));
    const c64 = s(gates[1]!) * cPrev[0]! + s(gates[0]!) * Math.tanh(gates[2]!);
    expect(c[0]).toBe(Math.fround(c64));
    expect(h[0]).toBe(Math.fround(s(gates[3]!) * Math.tanh(Math.fround(c64))));
  });
});

describe('js gruCell kernels', () => {
  it('backward is the derivative of forward (central differences, float64)', () => {
    const gen = new Generator(32);
    const [rows, H] = [2, 5];
    const xProj = values(gen, rows * 3 * H);
    const hProj = values(gen, rows * 3 * H);
    const hPrev = values(gen, rows * H);
    const dh = values(gen, rows * H, 1);
    const objective = (): number => {
      const h = new Float64Array(rows * H);
      gruCellForward({ xProj, hProj, hPrev, rows, hidden: H, h, saved: null });
      return dot(h, dh);
    };
    const saved = new Float64Array(rows * 3 * H);
    gruCellForward({ xProj, hProj, hPrev, rows, hidden: H, h: new Float64Array(rows * H), saved });
    const [dxProj, dhProj, dhPrev] = [new Float64Array(rows * 3 * H), new Float64Array(rows * 3 * H), new Float64Array(rows * H)];
    gruCellBackward({ saved, hProj, hPrev, dh, rows, hidden: H, dxProj, dhProj, dhPrev });
    const tol = { rtol: 1e-6, atol: 1e-9 };
    expectClose(
      dxProj,
      Array.from(xProj, (_, k) => centralDifference(xProj, k, objective)),
      tol,
    );
    expectClose(
      dhProj,
      Array.from(hProj, (_, k) => centralDifference(hProj, k, objective)),
      tol,
    );
    expectClose(
      dhPrev,
      Array.from(hPrev, (_, k) => centralDifference(hPrev, k, objective)),
      tol,
    );
  });
});
