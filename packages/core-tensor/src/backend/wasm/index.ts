// The wasm backend: WebAssembly SIMD kernels (assembly/), threads over a shared memory.
export { createWasmBackend, createWasmBackendSync, type WasmBackend, type WasmBackendOptions } from './backend.js';
export {
  registerWasmBackend,
  registerWasmBackendSync,
  loadFastestBackend,
  setNumThreads,
  getNumThreads,
  shutdownWasmBackend,
} from './register.js';
export type { WasmFeatures, LoadKernelsOptions } from './module.js';
export type { RuntimeOptions } from './runtime.js';
export type { MatmulTuning } from './matmul.js';
