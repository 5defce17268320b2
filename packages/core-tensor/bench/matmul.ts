/**
 * GFLOP/s of the matmul kernel, float32: the js backend, and the wasm backend on 1 and 2 threads.
 *
 *   node --import tsx bench/matmul.ts                 a table
 *   node --import tsx bench/matmul.ts --json          one JSON object
 *   node --import tsx bench/matmul.ts --runs=9        best of 9 (default 5)
 *   node --import tsx bench/matmul.ts --impl=wasm1,wasm2   a subset of js, wasm1, wasm2, …
 *   node --import tsx bench/matmul.ts --impl=wasm1-plain   without relaxed SIMD
 *
 * Shapes are m×k×n: op(A) is [m, k], op(B) is [k, n], C is [m, n]; 2·m·k·n flops per product.
 * NT means B is stored [n, k] and read transposed (transB), TN means A is stored [k, m] (transA).
 * Each cell is the best of several timed runs after a warm-up run; a run repeats small products
 * so that it lasts at least ~20 ms. The wasm figures include copying the operands into the wasm
 * memory and the result out, as every call through the backend does.
 */
import type { Backend, MatmulParams } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js/index.js';
import { createWasmBackend, type WasmBackend } from '../src/backend/wasm/index.js';

interface Shape {
  m: number;
  k: number;
  n: number;
}

interface Result {
  impl: string;
  backend: string;
  threads: number;
  shape: string;
  variant: string;
  gflops: number;
  bestMs: number;
}

const SHAPES: Shape[] = [
  { m: 1024, k: 1024, n: 1024 },
  { m: 128, k: 1280, n: 4096 },
  { m: 64, k: 512, n: 1024 },
  { m: 64, k: 192, n: 512 },
];
const VARIANTS = [
  { name: 'NN', transA: false, transB: false },
  { name: 'NT', transA: false, transB: true },
  { name: 'TN', transA: true, transB: false },
  { name: 'TT', transA: true, transB: true },
] as const;

/** Deterministic fill in [-1, 1) (a small LCG: benchmarks need no statistical quality). */
function fill(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2147483648 - 1;
  }
  return out;
}

function bench(backend: Backend, shape: Shape, transA: boolean, transB: boolean, runs: number): { gflops: number; bestMs: number } {
  const { m, k, n } = shape;
  const a = fill(m * k, 1);
  const b = fill(k * n, 2);
  const out = new Float32Array(m * n);
  const params: MatmulParams = { batch: 1, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: 0 };
  // Warm-up: compiles (and tiers up) the kernel, grows scratch buffers, and sizes the repeat count.
  let start = performance.now();
  backend.matmul({ a, b, out, ...params });
  backend.matmul({ a, b, out, ...params });
  const once = (performance.now() - start) / 2;
  const repeat = Math.max(1, Math.ceil(20 / Math.max(once, 1e-3)));
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    start = performance.now();
    for (let i = 0; i < repeat; i++) backend.matmul({ a, b, out, ...params });
    best = Math.min(best, (performance.now() - start) / repeat);
  }
  return { gflops: (2 * m * k * n) / (best * 1e6), bestMs: best };
}

const json = process.argv.includes('--json');
const runsArg = process.argv.find((arg) => arg.startsWith('--runs='));
const runs = runsArg ? Number(runsArg.slice('--runs='.length)) : 5;
const implArg = process.argv.find((arg) => arg.startsWith('--impl='));
const impls = implArg ? implArg.slice('--impl='.length).split(',') : ['js', 'wasm1', 'wasm2'];

const results: Result[] = [];
let features = {};
for (const impl of impls) {
  let backend: Backend = jsBackend;
  let threads = 1;
  let wasm: WasmBackend | null = null;
  if (impl.startsWith('wasm')) {
    // wasm<threads>[-plain]: -plain leaves relaxed SIMD out
    const plain = impl.endsWith('-plain');
    threads = Number(impl.slice(4, plain ? -'-plain'.length : undefined) || 1);
    wasm = await createWasmBackend({ threads, relaxedSimd: plain ? false : 'auto' });
    features = wasm.features;
    backend = wasm;
  } else if (impl !== 'js') {
    throw new Error(`bench/matmul: unknown --impl ${impl} (js, wasm1, wasm2, wasm1-plain, …)`);
  }
  for (const shape of SHAPES) {
    for (const v of VARIANTS) {
      const { gflops, bestMs } = bench(backend, shape, v.transA, v.transB, runs);
      const label = impl === 'js' ? 'js' : `wasm×${threads}${wasm?.features.relaxedSimd ? '' : ' (plain SIMD)'}`;
      results.push({
        impl: label,
        backend: backend.name,
        threads,
        shape: `${shape.m}x${shape.k}x${shape.n}`,
        variant: v.name,
        gflops,
        bestMs,
      });
    }
  }
  await wasm?.dispose();
}

if (json) {
  console.log(
    JSON.stringify({
      dtype: 'float32',
      convention: 'm×k×n: op(A) [m, k] · op(B) [k, n]; flops = 2·m·k·n',
      runs,
      node: process.version,
      wasmFeatures: features,
      results: results.map((r) => ({ ...r, gflops: Number(r.gflops.toFixed(3)), bestMs: Number(r.bestMs.toFixed(3)) })),
    }),
  );
} else {
  console.log(`matmul, float32, best of ${runs} after a warm-up (Node ${process.version}; wasm ${JSON.stringify(features)})`);
  console.log('shape m×k×n: op(A) is [m, k], op(B) is [k, n]; GFLOP/s = 2·m·k·n / time\n');
  const header = ['shape (m×k×n)', 'impl', ...VARIANTS.map((v) => v.name)];
  const rows: string[][] = [];
  for (const s of SHAPES) {
    const name = `${s.m}x${s.k}x${s.n}`;
    const implNames = [...new Set(results.map((r) => r.impl))];
    implNames.forEach((impl, i) => {
      const cells = VARIANTS.map((v) =>
        results.find((r) => r.shape === name && r.impl === impl && r.variant === v.name)!.gflops.toFixed(1),
      );
      rows.push([i === 0 ? name : '', impl, ...cells]);
    });
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log('\n(GFLOP/s)');
}
