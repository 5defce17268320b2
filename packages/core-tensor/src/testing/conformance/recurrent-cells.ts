/** Backend conformance: the fused LSTM and GRU cells. See ./index.ts. */

import type { FloatArray } from '../../dtype.js';
import { Generator } from '../../random/generator.js';

import { ACCUMULATED, ELEMENTWISE, FLOATS, SENTINEL, check, filled, uniform, type ConformanceCase } from './shared.js';

// ---- fused recurrent cells -----------------------------------------------------------------------

/** [rows, hidden] of the cell cases: odd sizes (no SIMD width divides 5 or 7), one row, no rows. */
const CELL_SHAPES: readonly (readonly [number, number])[] = [
  [3, 5],
  [1, 7],
  [2, 1],
  [0, 4],
];

export function sigmoidReference(v: number): number {
  return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
}

/** Gate pre-activations in [-4, 4] with saturated ones (±30, ±1000) sprinkled in: σ and tanh must not overflow. */
export function gateValues(gen: Generator, n: number): number[] {
  const out = uniform(gen, n, -4, 4);
  [30, -30, 1000, -1000].forEach((v, j) => {
    if (n > 0) out[(j * 11 + 2) % n] = v;
  });
  return out;
}

/** What the LSTM step computes, per the contract, from float64 copies of the inputs. */
export function lstmReference(
  gates: ArrayLike<number>,
  cPrev: ArrayLike<number>,
  rows: number,
  H: number,
  storage: FloatArray,
): { h: Float64Array; c: Float64Array; saved: Float64Array } {
  const h = new Float64Array(rows * H);
  const c = new Float64Array(rows * H);
  const saved = new Float64Array(rows * 5 * H);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < H; j++) {
      const pre = (k: number): number => gates[r * 4 * H + k * H + j]!;
      const [i, f, g, o] = [sigmoidReference(pre(0)), sigmoidReference(pre(1)), Math.tanh(pre(2)), sigmoidReference(pre(3))];
      // c as the backend stores it (float32 rounds), since h reads the stored c.
      storage[0] = f * cPrev[r * H + j]! + i * g;
      c[r * H + j] = storage[0]!;
      const tc = Math.tanh(c[r * H + j]!);
      h[r * H + j] = o * tc;
      [i, f, g, o, tc].forEach((v, k) => (saved[r * 5 * H + k * H + j] = v));
    }
  }
  return { h, c, saved };
}

export function gruReference(
  xProj: ArrayLike<number>,
  hProj: ArrayLike<number>,
  hPrev: ArrayLike<number>,
  rows: number,
  H: number,
): { h: Float64Array; saved: Float64Array } {
  const h = new Float64Array(rows * H);
  const saved = new Float64Array(rows * 3 * H);
  for (let row = 0; row < rows; row++) {
    for (let j = 0; j < H; j++) {
      const at3 = (k: number): number => row * 3 * H + k * H + j;
      const r = sigmoidReference(xProj[at3(0)]! + hProj[at3(0)]!);
      const z = sigmoidReference(xProj[at3(1)]! + hProj[at3(1)]!);
      const n = Math.tanh(xProj[at3(2)]! + r * hProj[at3(2)]!);
      h[row * H + j] = (1 - z) * n + z * hPrev[row * H + j]!;
      saved[at3(0)] = r;
      saved[at3(1)] = z;
      saved[at3(2)] = n;
    }
  }
  return { h, saved };
}

export function recurrentCellCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const dtype of FLOATS) {
    const tol = ELEMENTWISE[dtype];
    cases.push({
      name: `lstmCellForward ${dtype}: h, c and the saved activations (σi, σf, tanh g, σo, tanh c); saturated gates stay finite`,
      run(backend) {
        const gen = new Generator(1000);
        for (const [rows, H] of CELL_SHAPES) {
          const what = `lstmCellForward ${dtype} [${rows}, ${H}]`;
          const gates = filled(backend, dtype, gateValues(gen, rows * 4 * H)) as FloatArray;
          const cPrev = filled(backend, dtype, uniform(gen, rows * H, -2, 2)) as FloatArray;
          const expected = lstmReference(gates, cPrev, rows, H, backend.alloc(dtype, 1) as FloatArray);
          const sentinel = (n: number): FloatArray => filled(backend, dtype, new Array<number>(n).fill(SENTINEL)) as FloatArray;
          const [h, c, saved] = [sentinel(rows * H), sentinel(rows * H), sentinel(rows * 5 * H)];
          backend.lstmCellForward({ gates, cPrev, rows, hidden: H, h, c, saved });
          check(h, expected.h, tol, `${what}: h`);
          check(c, expected.c, tol, `${what}: c`);
          check(saved, expected.saved, tol, `${what}: saved`);
          // Without a saved buffer (inference) the outputs are the same.
          const [h2, c2] = [sentinel(rows * H), sentinel(rows * H)];
          backend.lstmCellForward({ gates, cPrev, rows, hidden: H, h: h2, c: c2, saved: null });
          check(h2, expected.h, tol, `${what}: h without saved`);
          check(c2, expected.c, tol, `${what}: c without saved`);
        }
      },
    });
    cases.push({
      name: `lstmCellBackward ${dtype}: dGates and dcPrev from the saved activations`,
      run(backend) {
        const gen = new Generator(1010);
        for (const [rows, H] of CELL_SHAPES) {
          const gatesValues = gateValues(gen, rows * 4 * H);
          const cPrevValues = uniform(gen, rows * H, -2, 2);
          const { saved: savedValues } = lstmReference(gatesValues, cPrevValues, rows, H, new Float64Array(1));
          const saved = filled(backend, dtype, savedValues) as FloatArray;
          const cPrev = filled(backend, dtype, cPrevValues) as FloatArray;
          const dh = filled(backend, dtype, uniform(gen, rows * H, -1, 1)) as FloatArray;
          const dc = filled(backend, dtype, uniform(gen, rows * H, -1, 1)) as FloatArray;
          const dGates = filled(backend, dtype, new Array<number>(rows * 4 * H).fill(SENTINEL)) as FloatArray;
          const dcPrev = filled(backend, dtype, new Array<number>(rows * H).fill(SENTINEL)) as FloatArray;
          backend.lstmCellBackward({ saved, cPrev, dh, dc, rows, hidden: H, dGates, dcPrev });
          const expectedGates = new Float64Array(rows * 4 * H);
          const expectedC = new Float64Array(rows * H);
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < H; j++) {
              const [i, f, g, o, tc] = [0, 1, 2, 3, 4].map((k) => saved[r * 5 * H + k * H + j]!) as [
                number,
                number,
                number,
                number,
                number,
              ];
              const s = r * H + j;
              const dcTotal = dc[s]! + dh[s]! * o * (1 - tc * tc);
              expectedGates[r * 4 * H + j] = dcTotal * g * i * (1 - i);
              expectedGates[r * 4 * H + H + j] = dcTotal * cPrev[s]! * f * (1 - f);
              expectedGates[r * 4 * H + 2 * H + j] = dcTotal * i * (1 - g * g);
              expectedGates[r * 4 * H + 3 * H + j] = dh[s]! * tc * o * (1 - o);
              expectedC[s] = dcTotal * f;
            }
          }
          check(dGates, expectedGates, ACCUMULATED[dtype], `lstmCellBackward ${dtype} [${rows}, ${H}]: dGates`);
          check(dcPrev, expectedC, ACCUMULATED[dtype], `lstmCellBackward ${dtype} [${rows}, ${H}]: dcPrev`);
        }
      },
    });
    cases.push({
      name: `gruCellForward ${dtype}: PyTorch's step (b_hn inside the reset product) and the saved r, z, n`,
      run(backend) {
        const gen = new Generator(1020);
        for (const [rows, H] of CELL_SHAPES) {
          const what = `gruCellForward ${dtype} [${rows}, ${H}]`;
          const xProj = filled(backend, dtype, gateValues(gen, rows * 3 * H)) as FloatArray;
          const hProj = filled(backend, dtype, uniform(gen, rows * 3 * H, -3, 3)) as FloatArray;
          const hPrev = filled(backend, dtype, uniform(gen, rows * H, -1, 1)) as FloatArray;
          const expected = gruReference(xProj, hProj, hPrev, rows, H);
          const h = filled(backend, dtype, new Array<number>(rows * H).fill(SENTINEL)) as FloatArray;
          const saved = filled(backend, dtype, new Array<number>(rows * 3 * H).fill(SENTINEL)) as FloatArray;
          backend.gruCellForward({ xProj, hProj, hPrev, rows, hidden: H, h, saved });
          check(h, expected.h, ACCUMULATED[dtype], `${what}: h`);
          check(saved, expected.saved, tol, `${what}: saved`);
          const h2 = filled(backend, dtype, new Array<number>(rows * H).fill(SENTINEL)) as FloatArray;
          backend.gruCellForward({ xProj, hProj, hPrev, rows, hidden: H, h: h2, saved: null });
          check(h2, expected.h, ACCUMULATED[dtype], `${what}: h without saved`);
        }
      },
    });
    cases.push({
      name: `gruCellBackward ${dtype}: dxProj, dhProj and the direct dhPrev from the saved gates`,
      run(backend) {
        const gen = new Generator(1030);
        for (const [rows, H] of CELL_SHAPES) {
          const xValues = gateValues(gen, rows * 3 * H);
          const hProjValues = uniform(gen, rows * 3 * H, -3, 3);
          const hPrevValues = uniform(gen, rows * H, -1, 1);
          const saved = filled(backend, dtype, gruReference(xValues, hProjValues, hPrevValues, rows, H).saved) as FloatArray;
          const hProj = filled(backend, dtype, hProjValues) as FloatArray;
          const hPrev = filled(backend, dtype, hPrevValues) as FloatArray;
          const dh = filled(backend, dtype, uniform(gen, rows * H, -1, 1)) as FloatArray;
          const out = (n: number): FloatArray => filled(backend, dtype, new Array<number>(n).fill(SENTINEL)) as FloatArray;
          const [dxProj, dhProj, dhPrev] = [out(rows * 3 * H), out(rows * 3 * H), out(rows * H)];
          backend.gruCellBackward({ saved, hProj, hPrev, dh, rows, hidden: H, dxProj, dhProj, dhPrev });
          const expectedX = new Float64Array(rows * 3 * H);
          const expectedHProj = new Float64Array(rows * 3 * H);
          const expectedHPrev = new Float64Array(rows * H);
          for (let row = 0; row < rows; row++) {
            for (let j = 0; j < H; j++) {
              const at3 = (k: number): number => row * 3 * H + k * H + j;
              const [r, z, n] = [saved[at3(0)]!, saved[at3(1)]!, saved[at3(2)]!];
              const g = dh[row * H + j]!;
              const dn = g * (1 - z) * (1 - n * n);
              const dr = dn * hProj[at3(2)]! * r * (1 - r);
              const dz = g * (hPrev[row * H + j]! - n) * z * (1 - z);
              [dr, dz, dn].forEach((v, k) => (expectedX[at3(k)] = v));
              [dr, dz, dn * r].forEach((v, k) => (expectedHProj[at3(k)] = v));
              expectedHPrev[row * H + j] = g * z;
            }
          }
          const what = `gruCellBackward ${dtype} [${rows}, ${H}]`;
          check(dxProj, expectedX, ACCUMULATED[dtype], `${what}: dxProj`);
          check(dhProj, expectedHProj, ACCUMULATED[dtype], `${what}: dhProj`);
          check(dhPrev, expectedHPrev, ACCUMULATED[dtype], `${what}: dhPrev`);
        }
      },
    });
  }
  return cases;
}
