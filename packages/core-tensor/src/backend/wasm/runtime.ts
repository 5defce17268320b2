/**
 * A loaded kernel module with its memory, its thread count and its worker pool: what the wasm
 * backend's kernels run on. It owns the memory layout (see `memory-layout.ts`): per-thread work
 * areas, and a scratch region for the operands of the call in flight, grown on demand up to the
 * memory's maximum. Kernels copy their operands in, run, and copy results out; nothing in the
 * wasm memory outlives a call.
 */
import { BackendError } from '../../errors.js';
import { CONTROL_BYTES, MAX_THREADS } from './memory-layout.js';
import type { KernelExports, LoadedKernels, WasmFeatures } from './module.js';
import { WorkerPool, workersAvailable } from './pool.js';

/** Options of a runtime. */
export interface RuntimeOptions {
  /** Threads kernels may use, the calling one included (default 1). */
  threads?: number;
  /** How long an idle worker spins before sleeping, in µs (default 200). */
  spinMicros?: number;
}

const PAGE = 65536;
const ALIGN = 64;

/** `x` rounded up to a multiple of 64 (a cache line; also keeps every f32/f64 view aligned). */
export function align(x: number): number {
  return Math.ceil(x / ALIGN) * ALIGN;
}

/**
 * `kernel` called with the numbers of one job's argument list, the form `WasmRuntime.parallel` hands
 * to the calling thread's share of the work.
 */
export function positional(kernel: (...args: number[]) => unknown): (args: readonly number[]) => void {
  return (args) => {
    kernel(...args);
  };
}

export class WasmRuntime {
  readonly exports: KernelExports;
  readonly features: WasmFeatures;
  private readonly workBytes: number;
  private workAreas = 1;
  private threads = 1;
  private pool: WorkerPool | null = null;
  private readonly spinMicros: number;
  private f32: Float32Array;
  private lastEnd = 0;

  constructor(
    private readonly kernels: LoadedKernels,
    options: RuntimeOptions = {},
  ) {
    this.exports = kernels.exports;
    this.features = kernels.features;
    this.workBytes = align(kernels.exports.WORK_BYTES.value);
    this.spinMicros = options.spinMicros ?? 200;
    this.f32 = new Float32Array(kernels.memory.buffer);
    this.setNumThreads(options.threads ?? 1);
  }

  /** Whether more than one thread is possible here (shared memory and a way to start workers). */
  get canThread(): boolean {
    return this.features.sharedMemory && workersAvailable();
  }

  /**
   * Sets the threads kernels may use, the calling one included. Workers start in the background;
   * until they are ready (`ready()`), kernels run on the threads that are. Throws `BackendError`
   * for a count outside 1…64, or above 1 where threads are impossible (no shared memory).
   */
  setNumThreads(threads: number): void {
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)
      throw new BackendError(`wasm backend: setNumThreads expects an integer in [1, ${MAX_THREADS}], got ${threads}`);
    if (threads > 1 && !this.canThread)
      throw new BackendError('wasm backend: threads need a shared WebAssembly memory and workers, which this runtime lacks');
    this.threads = threads;
    if (threads > 1 && !this.pool)
      this.pool = new WorkerPool({ module: this.kernels.module, memory: this.kernels.memory, spinMicros: this.spinMicros });
    this.pool?.resize(threads - 1);
    this.workAreas = Math.max(this.workAreas, threads);
  }

  /** The thread count set last (workers may still be starting). */
  getNumThreads(): number {
    return this.threads;
  }

  /** Threads usable right now: the calling one and the workers that are ready. */
  activeThreads(): number {
    return this.pool ? 1 + Math.min(this.pool.readyCount(), this.threads - 1) : 1;
  }

  /** Resolves once every worker has started; rejects with `BackendError` if one could not. */
  async ready(): Promise<void> {
    await this.pool?.ready();
  }

  /** Stops the workers; the runtime keeps working on the calling thread (and `setNumThreads` starts them again). */
  async dispose(): Promise<void> {
    this.threads = 1;
    // The pool object stays: it keeps the control slots of stopping workers out of reuse.
    await this.pool?.dispose();
  }

  /** Address of thread `t`'s scratch for the kernels (WORK_BYTES). */
  workArea(thread: number): number {
    return CONTROL_BYTES + thread * this.workBytes;
  }

  /**
   * Makes `bytes` of scratch available and returns its start address, or −1 if the memory cannot
   * grow that far. Views taken earlier may be stale afterwards: use `floats32()`.
   */
  reserve(bytes: number): number {
    const base = align(CONTROL_BYTES + this.workAreas * this.workBytes);
    const end = base + bytes;
    if (end > this.kernels.maximumBytes) return -1;
    const buffer = this.kernels.memory.buffer;
    if (end > buffer.byteLength) {
      // Grow at least by half again, so a slowly growing workload does not grow every call.
      const have = buffer.byteLength / PAGE;
      const need = Math.ceil(end / PAGE);
      const pages = Math.min(this.kernels.maximumBytes / PAGE, Math.max(need, Math.ceil(have * 1.5)));
      try {
        this.kernels.memory.grow(pages - have);
      } catch {
        // The runtime refused the memory (within the maximum, but not available): use what we have, or the js path.
        try {
          this.kernels.memory.grow(need - have);
        } catch {
          return -1;
        }
      }
    }
    this.lastEnd = end;
    return base;
  }

  /** The end address of the last reservation: a kernel must write nothing past it (tests check this). */
  reservedEnd(): number {
    return this.lastEnd;
  }

  /** A float32 view of the whole memory (current after any growth). */
  floats32(): Float32Array {
    this.refresh();
    return this.f32;
  }

  /**
   * Runs export `op` on `jobs.length` threads at once: jobs[0] on the calling thread (through
   * `local`), jobs[t] on worker t. Requires jobs.length ≤ activeThreads().
   */
  parallel(op: number, jobs: readonly (readonly number[])[], local: (args: readonly number[]) => void): void {
    const pool = this.pool;
    if (jobs.length > 1 && !pool) throw new BackendError('wasm backend: parallel jobs without workers');
    for (let t = 1; t < jobs.length; t++) pool!.post(t - 1, op, jobs[t]!);
    let failure: unknown = null;
    try {
      local(jobs[0]!);
    } catch (error) {
      failure = error;
    }
    // Always collect every worker, so none is still writing when the caller copies results out.
    for (let t = 1; t < jobs.length; t++) {
      try {
        pool!.wait(t - 1);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== null) throw failure;
  }

  private refresh(): void {
    const buffer = this.kernels.memory.buffer;
    if (this.f32.buffer !== buffer || this.f32.length * 4 !== buffer.byteLength) this.f32 = new Float32Array(buffer);
  }
}
