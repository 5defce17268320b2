import { afterAll, beforeAll, describe, it } from 'vitest';
import { backendConformance } from '../../testing/conformance/index.js';
import { createWasmBackend, type WasmBackend, type WasmBackendOptions } from './index.js';

// Every product through the wasm kernel (no js shortcut for tiny ones), split over every thread;
// `elementwiseFrom: 1` sends even the suite's small arrays through the wasm elementwise kernels.
const EVERYTHING_IN_WASM = { jsBelow: 0, threadsFrom: 0 };

const configurations: [string, WasmBackendOptions][] = [
  ['1 thread, default dispatch', {}],
  ['1 thread, plain SIMD, every call in wasm', { relaxedSimd: false, matmulTuning: EVERYTHING_IN_WASM, elementwiseFrom: 1 }],
  ['1 thread, relaxed SIMD where available, every call in wasm', { matmulTuning: EVERYTHING_IN_WASM, elementwiseFrom: 1 }],
  ['2 threads, every call in wasm, products split', { threads: 2, matmulTuning: EVERYTHING_IN_WASM, elementwiseFrom: 1 }],
];

for (const [label, options] of configurations) {
  describe(`backend conformance: wasm backend, ${label}`, () => {
    let backend: WasmBackend;
    beforeAll(async () => {
      backend = await createWasmBackend(options);
    });
    afterAll(async () => {
      await backend.dispose();
    });
    for (const c of backendConformance()) {
      it(c.name, () => c.run(backend));
    }
  });
}
