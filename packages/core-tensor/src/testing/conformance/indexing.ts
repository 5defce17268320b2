/** Backend conformance: indexSelect, indexAdd, gather and scatterAdd. See ./index.ts. */

import { Generator } from '../../random/generator.js';

import { ACCUMULATED, EXACT, FLOATS, SENTINEL, check, dataValues, filled, uniform, type ConformanceCase } from './shared.js';

// ---- indexing ------------------------------------------------------------------------------------

const INDEX_SHAPES: readonly [number, number, number][] = [
  [1, 5, 1],
  [2, 6, 3],
  [3, 4, 1],
  [2, 3, 40],
];

export function indexingCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const dtypes = ['float32', 'float64', 'int32'] as const;
  for (const dtype of dtypes) {
    cases.push({
      name: `indexSelect ${dtype}: repeated, empty and single indices`,
      run(backend) {
        const gen = new Generator(900);
        for (const [outer, size, inner] of INDEX_SHAPES) {
          for (const indexValues of [[size - 1, 0, 0, 2], [], [1]]) {
            const x = filled(backend, dtype, dataValues(gen, dtype, outer * size * inner));
            const index = filled(backend, 'int32', indexValues) as Int32Array;
            const count = indexValues.length;
            const out = filled(backend, dtype, new Array<number>(outer * count * inner).fill(SENTINEL));
            backend.indexSelect({ x, outer, size, inner, index, out });
            const expected = new Float64Array(outer * count * inner);
            for (let o = 0; o < outer; o++) {
              for (let j = 0; j < count; j++) {
                for (let i = 0; i < inner; i++) expected[(o * count + j) * inner + i] = x[(o * size + indexValues[j]!) * inner + i]!;
              }
            }
            check(out, expected, EXACT, `indexSelect ${dtype} [${outer}, ${size}, ${inner}] index [${indexValues.join(', ')}]`);
          }
        }
      },
    });
    cases.push({
      name: `gather ${dtype}: index sizes 0, 1 and larger than the axis`,
      run(backend) {
        const gen = new Generator(910);
        for (const [outer, size, inner] of INDEX_SHAPES) {
          for (const indexSize of [0, 1, 7]) {
            const x = filled(backend, dtype, dataValues(gen, dtype, outer * size * inner));
            const indexValues = Array.from({ length: outer * indexSize * inner }, () => gen.integer(0, size));
            const index = filled(backend, 'int32', indexValues) as Int32Array;
            const out = filled(backend, dtype, new Array<number>(indexValues.length).fill(SENTINEL));
            backend.gather({ x, outer, size, inner, index, indexSize, out });
            const expected = new Float64Array(indexValues.length);
            for (let o = 0; o < outer; o++) {
              for (let j = 0; j < indexSize; j++) {
                for (let i = 0; i < inner; i++) {
                  const p = (o * indexSize + j) * inner + i;
                  expected[p] = x[(o * size + indexValues[p]!) * inner + i]!;
                }
              }
            }
            check(out, expected, EXACT, `gather ${dtype} [${outer}, ${size}, ${inner}] indexSize ${indexSize}`);
          }
        }
      },
    });
  }
  for (const dtype of FLOATS) {
    cases.push({
      name: `indexAdd ${dtype}: accumulates into out, repeated indices add up, NaN propagates`,
      run(backend) {
        const gen = new Generator(920);
        for (const [outer, size, inner] of INDEX_SHAPES) {
          for (const indexValues of [[size - 1, 0, 0, 2, 0], [], [1]]) {
            const count = indexValues.length;
            const src = filled(backend, dtype, dataValues(gen, dtype, outer * count * inner));
            const index = filled(backend, 'int32', indexValues) as Int32Array;
            const out = filled(backend, dtype, uniform(gen, outer * size * inner, -1, 1));
            const expected = Float64Array.from(out);
            for (let o = 0; o < outer; o++) {
              for (let j = 0; j < count; j++) {
                for (let i = 0; i < inner; i++) expected[(o * size + indexValues[j]!) * inner + i]! += src[(o * count + j) * inner + i]!;
              }
            }
            backend.indexAdd({ src, outer, size, inner, index, out });
            check(out, expected, ACCUMULATED[dtype], `indexAdd ${dtype} [${outer}, ${size}, ${inner}] index [${indexValues.join(', ')}]`);
          }
        }
      },
    });
    cases.push({
      name: `scatterAdd ${dtype}: accumulates into out, colliding indices add up`,
      run(backend) {
        const gen = new Generator(930);
        for (const [outer, size, inner] of INDEX_SHAPES) {
          for (const indexSize of [0, 1, 7]) {
            const n = outer * indexSize * inner;
            const src = filled(backend, dtype, dataValues(gen, dtype, n));
            const indexValues = Array.from({ length: n }, () => gen.integer(0, size));
            const index = filled(backend, 'int32', indexValues) as Int32Array;
            const out = filled(backend, dtype, uniform(gen, outer * size * inner, -1, 1));
            const expected = Float64Array.from(out);
            for (let o = 0; o < outer; o++) {
              for (let j = 0; j < indexSize; j++) {
                for (let i = 0; i < inner; i++) {
                  const p = (o * indexSize + j) * inner + i;
                  expected[(o * size + indexValues[p]!) * inner + i]! += src[p]!;
                }
              }
            }
            backend.scatterAdd({ src, outer, size, inner, index, indexSize, out });
            check(out, expected, ACCUMULATED[dtype], `scatterAdd ${dtype} [${outer}, ${size}, ${inner}] indexSize ${indexSize}`);
          }
        }
      },
    });
  }
  return cases;
}
