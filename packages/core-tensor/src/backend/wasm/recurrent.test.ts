import { beforeAll, describe, it } from 'vitest';
import { Generator } from '../../random/generator.js';
import { expectClose } from '../../testing/expect-close.js';
import { jsBackend } from '../js/index.js';
import { createWasmBackend, type WasmBackend } from './index.js';

// float32 arithmetic on values of order 1: a few ulp relative, and absolute where h = n + z·(hPrev − n) cancels
const TOL = { rtol: 2e-6, atol: 1e-6 };

function values(gen: Generator, size: number, scale: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = gen.normal() * scale;
  // saturated pre-activations: σ and tanh must stay finite and exact at the ends
  if (size > 3) [out[0], out[1], out[2]] = [80, -80, 1e4];
  return out;
}

describe('wasm fused recurrent forward steps against the js kernels (float32)', () => {
  let backend: WasmBackend;
  beforeAll(async () => {
    backend = await createWasmBackend();
  });

  it.each([
    [64, 128],
    [5, 130],
    [33, 7],
  ])('lstmCellForward [rows %i, hidden %i]: h, c and the saved activations', (rows, H) => {
    const gen = new Generator(31);
    const gates = values(gen, rows * 4 * H, 3);
    const cPrev = values(gen, rows * H, 1);
    const run = (b: typeof jsBackend): Float32Array[] => {
      const out = [new Float32Array(rows * H), new Float32Array(rows * H), new Float32Array(rows * 5 * H)];
      b.lstmCellForward({ gates, cPrev, rows, hidden: H, h: out[0]!, c: out[1]!, saved: out[2]! });
      return out;
    };
    const [h, c, saved] = run(backend);
    const [hRef, cRef, savedRef] = run(jsBackend);
    expectClose(h!, hRef!, TOL);
    expectClose(c!, cRef!, TOL);
    expectClose(saved!, savedRef!, TOL);
  });

  it.each([
    [64, 128],
    [5, 130],
    [33, 7],
  ])('gruCellForward [rows %i, hidden %i]: h and the saved r, z, n', (rows, H) => {
    const gen = new Generator(32);
    const xProj = values(gen, rows * 3 * H, 3);
    const hProj = values(gen, rows * 3 * H, 3);
    const hPrev = values(gen, rows * H, 1);
    const run = (b: typeof jsBackend): Float32Array[] => {
      const out = [new Float32Array(rows * H), new Float32Array(rows * 3 * H)];
      b.gruCellForward({ xProj, hProj, hPrev, rows, hidden: H, h: out[0]!, saved: out[1]! });
      return out;
    };
    const [h, saved] = run(backend);
    const [hRef, savedRef] = run(jsBackend);
    expectClose(h!, hRef!, TOL);
    expectClose(saved!, savedRef!, TOL);
  });
});
