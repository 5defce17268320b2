/**
 * Inside a demo's Web Worker: the fastest backend this page allows, and a description of it for
 * the page. Threads need a shared memory, which browsers give only to cross-origin isolated pages
 * (the site is served with COOP/COEP); elsewhere the wasm backend runs on one thread, and where
 * WebAssembly SIMD is missing the js backend runs.
 */
import { getBackend, loadFastestBackend, type WasmBackend } from '@tensorloom/core-tensor';

/** What the page shows about the backend that trains. */
export interface BackendInfo {
  /** `'wasm'` or `'js'`. */
  name: string;
  /** Threads the kernels may use (1 without cross-origin isolation). */
  threads: number;
  /** Whether the page is cross-origin isolated (SharedArrayBuffer available). */
  isolated: boolean;
  relaxedSimd: boolean;
  /** One line for the page, e.g. "wasm (SIMD, 2 threads, cross-origin isolated)". */
  label: string;
}

/** Selects the wasm backend (2 threads where isolated, else 1) or, failing that, the js backend. */
export async function selectBackend(wantThreads = 2): Promise<BackendInfo> {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  const threads = isolated ? Math.max(1, Math.min(wantThreads, cores)) : 1;
  const name = await loadFastestBackend({ threads });
  if (name !== 'wasm') {
    return { name, threads: 1, isolated, relaxedSimd: false, label: `${name} (WebAssembly SIMD unavailable)` };
  }
  const wasm = getBackend() as WasmBackend;
  const simd = wasm.features.relaxedSimd ? 'relaxed SIMD' : 'SIMD';
  const where = isolated ? 'cross-origin isolated' : 'not cross-origin isolated: one thread';
  return {
    name,
    threads,
    isolated,
    relaxedSimd: wasm.features.relaxedSimd,
    label: `wasm (${simd}, ${threads} thread${threads === 1 ? '' : 's'}, ${where})`,
  };
}
