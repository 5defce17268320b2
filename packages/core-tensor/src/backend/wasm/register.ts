/**
 * Registration helpers around one process-wide wasm backend, the one the CLI, the bench app and
 * tests select by name. Registration stays explicit: importing this module registers nothing.
 */
import { BackendError } from '../../errors.js';
import { registerBackend, setBackend } from '../registry.js';
import { createWasmBackend, createWasmBackendSync, type WasmBackend, type WasmBackendOptions } from './backend.js';

let shared: WasmBackend | null = null;
/** The thread count asked for through `setNumThreads` (applied when the backend exists). */
let requestedThreads = 1;

function adopt(backend: WasmBackend): WasmBackend {
  shared = backend;
  registerBackend(backend);
  return backend;
}

/**
 * Creates (once) the process-wide wasm backend and registers it as `'wasm'` (or `options.name`);
 * later calls return the same backend, applying `options.threads` if given. Rejects with
 * `BackendError` where the backend cannot load. Threads default to the last `setNumThreads`
 * (initially 1).
 * @example
 * await registerWasmBackend({ threads: 2 });
 * setBackend('wasm');
 */
export async function registerWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  if (shared) {
    if (options.threads !== undefined) setNumThreads(options.threads);
    await shared.ready();
    return shared;
  }
  const threads = options.threads ?? requestedThreads;
  const backend = adopt(await createWasmBackend({ ...options, threads }));
  requestedThreads = threads;
  return backend;
}

/** `registerWasmBackend` without a promise (Node; workers start in the background). */
export function registerWasmBackendSync(options: WasmBackendOptions = {}): WasmBackend {
  if (shared) {
    if (options.threads !== undefined) setNumThreads(options.threads);
    return shared;
  }
  const threads = options.threads ?? requestedThreads;
  const backend = adopt(createWasmBackendSync({ ...options, threads }));
  requestedThreads = threads;
  return backend;
}

/**
 * Registers the wasm backend and selects it where it loads; otherwise selects the js backend.
 * Returns the name of the backend selected. With `threads` > 1 where threads are impossible
 * (no shared memory), the wasm backend runs on one thread.
 * @example
 * const name = await loadFastestBackend({ threads: 2 }); // 'wasm' in Node 20
 */
export async function loadFastestBackend(options: WasmBackendOptions = {}): Promise<string> {
  try {
    let backend: WasmBackend;
    try {
      backend = await registerWasmBackend(options);
    } catch (error) {
      if (!(error instanceof BackendError) || (options.threads ?? requestedThreads) <= 1) throw error;
      backend = await registerWasmBackend({ ...options, threads: 1 });
    }
    setBackend(backend.name);
    return backend.name;
  } catch (error) {
    if (!(error instanceof BackendError)) throw error;
    setBackend('js');
    return 'js';
  }
}

/**
 * Sets how many threads the wasm backend's kernels may use (the calling thread included; default
 * 1). Applies to the registered wasm backend now, or when it is registered. Workers start in the
 * background. Throws `BackendError` for a count outside 1…64 or for threads where the registered
 * backend has no shared memory.
 */
export function setNumThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > 64)
    throw new BackendError(`setNumThreads: expected an integer in [1, 64], got ${threads}`);
  shared?.setNumThreads(threads);
  requestedThreads = threads;
}

/** The thread count of the wasm backend's kernels (the last `setNumThreads`, initially 1). */
export function getNumThreads(): number {
  return shared?.getNumThreads() ?? requestedThreads;
}

/**
 * Stops the process-wide wasm backend's worker threads (it keeps working on one thread, and
 * `setNumThreads` starts them again). For tests and CLIs that want a clean exit; idle workers never
 * keep Node alive anyway.
 */
export async function shutdownWasmBackend(): Promise<void> {
  await shared?.dispose();
  requestedThreads = 1;
}
