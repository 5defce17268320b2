import { afterEach, describe, expect, it } from 'vitest';
import { BackendError } from '../errors.js';
import { crossEntropy } from '../ops/loss.js';
import { tensor } from '../ops/creation.js';
import type { BackendKernels, CoreKernels } from './backend.js';
import { jsBackend, jsCoreKernels } from './js/index.js';
import { completeBackend, getBackend, listBackends, ownKernels, registerBackend, setBackend } from './registry.js';

/** A backend with the core kernels only, each call counted. */
function coreOnly(name: string): { kernels: CoreKernels; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const count = <F extends (...args: never[]) => void>(kernel: string, f: F): F =>
    ((...args: Parameters<F>) => {
      calls.set(kernel, (calls.get(kernel) ?? 0) + 1);
      f(...args);
    }) as F;
  const { unary, binary, reduce, matmul } = jsCoreKernels;
  return {
    calls,
    kernels: {
      ...jsCoreKernels,
      name,
      unary: count('unary', unary),
      binary: count('binary', binary),
      reduce: count('reduce', reduce),
      matmul: count('matmul', matmul),
    },
  };
}

describe('the backend contract by capability', () => {
  afterEach(() => setBackend('js'));

  it('runs a backend that implements only the core kernels: the fused and sparse ones come from js', () => {
    const { kernels, calls } = coreOnly('core-only');
    expect(ownKernels(kernels)).toEqual([]);
    registerBackend(kernels);
    expect(listBackends()).toContain('core-only');
    setBackend('core-only');
    const backend = getBackend();
    expect(backend.name).toBe('core-only');
    expect(backend.lstmCellForward).toBe(jsBackend.lstmCellForward);
    expect(backend.spmmCsr).toBe(jsBackend.spmmCsr);
    // The fused cross-entropy runs (the js kernel), the core kernels are the backend's own.
    const loss = crossEntropy(tensor([[1, 2, 3]], { requiresGrad: true }), tensor([2], { dtype: 'int32' }));
    loss.backward();
    expect(loss.item()).toBeCloseTo(0.40760596, 6);
    const x = tensor([[1, 2]]);
    x.matmul(tensor([[1], [1]]));
    expect(calls.get('matmul')).toBe(1);
  });

  it("keeps a backend's own optional kernels and its other members; a complete backend is returned as it is", () => {
    const { kernels } = coreOnly('partial');
    let spmmCalls = 0;
    const partial: BackendKernels & { extra: string } = {
      ...kernels,
      extra: 'kept',
      spmmCsr: (args) => {
        spmmCalls++;
        jsBackend.spmmCsr(args);
      },
    };
    const complete = completeBackend(partial);
    expect(ownKernels(partial)).toEqual(['spmmCsr']);
    expect(complete.extra).toBe('kept');
    expect(complete.spmmCsr).toBe(partial.spmmCsr);
    expect(complete.segmentSoftmax).toBe(jsBackend.segmentSoftmax);
    complete.spmmCsr({
      rowPtr: Int32Array.of(0, 1),
      colIndex: Int32Array.of(0),
      values: null,
      x: Float32Array.of(2),
      rows: 1,
      feat: 1,
      out: new Float32Array(1),
    });
    expect(spmmCalls).toBe(1);
    expect(completeBackend(jsBackend)).toBe(jsBackend);
  });

  it('refuses an unknown backend name, listing the registered ones', () => {
    expect(() => setBackend('nowhere')).toThrow(BackendError);
    expect(() => setBackend('nowhere')).toThrow(/registered: js/);
  });
});
