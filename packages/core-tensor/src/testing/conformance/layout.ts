/** Backend conformance: copy (permute, expand, slice, concat, stack). See ./index.ts. */
import type { Backend } from '../../backend/backend.js';

import { Generator } from '../../random/generator.js';

import { EXACT, at, check, filled, sizeOf, tiedValues, unravel, type ConformanceCase } from './shared.js';

// ---- copy ----------------------------------------------------------------------------------------

interface CopyLayout {
  name: string;
  shape: number[];
  srcSize: number;
  srcOffset: number;
  srcStrides: number[];
  dstSize: number;
  dstOffset: number;
  dstStrides: number[];
}

const COPY_LAYOUTS: readonly CopyLayout[] = [
  {
    name: 'contiguous with offsets',
    shape: [6, 4],
    srcSize: 30,
    srcOffset: 3,
    srcStrides: [4, 1],
    dstSize: 30,
    dstOffset: 5,
    dstStrides: [4, 1],
  },
  {
    name: 'permute [2,3,4] → [4,2,3]',
    shape: [4, 2, 3],
    srcSize: 24,
    srcOffset: 0,
    srcStrides: [1, 12, 4],
    dstSize: 24,
    dstOffset: 0,
    dstStrides: [6, 3, 1],
  },
  { name: 'slice with a step', shape: [3, 3], srcSize: 40, srcOffset: 9, srcStrides: [8, 2], dstSize: 9, dstOffset: 0, dstStrides: [3, 1] },
  { name: 'expand a column', shape: [3, 5], srcSize: 3, srcOffset: 0, srcStrides: [1, 0], dstSize: 15, dstOffset: 0, dstStrides: [5, 1] },
  { name: 'expand a scalar', shape: [2, 2], srcSize: 1, srcOffset: 0, srcStrides: [0, 0], dstSize: 4, dstOffset: 0, dstStrides: [2, 1] },
  {
    name: 'into a block of a wider matrix (concat)',
    shape: [4, 3],
    srcSize: 12,
    srcOffset: 0,
    srcStrides: [3, 1],
    dstSize: 28,
    dstOffset: 2,
    dstStrides: [7, 1],
  },
  {
    name: 'rows of unequal pitch',
    shape: [2, 3],
    srcSize: 6,
    srcOffset: 0,
    srcStrides: [3, 1],
    dstSize: 8,
    dstOffset: 0,
    dstStrides: [4, 1],
  },
  {
    name: 'long runs with size-1 axes',
    shape: [1, 2, 1, 40],
    srcSize: 80,
    srcOffset: 0,
    srcStrides: [80, 40, 40, 1],
    dstSize: 90,
    dstOffset: 10,
    dstStrides: [0, 40, 3, 1],
  },
  {
    name: 'a transposed long matrix',
    shape: [40, 3],
    srcSize: 120,
    srcOffset: 0,
    srcStrides: [1, 40],
    dstSize: 120,
    dstOffset: 0,
    dstStrides: [3, 1],
  },
  { name: '0-d with offsets', shape: [], srcSize: 5, srcOffset: 4, srcStrides: [], dstSize: 3, dstOffset: 1, dstStrides: [] },
  { name: 'empty', shape: [3, 0], srcSize: 4, srcOffset: 0, srcStrides: [0, 1], dstSize: 4, dstOffset: 0, dstStrides: [0, 1] },
];

export function copyCases(): ConformanceCase[] {
  return (['float32', 'float64', 'int32'] as const).map((dtype, k) => ({
    name: `copy ${dtype} with strides and offsets (untouched elements stay)`,
    run(backend: Backend) {
      const gen = new Generator(400 + k);
      for (const layout of COPY_LAYOUTS) {
        const srcValues =
          dtype === 'int32'
            ? Array.from({ length: layout.srcSize }, () => gen.integer(-1000, 1000))
            : tiedValues(gen, layout.srcSize, [NaN, Infinity, -0]);
        const src = filled(backend, dtype, srcValues);
        const dst = filled(
          backend,
          dtype,
          Array.from({ length: layout.dstSize }, (_, i) => -1 - i),
        );
        const expected = Float64Array.from(dst);
        for (let i = 0; i < sizeOf(layout.shape); i++) {
          const idx = unravel(i, layout.shape);
          expected[at(idx, layout.dstStrides, layout.dstOffset)] = src[at(idx, layout.srcStrides, layout.srcOffset)]!;
        }
        backend.copy({
          src,
          srcOffset: layout.srcOffset,
          srcStrides: layout.srcStrides,
          dst,
          dstOffset: layout.dstOffset,
          dstStrides: layout.dstStrides,
          shape: layout.shape,
        });
        check(dst, expected, EXACT, `copy ${dtype}, ${layout.name}`);
      }
    },
  }));
}
