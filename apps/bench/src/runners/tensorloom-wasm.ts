/**
 * Finds tensorloom's wasm backend in @tensorloom/core-tensor (its root, or a `./wasm` subpath).
 * It is imported dynamically, so the bench runs without it and skips those columns with a notice.
 * `TENSORLOOM_BENCH_WASM_MODULE` names another module to take it from. Expected API: `registerWasmBackend({ threads })` (or
 * `createWasmBackend`) resolving to a backend
 * with `setNumThreads`, `ready()` and `features`; `setNumThreads` also exported on its own.
 */
import * as core from '@tensorloom/core-tensor';

type AnyFunction = (...args: unknown[]) => unknown;

interface WasmBackendLike extends core.Backend {
  setNumThreads?: (threads: number) => void;
  getNumThreads?: () => number;
  ready?: () => Promise<void>;
  features?: { relaxedSimd?: boolean; sharedMemory?: boolean };
}

interface WasmEntry {
  source: string;
  registerWasmBackend?: AnyFunction;
  createWasmBackend?: AnyFunction;
  setNumThreads?: AnyFunction;
}

function fn(module: Record<string, unknown>, name: string): AnyFunction | undefined {
  const value = module[name];
  return typeof value === 'function' ? (value as AnyFunction) : undefined;
}

async function findEntry(): Promise<WasmEntry | undefined> {
  // TENSORLOOM_BENCH_WASM_MODULE: a module path or URL to take the backend from instead (a backend
  // under development, before the package exports it).
  const override = process.env.TENSORLOOM_BENCH_WASM_MODULE;
  const specifiers = override ? [override] : ['@tensorloom/core-tensor', '@tensorloom/core-tensor/wasm'];
  for (const specifier of specifiers) {
    let module: Record<string, unknown>;
    try {
      module = (await import(specifier)) as Record<string, unknown>;
    } catch {
      continue;
    }
    const entry: WasmEntry = {
      source: specifier,
      registerWasmBackend: fn(module, 'registerWasmBackend'),
      createWasmBackend: fn(module, 'createWasmBackend'),
      setNumThreads: fn(module, 'setNumThreads'),
    };
    if (entry.registerWasmBackend || entry.createWasmBackend) return entry;
  }
  return undefined;
}

/**
 * Registers and selects the wasm backend with `threads` threads, and waits for its workers.
 * Returns a description (features), or throws an Error saying why the backend is not available.
 */
export async function activateTensorloomWasm(threads: number): Promise<string> {
  const entry = await findEntry();
  if (!entry) throw new Error('@tensorloom/core-tensor exports no registerWasmBackend / createWasmBackend (root or ./wasm)');
  let backend: WasmBackendLike;
  if (entry.registerWasmBackend) {
    backend = (await entry.registerWasmBackend({ threads })) as WasmBackendLike;
  } else {
    backend = (await entry.createWasmBackend!({ threads })) as WasmBackendLike;
    core.registerBackend(backend);
  }
  core.setBackend(backend.name);
  if (backend.setNumThreads) backend.setNumThreads(threads);
  else if (entry.setNumThreads) await entry.setNumThreads(threads);
  else if (threads > 1) throw new Error('the wasm backend has no setNumThreads');
  await backend.ready?.();
  const actual = backend.getNumThreads?.() ?? threads;
  if (actual !== threads) throw new Error(`asked for ${threads} threads, the wasm backend runs ${actual}`);
  const features = backend.features;
  const simd = features?.relaxedSimd === true ? 'relaxed SIMD' : features?.relaxedSimd === false ? 'SIMD (no relaxed)' : 'SIMD';
  return `${simd}${features?.sharedMemory ? ', shared memory' : ''}`;
}
