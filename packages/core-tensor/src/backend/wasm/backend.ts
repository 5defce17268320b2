/**
 * The `wasm` backend: WebAssembly SIMD kernels where they pay off, the js reference kernels for the
 * rest. Storage stays JS typed arrays, so ops are unchanged. Of the core kernels it takes the js
 * ones it does not speed up; the optional kernels it leaves out come from `completeBackend`, as for
 * any backend.
 */
import type { Backend } from '../backend.js';
import { jsBackend, jsCoreKernels } from '../js/index.js';
import { completeBackend } from '../registry.js';
import { createCrossEntropyBackward, createCrossEntropyForward } from './cross-entropy.js';
import { createBinary, createReduce, createSoftmax, createUnary, DEFAULT_ELEMENTWISE_THRESHOLDS } from './elementwise.js';
import { createMatmul, DEFAULT_MATMUL_TUNING, type MatmulTuning } from './matmul.js';
import { createGruCellForward, createLstmCellForward } from './recurrent.js';
import { createSpmmCsr } from './sparse.js';
import { createGraphKernels } from './graph.js';
import { createSequenceKernels } from './sequence.js';
import { createLstmStepperKernel } from './stepper.js';
import { loadKernels, loadKernelsSync, type LoadKernelsOptions, type WasmFeatures } from './module.js';
import { WasmRuntime, type RuntimeOptions } from './runtime.js';

/** Options of `createWasmBackend` (all optional). */
export interface WasmBackendOptions extends LoadKernelsOptions, RuntimeOptions {
  /** The name it registers under (default `'wasm'`). */
  name?: string;
  /** Size thresholds of the matmul dispatch (for benchmarks and tests). */
  matmulTuning?: Partial<MatmulTuning>;
  /**
   * Fewest elements for which unary, binary and softmax run in wasm, for all of them (tests use 1).
   * By default 64 for transcendental ops, softmax and the fused kernels, 1024 for relu, 2048 for
   * binary ops and reductions. Also the fewest multiply-adds (nnz × features) for spmm (default 512).
   */
  elementwiseFrom?: number;
  /**
   * Most bytes of scratch one block of an elementwise op, reduction, softmax or spmm takes (tests use
   * a few KiB to cross block edges); matmul's is `matmulTuning.blockBytes`. Defaults in elementwise.ts, sparse.ts.
   */
  blockBytes?: number;
}

/** A wasm backend: a `Backend` plus its features and thread controls. */
export interface WasmBackend extends Backend {
  /** What the loaded module uses (relaxed SIMD, shared memory). */
  readonly features: WasmFeatures;
  /** Sets the threads kernels may use, the calling one included (1–64). */
  setNumThreads(threads: number): void;
  /** The thread count set last. */
  getNumThreads(): number;
  /** Resolves once the workers of the current thread count have started. */
  ready(): Promise<void>;
  /** Stops the workers (the backend keeps working on one thread). */
  dispose(): Promise<void>;
}

function assemble(runtime: WasmRuntime, options: WasmBackendOptions): WasmBackend {
  const tuning = { ...DEFAULT_MATMUL_TUNING, ...options.matmulTuning };
  const from = options.elementwiseFrom;
  const elementwiseFrom = from === undefined ? DEFAULT_ELEMENTWISE_THRESHOLDS : { transcendental: from, cheapUnary: from, binary: from };
  const kernels = {
    ...jsCoreKernels,
    name: options.name ?? 'wasm',
    matmul: createMatmul(runtime, tuning),
    unary: createUnary(runtime, elementwiseFrom, options.blockBytes),
    binary: createBinary(runtime, elementwiseFrom, options.blockBytes),
    softmax: createSoftmax(runtime, elementwiseFrom, options.blockBytes),
    reduce: createReduce(runtime, elementwiseFrom, options.blockBytes),
    lstmCellForward: createLstmCellForward(runtime, jsBackend.lstmCellForward, elementwiseFrom.transcendental),
    gruCellForward: createGruCellForward(runtime, jsBackend.gruCellForward, elementwiseFrom.transcendental),
    ...createSequenceKernels(runtime, jsBackend, { threadsFrom: tuning.threadsFrom, minElements: elementwiseFrom.transcendental }),
    crossEntropyForward: createCrossEntropyForward(runtime, jsBackend.crossEntropyForward, elementwiseFrom.transcendental),
    crossEntropyBackward: createCrossEntropyBackward(runtime, jsBackend.crossEntropyBackward, elementwiseFrom.transcendental),
    spmmCsr: createSpmmCsr(runtime, jsBackend.spmmCsr, from, options.blockBytes),
    ...createGraphKernels(runtime, jsBackend, from),
    createLstmStepper: createLstmStepperKernel(runtime, jsBackend.createLstmStepper),
    features: runtime.features,
    setNumThreads: (threads: number) => runtime.setNumThreads(threads),
    getNumThreads: () => runtime.getNumThreads(),
    ready: () => runtime.ready(),
    dispose: () => runtime.dispose(),
  };
  return completeBackend(kernels);
}

/**
 * Loads the WebAssembly kernels and returns a new wasm backend (not registered: see
 * `registerWasmBackend`). Works in Node and browsers. Rejects with `BackendError` where
 * WebAssembly SIMD is missing, or a feature that was required (`relaxedSimd: true`, threads without
 * shared memory) is.
 *
 * Options: `threads` (default 1), `relaxedSimd` (`'auto'`), `sharedMemory` (`'auto'`),
 * `maximumMemoryMiB` (2048), `spinMicros` (200: how long an idle worker spins before sleeping),
 * `name` (`'wasm'`).
 * @example
 * const wasm = await createWasmBackend({ threads: 2 });
 * registerBackend(wasm);
 * setBackend('wasm');
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const backend = assemble(new WasmRuntime(await loadKernels(options), options), options);
  await backend.ready();
  return backend;
}

/**
 * `createWasmBackend` without a promise, for Node (and workers): compiles synchronously. Workers,
 * if any, start in the background; await `backend.ready()` before timing anything.
 * @example
 * registerBackend(createWasmBackendSync());
 */
export function createWasmBackendSync(options: WasmBackendOptions = {}): WasmBackend {
  return assemble(new WasmRuntime(loadKernelsSync(options), options), options);
}
