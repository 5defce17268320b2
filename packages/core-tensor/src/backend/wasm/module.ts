/**
 * Loading the kernel module: feature detection, the choice among the four generated variants
 * (plain or relaxed SIMD × shared or plain memory), and instantiation on a memory created here.
 *
 * - SIMD is required: without it `loadKernels` throws `BackendError` and callers fall back to js.
 * - Relaxed SIMD (`f32x4.relaxed_madd`, ~1.5× the GEMM speed) is detected by validating the
 *   relaxed binary. Node 20 ships it behind `--experimental-wasm-relaxed-simd`; the loader sets
 *   that V8 flag from inside the process (`v8.setFlagsFromString`, only in Node, only when the
 *   binary does not validate already) and validates again.
 * - Threads need a shared memory (`SharedArrayBuffer`; in browsers, cross-origin isolation);
 *   without one the plain-memory variant runs on the calling thread only.
 */
import { BackendError } from '../../errors.js';
import * as generated from './generated/kernels.js';
import { nodeBuiltin } from '../../environment.js';
import { decodeBase64, wasmApi, type WasmApi, type WasmInstance, type WasmMemory, type WasmModule } from './wasm-api.js';

/** Options of the loader (all optional). */
export interface LoadKernelsOptions {
  /** Use relaxed SIMD: `true` requires it, `false` never uses it, `'auto'` (default) where it validates. */
  relaxedSimd?: boolean | 'auto';
  /** Use a shared memory (needed for threads): `'auto'` (default) where SharedArrayBuffer exists. */
  sharedMemory?: boolean | 'auto';
  /** Largest size the memory may grow to, in MiB (default 2048; the floor is 64). */
  maximumMemoryMiB?: number;
}

/** What the loaded module uses. */
export interface WasmFeatures {
  /** Always true: the backend does not load without WebAssembly SIMD. */
  readonly simd: true;
  readonly relaxedSimd: boolean;
  readonly sharedMemory: boolean;
}

/** The exports of assembly/index.ts. Addresses and sizes are i32; strides are in elements. */
export interface KernelExports {
  gemm(
    a: number,
    aRow: number,
    aCol: number,
    aBatch: number,
    b: number,
    bRow: number,
    bCol: number,
    bBatch: number,
    c: number,
    ldc: number,
    cBatch: number,
    m: number,
    n: number,
    k: number,
    count: number,
    work: number,
    counter: number,
    unit: number,
    byRows: number,
  ): void;
  /** Packs op(B) [k, n] into k·roundUp(n, 8) floats at dst, for gemmPacked. */
  gemmPackB(b: number, bRow: number, bCol: number, k: number, n: number, dst: number): void;
  /** Packs op(A) [m, k] into k·roundUp(m, 4) floats at dst, for gemmPacked. */
  gemmPackA(a: number, aRow: number, aCol: number, m: number, k: number, dst: number): void;
  /** C = A·B from operands packed by gemmPackA / gemmPackB (tile: 128 bytes of scratch). */
  gemmPacked(pa: number, pb: number, c: number, ldc: number, m: number, n: number, k: number, tile: number): void;
  /** Bytes of one thread's scratch for the sequence kernels: gate rows [chunk, width], the packed [chunk, depth] operand, a tile. */
  sequenceScratchBytes(chunk: number, width: number, depth: number): number;
  lstmSequenceForwardF32(
    x: number,
    h0: number,
    c0: number,
    packedW: number,
    bias: number,
    hs: number,
    cs: number,
    saved: number,
    steps: number,
    rows: number,
    hidden: number,
    reverse: number,
    kFrom: number,
    kTo: number,
    tBase: number,
    scratch: number,
    counter: number,
    chunk: number,
  ): void;
  lstmSequenceBackwardF32(
    packedW: number,
    saved: number,
    c0: number,
    cs: number,
    dHs: number,
    dhLast: number,
    dc: number,
    dhRec: number,
    dX: number,
    steps: number,
    rows: number,
    hidden: number,
    reverse: number,
    kFrom: number,
    kTo: number,
    tBase: number,
    scratch: number,
    counter: number,
    chunk: number,
  ): void;
  gruSequenceForwardF32(
    x: number,
    h0: number,
    packedW: number,
    biasIH: number,
    biasHH: number,
    hs: number,
    saved: number,
    hProj: number,
    steps: number,
    rows: number,
    hidden: number,
    reverse: number,
    scratch: number,
    counter: number,
    chunk: number,
  ): void;
  gruSequenceBackwardF32(
    packedW: number,
    saved: number,
    hProj: number,
    h0: number,
    hs: number,
    dHs: number,
    dhLast: number,
    direct: number,
    dhRec: number,
    dX: number,
    dHProj: number,
    steps: number,
    rows: number,
    hidden: number,
    reverse: number,
    scratch: number,
    counter: number,
    chunk: number,
  ): void;
  unaryF32(op: number, x: number, out: number, n: number, p0: number): void;
  binaryF32(
    op: number,
    a: number,
    aRow: number,
    aCol: number,
    b: number,
    bRow: number,
    bCol: number,
    out: number,
    rows: number,
    cols: number,
  ): void;
  softmaxRowsF32(x: number, rows: number, size: number, log: number): void;
  reduceF32(op: number, x: number, outer: number, size: number, inner: number, out: number, acc: number): void;
  rowLogSumExpF32(x: number, rows: number, size: number, rowMax: number, logSum: number): void;
  crossEntropyGradF32(
    x: number,
    rows: number,
    size: number,
    rowMax: number,
    logSum: number,
    scale: number,
    mass: number,
    smooth: number,
    out: number,
  ): void;
  lstmForwardF32(gates: number, cPrev: number, rows: number, hidden: number, h: number, c: number, saved: number): void;
  gruForwardF32(xProj: number, hProj: number, hPrev: number, rows: number, hidden: number, h: number, saved: number): void;
  lstmStepF32(
    xProj: number,
    hProj: number,
    bias: number,
    cPrev: number,
    rows: number,
    hidden: number,
    h: number,
    c: number,
    saved: number,
  ): void;
  lstmBackwardF32(
    saved: number,
    cPrev: number,
    dh: number,
    dhExtra: number,
    dc: number,
    rows: number,
    hidden: number,
    dGates: number,
    dcPrev: number,
  ): void;
  gruStepF32(
    xProj: number,
    hProj: number,
    biasIH: number,
    biasHH: number,
    hPrev: number,
    rows: number,
    hidden: number,
    h: number,
    saved: number,
  ): void;
  gruBackwardF32(
    saved: number,
    hProj: number,
    hPrev: number,
    dh: number,
    dhExtra: number,
    dhDirect: number,
    rows: number,
    hidden: number,
    dxProj: number,
    dhProj: number,
    dhPrev: number,
  ): void;
  spmmCsrF32(rowPtr: number, colIndex: number, values: number, x: number, rows: number, feat: number, out: number): void;
  readonly WORK_BYTES: { readonly value: number };
}

/** A compiled module, the memory it runs on and its instance on the calling thread. */
export interface LoadedKernels {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly exports: KernelExports;
  readonly features: WasmFeatures;
  /** The memory's maximum in bytes. */
  readonly maximumBytes: number;
}

const PAGE = 65536;
const INITIAL_PAGES = 64;
const MINIMUM_PAGES = 1024;

interface Choice {
  api: WasmApi;
  bytes: Uint8Array;
  features: WasmFeatures;
  maximumPages: number;
}

let relaxedFlagTried = false;

/** Validates the relaxed binary, switching V8's relaxed-SIMD flag on first where that is possible. */
function relaxedValidates(api: WasmApi, bytes: Uint8Array): boolean {
  if (api.validate(bytes)) return true;
  if (relaxedFlagTried) return false;
  relaxedFlagTried = true;
  const v8 = nodeBuiltin<{ setFlagsFromString(flags: string): void }>('node:v8');
  if (!v8) return false;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return api.validate(bytes);
}

function sharedMemoryWorks(api: WasmApi): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    new api.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

function choose(options: LoadKernelsOptions): Choice {
  const api = wasmApi();
  if (!api) throw new BackendError('wasm backend: this runtime has no WebAssembly');
  const shared = options.sharedMemory ?? 'auto';
  const useShared = shared === 'auto' ? sharedMemoryWorks(api) : shared;
  if (useShared && !sharedMemoryWorks(api))
    throw new BackendError('wasm backend: shared memory was requested, but this runtime has no SharedArrayBuffer');
  const plain = decodeBase64(useShared ? generated.simdShared : generated.simdLocal);
  if (!api.validate(plain)) throw new BackendError('wasm backend: this runtime has no WebAssembly SIMD');
  const relaxedOption = options.relaxedSimd ?? 'auto';
  let bytes = plain;
  let relaxed = false;
  if (relaxedOption !== false) {
    const candidate = decodeBase64(useShared ? generated.relaxedShared : generated.relaxedLocal);
    if (relaxedValidates(api, candidate)) {
      bytes = candidate;
      relaxed = true;
    } else if (relaxedOption === true) {
      throw new BackendError('wasm backend: relaxed SIMD was requested, but this runtime does not support it');
    }
  }
  const maximumMiB = Math.max(64, Math.min(options.maximumMemoryMiB ?? 2048, 4095));
  const maximumPages = Math.min(generated.maximumPages, Math.floor((maximumMiB * 1024 * 1024) / PAGE));
  return { api, bytes, features: { simd: true, relaxedSimd: relaxed, sharedMemory: useShared }, maximumPages };
}

/**
 * The memory, with the largest maximum the runtime grants: a shared memory reserves its maximum
 * up front, which a 32-bit or memory-starved runtime may refuse, so halve it down to 64 MiB.
 */
function newMemory(choice: Choice): { memory: WasmMemory; maximumPages: number } {
  const { api, features } = choice;
  for (let maximumPages = choice.maximumPages; ; maximumPages = Math.floor(maximumPages / 2)) {
    try {
      const descriptor = { initial: INITIAL_PAGES, maximum: maximumPages };
      const memory = features.sharedMemory ? new api.Memory({ ...descriptor, shared: true }) : new api.Memory(descriptor);
      return { memory, maximumPages };
    } catch (error) {
      if (maximumPages / 2 < MINIMUM_PAGES) throw new BackendError(`wasm backend: cannot create a WebAssembly memory: ${String(error)}`);
    }
  }
}

/** Runs a loading step, reporting any failure as a BackendError (callers fall back to js on those). */
function step<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof BackendError) throw error;
    throw new BackendError(`wasm backend: ${what} failed: ${String(error)}`);
  }
}

async function stepAsync<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof BackendError) throw error;
    throw new BackendError(`wasm backend: ${what} failed: ${String(error)}`);
  }
}

function finish(
  choice: Choice,
  module: WasmModule,
  memory: { memory: WasmMemory; maximumPages: number },
  instance: WasmInstance,
): LoadedKernels {
  return {
    module,
    memory: memory.memory,
    exports: instance.exports as unknown as KernelExports,
    features: choice.features,
    maximumBytes: memory.maximumPages * PAGE,
  };
}

/**
 * Compiles and instantiates the kernels synchronously. Fine in Node and in workers; browsers
 * refuse synchronous compilation of large modules on the main thread, so use `loadKernels` there.
 * Throws `BackendError` where WebAssembly SIMD (or a requested feature) is missing, or loading fails.
 */
export function loadKernelsSync(options: LoadKernelsOptions = {}): LoadedKernels {
  const choice = step('feature detection', () => choose(options));
  const module = step('compiling the kernels', () => new choice.api.Module(choice.bytes));
  const memory = newMemory(choice);
  const instance = step('instantiating the kernels', () => new choice.api.Instance(module, { env: { memory: memory.memory } }));
  return finish(choice, module, memory, instance);
}

/** Compiles and instantiates the kernels (works everywhere). Rejects with `BackendError` where SIMD is missing or loading fails. */
export async function loadKernels(options: LoadKernelsOptions = {}): Promise<LoadedKernels> {
  const choice = step('feature detection', () => choose(options));
  const module = await stepAsync('compiling the kernels', () => choice.api.compile(choice.bytes));
  const memory = newMemory(choice);
  const instance = await stepAsync('instantiating the kernels', () => choice.api.instantiate(module, { env: { memory: memory.memory } }));
  return finish(choice, module, memory, instance);
}
