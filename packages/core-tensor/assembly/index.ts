// The kernels of the wasm backend, compiled by scripts/build-wasm.ts and loaded by
// src/backend/wasm/module.ts. Every export takes addresses laid out by the TypeScript side.
export { gemm, WORK_BYTES } from './gemm';
export { unaryF32, binaryF32, softmaxRowsF32, rowLogSumExpF32, crossEntropyGradF32, reduceF32, reduceAccF32 } from './elementwise';
export { lstmForwardF32, gruForwardF32, lstmStepF32, lstmBackwardF32, gruStepF32, gruBackwardF32 } from './recurrent';
export { spmmCsrF32 } from './sparse';
