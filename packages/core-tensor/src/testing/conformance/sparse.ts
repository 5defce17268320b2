/** Backend conformance: spmmCsr, sddmmCsr, scatterReduce and segmentSoftmax. See ./index.ts. */
import type { Backend } from '../../backend/backend.js';
import type { FloatArray } from '../../dtype.js';
import { Generator } from '../../random/generator.js';

import { ACCUMULATED, EXACT, FLOATS, SENTINEL, check, dataValues, filled, uniform, type ConformanceCase } from './shared.js';

// ---- sparse (CSR) and segment kernels ------------------------------------------------------------

/** [rows, cols, feat] of the CSR cases: one feature, odd widths (no SIMD width divides 3 or 17), the GCN widths. */
const CSR_SHAPES: readonly (readonly [number, number, number])[] = [
  [7, 5, 1],
  [7, 5, 3],
  [6, 9, 16],
  [5, 4, 17],
  [9, 6, 64],
  [4, 3, 0],
  [0, 3, 5],
];

interface CSRStructure {
  rowPtr: Int32Array;
  colIndex: Int32Array;
}

/**
 * A random CSR structure with empty rows (every third row, and the last), repeated columns
 * within a row and sorted columns; `entries = 0` gives no entries at all.
 */
function randomCsr(backend: Backend, gen: Generator, rows: number, cols: number, entries: number): CSRStructure {
  const perRow: number[][] = Array.from({ length: rows }, () => []);
  for (let e = 0; e < entries && rows > 1 && cols > 0; e++) {
    const r = gen.integer(0, rows - 1);
    if (r % 3 === 1) continue;
    const c = gen.integer(0, cols);
    perRow[r]!.push(c);
    if (e % 4 === 0) perRow[r]!.push(c);
  }
  const ptr = [0];
  const col: number[] = [];
  for (const row of perRow) {
    col.push(...row.sort((p, q) => p - q));
    ptr.push(col.length);
  }
  return { rowPtr: filled(backend, 'int32', ptr) as Int32Array, colIndex: filled(backend, 'int32', col) as Int32Array };
}

export function sparseCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const dtype of FLOATS) {
    cases.push({
      name: `spmmCsr ${dtype}: weighted and implicit ones, empty rows, repeated entries, no entries; overwrites out`,
      run(backend) {
        const gen = new Generator(1200);
        for (const [rows, cols, feat] of CSR_SHAPES) {
          for (const entries of [3 * rows, 0]) {
            const { rowPtr, colIndex } = randomCsr(backend, gen, rows, cols, entries);
            const nnz = colIndex.length;
            const xValues = uniform(gen, cols * feat, -2, 2);
            // NaN and Infinity propagate: put them where some row reads them.
            if (nnz > 0 && feat > 0) {
              xValues[colIndex[0]! * feat] = NaN;
              xValues[colIndex[nnz - 1]! * feat + feat - 1] = -Infinity;
            }
            const x = filled(backend, dtype, xValues) as FloatArray;
            for (const weighted of [true, false]) {
              const values = weighted ? (filled(backend, dtype, uniform(gen, nnz, -2, 2)) as FloatArray) : null;
              const out = filled(backend, dtype, new Array<number>(rows * feat).fill(SENTINEL)) as FloatArray;
              backend.spmmCsr({ rowPtr, colIndex, values, x, rows, feat, out });
              const expected = new Float64Array(rows * feat);
              for (let r = 0; r < rows; r++) {
                for (let k = rowPtr[r]!; k < rowPtr[r + 1]!; k++) {
                  const v = values === null ? 1 : values[k]!;
                  for (let f = 0; f < feat; f++) expected[r * feat + f]! += v * x[colIndex[k]! * feat + f]!;
                }
              }
              check(
                out,
                expected,
                ACCUMULATED[dtype],
                `spmmCsr ${dtype} [${rows}, ${cols}] · [${cols}, ${feat}], nnz ${nnz}, ${weighted ? 'weighted' : 'ones'}`,
              );
            }
          }
        }
      },
    });
    cases.push({
      name: `sddmmCsr ${dtype}: one dot product per entry, repeated entries, feat 0 writes zeros`,
      run(backend) {
        const gen = new Generator(1210);
        for (const [rows, cols, feat] of CSR_SHAPES) {
          const { rowPtr, colIndex } = randomCsr(backend, gen, rows, cols, 3 * rows);
          const nnz = colIndex.length;
          const a = filled(backend, dtype, uniform(gen, rows * feat, -2, 2)) as FloatArray;
          const b = filled(backend, dtype, uniform(gen, cols * feat, -2, 2)) as FloatArray;
          const out = filled(backend, dtype, new Array<number>(nnz).fill(SENTINEL)) as FloatArray;
          backend.sddmmCsr({ rowPtr, colIndex, a, b, rows, feat, out });
          const expected = new Float64Array(nnz);
          for (let r = 0; r < rows; r++) {
            for (let k = rowPtr[r]!; k < rowPtr[r + 1]!; k++) {
              for (let f = 0; f < feat; f++) expected[k]! += a[r * feat + f]! * b[colIndex[k]! * feat + f]!;
            }
          }
          check(out, expected, ACCUMULATED[dtype], `sddmmCsr ${dtype} [${rows}, ${cols}], feat ${feat}, nnz ${nnz}`);
        }
      },
    });
  }
  return cases;
}

/** [entries, size, inner] of the segment cases: more entries than segments, an inner axis, none at all. */
const SEGMENT_SHAPES: readonly (readonly [number, number, number])[] = [
  [13, 5, 1],
  [11, 4, 3],
  [20, 3, 8],
  [0, 3, 2],
];

/** Segment of each entry: unsorted, never segment 1 (an empty segment), and segment 0 at least twice. */
function segmentIndex(gen: Generator, entries: number, size: number): number[] {
  return Array.from({ length: entries }, (_, e) => {
    if (e < 2) return 0;
    const s = gen.integer(0, size);
    return s === 1 ? size - 1 : s;
  });
}

export function segmentCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const op of ['max', 'min'] as const) {
    for (const dtype of ['float32', 'float64', 'int32'] as const) {
      cases.push({
        name:
          `scatterReduce ${op} ${dtype}: the first entry wins ` +
          `ties${dtype === 'int32' ? '' : ', the first NaN wins'}, empty segments give 0 and −1`,
        run(backend) {
          const gen = new Generator(1300);
          for (const [entries, size, inner] of SEGMENT_SHAPES) {
            const indexValues = segmentIndex(gen, entries, size);
            const srcValues = dataValues(gen, dtype, entries * inner);
            if (dtype !== 'int32' && entries > 4) {
              srcValues[3 * inner] = NaN;
              srcValues[4 * inner] = NaN;
            }
            const src = filled(backend, dtype, srcValues);
            const index = filled(backend, 'int32', indexValues) as Int32Array;
            const out = filled(backend, dtype, new Array<number>(size * inner).fill(SENTINEL));
            const arg = filled(backend, 'int32', new Array<number>(size * inner).fill(SENTINEL)) as Int32Array;
            backend.scatterReduce({ op, src, index, size, inner, out, arg });
            const expectedOut = new Float64Array(size * inner);
            const expectedArg = new Float64Array(size * inner).fill(-1);
            for (let e = 0; e < entries; e++) {
              for (let i = 0; i < inner; i++) {
                const p = indexValues[e]! * inner + i;
                const v = src[e * inner + i]!;
                const a = expectedArg[p]!;
                const current = expectedOut[p]!;
                const better = a < 0 || (!Number.isNaN(current) && (Number.isNaN(v) || (op === 'max' ? v > current : v < current)));
                if (better) {
                  expectedOut[p] = v;
                  expectedArg[p] = e;
                }
              }
            }
            const what = `scatterReduce ${op} ${dtype} entries ${entries}, size ${size}, inner ${inner}`;
            check(out, expectedOut, EXACT, `${what}: out`);
            check(arg, expectedArg, EXACT, `${what}: arg`);
          }
        },
      });
    }
  }
  for (const dtype of FLOATS) {
    cases.push({
      name:
        `segmentSoftmax ${dtype}: per segment and column, stable for large ` +
        `scores, −∞ entries, an all −∞ segment is NaN, empty segments`,
      run(backend) {
        const gen = new Generator(1310);
        for (const [entries, size, inner] of SEGMENT_SHAPES) {
          const indexValues = segmentIndex(gen, entries, size);
          const srcValues = uniform(gen, entries * inner, -3, 3);
          // Segment 0's first column: one huge score (exp(1000) overflows even float64) and one −∞.
          if (entries > 1) {
            srcValues[0] = 1000;
            srcValues[inner] = -Infinity;
          }
          // The last segment's last column: all −∞ (NaN, as the dense softmax).
          for (let e = 0; e < entries; e++) if (indexValues[e] === size - 1) srcValues[e * inner + inner - 1] = -Infinity;
          const src = filled(backend, dtype, srcValues) as FloatArray;
          const index = filled(backend, 'int32', indexValues) as Int32Array;
          const out = filled(backend, dtype, new Array<number>(entries * inner).fill(SENTINEL)) as FloatArray;
          const segmentMax = filled(backend, dtype, new Array<number>(size * inner).fill(SENTINEL)) as FloatArray;
          const segmentSum = filled(backend, dtype, new Array<number>(size * inner).fill(SENTINEL)) as FloatArray;
          backend.segmentSoftmax({ src, index, size, inner, out, segmentMax, segmentSum });
          const m = new Float64Array(size * inner).fill(-Infinity);
          const z = new Float64Array(size * inner);
          for (let e = 0; e < entries; e++)
            for (let i = 0; i < inner; i++) m[indexValues[e]! * inner + i] = Math.max(m[indexValues[e]! * inner + i]!, src[e * inner + i]!);
          for (let e = 0; e < entries; e++)
            for (let i = 0; i < inner; i++)
              z[indexValues[e]! * inner + i]! += Math.exp(src[e * inner + i]! - m[indexValues[e]! * inner + i]!);
          const expected = Array.from({ length: entries * inner }, (_, p) => {
            const q = indexValues[Math.floor(p / inner)]! * inner + (p % inner);
            return Math.exp(src[p]! - m[q]!) / z[q]!;
          });
          const what = `segmentSoftmax ${dtype} entries ${entries}, size ${size}, inner ${inner}`;
          check(out, expected, ACCUMULATED[dtype], `${what}: out`);
          // m and z where the max is finite, and the empty segment's −∞ and 0.
          const finite = (values: ArrayLike<number>): number[] =>
            Array.from(values).filter((_, q) => Number.isFinite(m[q]!) || !indexValues.includes(Math.floor(q / inner)));
          check(finite(segmentMax), finite(m), EXACT, `${what}: segmentMax`);
          check(finite(segmentSum), finite(z), ACCUMULATED[dtype], `${what}: segmentSum`);
        }
      },
    });
  }
  return cases;
}
