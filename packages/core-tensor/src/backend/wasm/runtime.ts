/**
 * A loaded kernel module with its memory, its thread count and its worker pool: what the wasm
 * backend's kernels run on. It owns the memory layout (see `memory-layout.ts`): per-thread work
 * areas, the regions that outlive a call (`regions`: what a sequence's forward keeps for its
 * backward), and above them a scratch region for the operands of the call in flight, grown on
 * demand up to the memory's maximum. Kernels copy their operands into the scratch, run, and copy
 * results out.
 */
import { BackendError } from '../../errors.js';
import { CONTROL_BYTES, MAX_THREADS } from './memory-layout.js';
import type { KernelExports, LoadedKernels, WasmFeatures } from './module.js';
import { WorkerPool, workersAvailable } from './pool.js';
import { RegionPool, type Region } from './regions.js';

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
  private regionPool: RegionPool | null = null;
  /** Work areas of threads added after the region pool was placed (regions of it that are never released). */
  private readonly extraAreas: Region[] = [];
  /** Checks run before each reservation (`whenReserving`). */
  private releaseChecks: (() => boolean)[] = [];

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
    this.regionPool = new RegionPool(CONTROL_BYTES + this.workAreas * this.workBytes, (end) => this.ensure(end));
  }

  /** The regions of the memory that outlive a call (see `regions.ts`). */
  get regions(): RegionPool {
    return this.regionPool!;
  }

  /** The memory's current size in bytes. */
  memoryBytes(): number {
    return this.kernels.memory.buffer.byteLength;
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
    if (this.regionPool === null) {
      this.workAreas = Math.max(this.workAreas, threads);
      return;
    }
    // Above the work areas lie the regions now: further areas are regions kept for good.
    while (this.workAreas + this.extraAreas.length < threads) {
      const area = this.regionPool.take(this.workBytes);
      if (area === null) throw new BackendError(`wasm backend: no memory left for the work area of thread ${threads}`);
      this.extraAreas.push(area);
    }
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
    return thread < this.workAreas ? CONTROL_BYTES + thread * this.workBytes : this.extraAreas[thread - this.workAreas]!.address;
  }

  /**
   * Makes `bytes` of scratch available above the live regions and returns its start address, or −1
   * if the memory cannot grow that far. Views taken earlier may be stale afterwards: use
   * `floats32()`. The scratch is the call's own until the next `reserve` or `regions.take`.
   */
  reserve(bytes: number): number {
    if (this.releaseChecks.length > 0) this.runReleaseChecks();
    const base = align(Math.max(CONTROL_BYTES + this.workAreas * this.workBytes, this.regionPool?.end ?? 0));
    const end = base + bytes;
    if (!this.ensure(end)) return -1;
    this.lastEnd = end;
    return base;
  }

  /**
   * Runs `check` before every reservation until it returns true: a check releases regions that are
   * no longer needed (the residuals of a backward whose graph is gone) and says whether it is done.
   * So a spent region is given back before the next call places its scratch, not at the next
   * sequence's forward: measured on char-LSTM config B, the input projection's backward right after
   * the second layer's backward then no longer sits above that layer's 111 MB region.
   */
  whenReserving(check: () => boolean): void {
    this.releaseChecks.push(check);
  }

  private runReleaseChecks(): void {
    this.releaseChecks = this.releaseChecks.filter((check) => !check());
  }

  /** Grows the memory to at least `end` bytes; false when it cannot (the maximum, or the runtime refused). */
  private ensure(end: number): boolean {
    if (end > this.kernels.maximumBytes) return false;
    const buffer = this.kernels.memory.buffer;
    if (end <= buffer.byteLength) return true;
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
        return false;
      }
    }
    return true;
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
