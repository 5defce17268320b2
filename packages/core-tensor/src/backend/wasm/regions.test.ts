import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError } from '../../errors.js';
import { lstmSequence, releaseSpentResiduals } from '../../ops/recurrent-sequence.js';
import { Generator } from '../../random/generator.js';
import { Tensor } from '../../tensor.js';
import { expectClose } from '../../testing/expect-close.js';
import { jsBackend, jsCoreKernels } from '../js/index.js';
import { getBackend, registerBackend, setBackend } from '../registry.js';
import { createMatmul } from './matmul.js';
import { loadKernelsSync } from './module.js';
import { RegionPool } from './regions.js';
import { WasmRuntime } from './runtime.js';
import { createSequenceKernels } from './sequence.js';

const packageRoot = fileURLToPath(new URL('../../..', import.meta.url));

describe('RegionPool', () => {
  const pool = (): RegionPool => new RegionPool(1000, () => true);

  it('hands out aligned, disjoint regions and reuses released ones, merging neighbours and lowering its top', () => {
    const p = pool();
    const [a, b, c] = [p.take(100)!, p.take(200)!, p.take(64)!];
    expect([a.address, b.address, c.address]).toEqual([1024, 1152, 1408]);
    expect(p.end).toBe(1472);
    p.release(a);
    // Best fit: a's 128 bytes take a 64-byte request; a 256-byte one goes above.
    expect(p.take(64)!.address).toBe(1024);
    // b merges with the rest of a's block below it: [1088, 1408) is free.
    p.release(b);
    const d = p.take(128)!;
    expect(d.address).toBe(1088);
    p.release(c);
    // c was the top block: the top falls to the free space below it (b's rest).
    expect(p.end).toBe(1216);
    p.release(d);
    expect(p.end).toBe(1088);
    expect(p.liveCount()).toBe(1);
    expect(p.liveBytes()).toBe(64);
  });

  it('refuses a region the memory cannot hold, and a region released twice', () => {
    const p = new RegionPool(0, (end) => end <= 4096);
    const a = p.take(4096)!;
    expect(p.take(1)).toBeNull();
    p.release(a);
    expect(() => p.release(a)).toThrow(BackendError);
  });
});

describe('WasmRuntime regions', () => {
  it('keeps the scratch and the work areas of threads added later clear of live regions', async () => {
    const runtime = new WasmRuntime(loadKernelsSync(), { threads: 1 });
    const region = runtime.regions.take(1000)!;
    expect(runtime.reserve(64)).toBeGreaterThanOrEqual(region.address + region.bytes);
    runtime.setNumThreads(2);
    const area = runtime.workArea(1);
    expect(area >= region.address + region.bytes || area + runtime.exports.WORK_BYTES.value <= region.address).toBe(true);
    expect(runtime.reserve(64)).toBeGreaterThanOrEqual(area + runtime.exports.WORK_BYTES.value);
    runtime.regions.release(region);
    await runtime.dispose();
  });
});

describe('the wasm memory pool of the fused LSTM sequence', () => {
  let runtime: WasmRuntime;
  let previous: string;
  beforeAll(async () => {
    previous = getBackend().name;
    runtime = new WasmRuntime(loadKernelsSync(), { threads: 2 });
    await runtime.ready();
    const sequences = createSequenceKernels(runtime, jsBackend, { threadsFrom: 0, minElements: 1 });
    registerBackend({ ...jsCoreKernels, name: 'wasm-regions-test', matmul: createMatmul(runtime), ...sequences });
  });
  afterAll(async () => {
    setBackend(previous);
    await runtime.dispose();
  });

  /** Parameters and inputs of one sequence: xProj [T, B, 4H], h0, c0 [B, H], W_hh [4H, H], b [4H]. */
  function inputs(seed: number, steps = 5, rows = 6, H = 7): Tensor[] {
    const gen = new Generator(seed);
    const make = (shape: number[], scale: number): Tensor => {
      const t = Tensor.empty(shape, 'float32');
      for (let i = 0; i < t.size; i++) t.data[i] = gen.normal() * scale;
      return t.requiresGrad_();
    };
    return [make([steps, rows, 4 * H], 1), make([rows, H], 0.5), make([rows, H], 1), make([4 * H, H], 0.4), make([4 * H], 0.3)];
  }

  /** Runs a sequence's forward on `backend`; `backward` seeds its three outputs with fixed gradients. */
  function forward(backend: string, xs: readonly Tensor[], reverse = false): { backward: (retain?: boolean) => void } {
    setBackend(backend);
    const [x, h0, c0, w, b] = xs as [Tensor, Tensor, Tensor, Tensor, Tensor];
    const { output, h, c } = lstmSequence(x, h0, c0, w, { biasIH: b, reverse });
    return {
      backward(retain = false) {
        setBackend(backend);
        // The three outputs as one scalar: Σ output·1 + Σ h·0.5 + Σ c·(−0.25).
        output.sum().add(h.mul(0.5).sum()).add(c.mul(-0.25).sum()).backward(undefined, { retainGraph: retain });
      },
    };
  }

  function expectSameGrads(ours: readonly Tensor[], theirs: readonly Tensor[], what: string): void {
    ours.forEach((t, k) => expectClose(t.grad!.data, theirs[k]!.grad!.data, { rtol: 1e-4, atol: 1e-5, message: `${what}: input ${k}` }));
  }

  it('never hands out memory still referenced: two live graphs, then both backwards, as on the js backend', () => {
    const [a, b, ja, jb] = [inputs(1), inputs(2), inputs(1), inputs(2)];
    const [fa, fb] = [forward('wasm-regions-test', a), forward('wasm-regions-test', b, true)];
    expect(runtime.regions.liveCount()).toBeGreaterThanOrEqual(2);
    fb.backward();
    fa.backward();
    forward('js', ja).backward();
    forward('js', jb, true).backward();
    expectSameGrads(a, ja, 'first');
    expectSameGrads(b, jb, 'second');
  });

  it('interleaved forwards and backwards of several sequences give the js gradients, and their regions come back', () => {
    releaseSpentResiduals();
    const before = runtime.regions.liveCount();
    const ours = [inputs(3), inputs(4, 3, 5, 9), inputs(5, 8, 4, 6)];
    const theirs = [inputs(3), inputs(4, 3, 5, 9), inputs(5, 8, 4, 6)];
    const f0 = forward('wasm-regions-test', ours[0]!);
    const f1 = forward('wasm-regions-test', ours[1]!, true);
    f0.backward();
    const f2 = forward('wasm-regions-test', ours[2]!); // may reuse f0's region
    f2.backward();
    f1.backward();
    theirs.forEach((xs, k) => forward('js', xs, k === 1).backward());
    ours.forEach((xs, k) => expectSameGrads(xs, theirs[k]!, `sequence ${k}`));
    releaseSpentResiduals();
    expect(runtime.regions.liveCount()).toBe(before);
  });

  it('a retained graph keeps its region for a second backward (gradients doubled, as on js)', () => {
    const [ours, theirs] = [inputs(6), inputs(6)];
    const f = forward('wasm-regions-test', ours);
    f.backward(true);
    releaseSpentResiduals();
    f.backward();
    const g = forward('js', theirs);
    g.backward(true);
    g.backward();
    expectSameGrads(ours, theirs, 'retained');
  });

  it('a spent region comes back before the next call places its scratch; a retained one stays until its last backward', () => {
    releaseSpentResiduals();
    const before = runtime.regions.liveCount();
    const reserveSome = (): void => {
      runtime.reserve(256);
    };
    const f = forward('wasm-regions-test', inputs(8));
    f.backward(true);
    reserveSome();
    expect(runtime.regions.liveCount()).toBe(before + 1);
    f.backward();
    expect(runtime.regions.liveCount()).toBe(before + 1);
    // No sequence forward in between: the next reservation (any kernel's) gives the region back.
    reserveSome();
    expect(runtime.regions.liveCount()).toBe(before);
  });

  it('wasm memory stops growing over a 2,000-step run', () => {
    const xs = inputs(7, 4, 8, 16);
    let after200 = 0;
    for (let step = 1; step <= 2000; step++) {
      for (const t of xs) t.grad = null;
      forward('wasm-regions-test', xs).backward();
      if (step === 200) after200 = runtime.memoryBytes();
    }
    expect(after200).toBeGreaterThan(0);
    expect(runtime.memoryBytes()).toBe(after200);
    releaseSpentResiduals();
    expect(runtime.regions.liveCount()).toBe(0);
  });

  it('the region of a forward without backward comes back when its outputs are garbage-collected', () => {
    const script = `
      import { jsBackend, jsCoreKernels } from './src/backend/js/index.ts';
      import { registerBackend, setBackend } from './src/backend/registry.ts';
      import { loadKernelsSync } from './src/backend/wasm/module.ts';
      import { WasmRuntime } from './src/backend/wasm/runtime.ts';
      import { createSequenceKernels } from './src/backend/wasm/sequence.ts';
      import { lstmSequence } from './src/ops/recurrent-sequence.ts';
      import { randn, zeros } from './src/index.ts';
      const runtime = new WasmRuntime(loadKernelsSync());
      registerBackend({ ...jsCoreKernels, name: 'w', ...createSequenceKernels(runtime, jsBackend, { threadsFrom: 0, minElements: 1 }) });
      setBackend('w');
      (() => {
        const w = randn([32, 8]).requiresGrad_();
        const { output } = lstmSequence(randn([3, 4, 32]), zeros([4, 8]), zeros([4, 8]), w);
        console.log(runtime.regions.liveCount(), output.shape.join('x'));
      })();
      for (let i = 0; i < 5 && runtime.regions.liveCount() > 0; i++) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      console.log(runtime.regions.liveCount());
    `;
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: packageRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim().split('\n')).toEqual(['1 3x4x8', '0']);
  });

  it('after a backward, nothing of the sequence keeps its input projection alive', () => {
    const script = `
      import { jsBackend, jsCoreKernels } from './src/backend/js/index.ts';
      import { registerBackend, setBackend } from './src/backend/registry.ts';
      import { loadKernelsSync } from './src/backend/wasm/module.ts';
      import { WasmRuntime } from './src/backend/wasm/runtime.ts';
      import { createSequenceKernels } from './src/backend/wasm/sequence.ts';
      import { lstmSequence } from './src/ops/recurrent-sequence.ts';
      import { randn, zeros } from './src/index.ts';
      const runtime = new WasmRuntime(loadKernelsSync());
      registerBackend({ ...jsCoreKernels, name: 'w', ...createSequenceKernels(runtime, jsBackend, { threadsFrom: 0, minElements: 1 }) });
      setBackend('w');
      const w = randn([32, 8]).requiresGrad_();
      const xProj = (() => {
        const x = randn([3, 4, 32]).requiresGrad_().mul(2);
        lstmSequence(x, zeros([4, 8]), zeros([4, 8]), w).output.sum().backward();
        return new WeakRef(x);
      })();
      // No deref() before the last collection: it would keep x alive for the rest of that job.
      for (let i = 0; i < 3; i++) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      console.log(xProj.deref() === undefined, w.grad.shape.join('x'));
    `;
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: packageRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('true 32x8');
  });
});
