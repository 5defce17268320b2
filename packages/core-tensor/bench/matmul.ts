/**
 * GFLOP/s of the js backend's matmul kernel, float32, one thread.
 *
 *   node --import tsx bench/matmul.ts           a table
 *   node --import tsx bench/matmul.ts --json    one JSON object
 *
 * Shapes are m×k×n: op(A) is [m, k], op(B) is [k, n], C is [m, n]; 2·m·k·n flops per product.
 * NT means B is stored [n, k] and read transposed (transB), TN means A is stored [k, m] (transA).
 * Each cell is the best of several timed runs after a warm-up run.
 */
import { matmul } from '../src/backend/js/matmul.js';

interface Shape {
  m: number;
  k: number;
  n: number;
}

interface Result {
  shape: string;
  variant: string;
  gflops: number;
  bestMs: number;
}

const SHAPES: Shape[] = [
  { m: 1024, k: 1024, n: 1024 },
  { m: 128, k: 1280, n: 4096 },
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

function bench(shape: Shape, transA: boolean, transB: boolean, runs: number): { gflops: number; bestMs: number } {
  const { m, k, n } = shape;
  const a = fill(m * k, 1);
  const b = fill(k * n, 2);
  const out = new Float32Array(m * n);
  const params = { batch: 1, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: 0 };
  matmul(a, b, out, params); // warm-up: compiles the kernel and grows the scratch buffers
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    matmul(a, b, out, params);
    best = Math.min(best, performance.now() - start);
  }
  return { gflops: (2 * m * k * n) / (best * 1e6), bestMs: best };
}

const json = process.argv.includes('--json');
const runsArg = process.argv.find((arg) => arg.startsWith('--runs='));
const runs = runsArg ? Number(runsArg.slice('--runs='.length)) : 5;

const results: Result[] = [];
for (const shape of SHAPES) {
  for (const v of VARIANTS) {
    const { gflops, bestMs } = bench(shape, v.transA, v.transB, runs);
    results.push({ shape: `${shape.m}x${shape.k}x${shape.n}`, variant: v.name, gflops, bestMs });
  }
}

if (json) {
  console.log(
    JSON.stringify({
      backend: 'js',
      dtype: 'float32',
      threads: 1,
      convention: 'm×k×n: op(A) [m, k] · op(B) [k, n]; flops = 2·m·k·n',
      runs,
      node: process.version,
      results: results.map((r) => ({ ...r, gflops: Number(r.gflops.toFixed(3)), bestMs: Number(r.bestMs.toFixed(2)) })),
    }),
  );
} else {
  console.log(`js backend matmul, float32, 1 thread, best of ${runs} after a warm-up (Node ${process.version})`);
  console.log('shape m×k×n: op(A) is [m, k], op(B) is [k, n]; GFLOP/s = 2·m·k·n / time\n');
  const header = ['shape (m×k×n)', ...VARIANTS.map((v) => v.name)];
  const rows = SHAPES.map((s) => {
    const name = `${s.m}x${s.k}x${s.n}`;
    return [name, ...VARIANTS.map((v) => results.find((r) => r.shape === name && r.variant === v.name)!.gflops.toFixed(2))];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log('\n(GFLOP/s)');
}
