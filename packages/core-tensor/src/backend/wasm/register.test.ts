import { afterAll, describe, expect, it } from 'vitest';
import { BackendError } from '../../errors.js';
import { getBackend, listBackends, setBackend } from '../registry.js';
import {
  getNumThreads,
  loadFastestBackend,
  registerWasmBackend,
  registerWasmBackendSync,
  setNumThreads,
  shutdownWasmBackend,
} from './index.js';

describe('wasm backend registration', () => {
  afterAll(async () => {
    await shutdownWasmBackend();
    setBackend('js');
  });

  it('checks and remembers the thread count asked for', () => {
    // (A run under TENSORLOOM_BACKEND=wasm has registered the backend already: both cases hold.)
    const before = getNumThreads();
    expect(() => setNumThreads(0)).toThrow(BackendError);
    expect(() => setNumThreads(2.5)).toThrow(BackendError);
    expect(getNumThreads()).toBe(before);
    setNumThreads(2);
    expect(getNumThreads()).toBe(2);
    setNumThreads(1);
  });

  it('loadFastestBackend registers the wasm backend once and selects it', async () => {
    const name = await loadFastestBackend();
    expect(name).toBe('wasm');
    expect(getBackend().name).toBe('wasm');
    expect(listBackends()).toContain('wasm');
    // Later registrations return the same backend.
    const again = await registerWasmBackend();
    expect(registerWasmBackendSync()).toBe(again);
    expect(getBackend()).toBe(again);
  });

  it('setNumThreads applies to the registered backend; shutdown stops its workers', async () => {
    setNumThreads(2);
    expect(getNumThreads()).toBe(2);
    await registerWasmBackend({ threads: 2 }); // waits for the workers
    const a = new Float32Array(300 * 300).fill(1);
    const out = new Float32Array(300 * 300);
    getBackend().matmul({ a, b: a, out, batch: 1, m: 300, n: 300, k: 300, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 });
    expect(out[0]).toBe(300);
    expect(out[300 * 300 - 1]).toBe(300);
    await shutdownWasmBackend();
    expect(getNumThreads()).toBe(1);
  });
});
