/**
 * The worker pool: threads 1…size−1 of a wasm runtime (thread 0 is the calling thread). Each
 * worker instantiates the same compiled module on the same shared memory and serves jobs posted
 * through its control slot (see `worker-source.ts`), so posting a job and waiting for it are
 * synchronous: kernels stay synchronous like the rest of the `Backend` interface.
 *
 * Workers start asynchronously (60–120 ms); until a worker has marked its slot ready, calls simply
 * run without it, and `ready()` resolves once all have started. Node workers are `unref`ed: an
 * idle pool never keeps a process alive. `dispose()` stops and terminates them.
 */
import { BackendError } from '../../errors.js';
import { CONTROL_BYTES, MAX_THREADS, SLOT, SLOT_BYTES, WORKER_EXPORTS } from './memory-layout.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';
import { nodeBuiltin } from '../../environment.js';
import { browserWorkerSource, nodeWorkerSource } from './worker-source.js';

/** What a pool needs to start workers. */
export interface PoolOptions {
  module: WasmModule;
  memory: WasmMemory;
  /** How long an idle worker spins before sleeping in `Atomics.wait` (µs). */
  spinMicros: number;
}

/** The common part of a Node worker and a Web Worker that the pool uses. */
interface WorkerHandle {
  terminate(): unknown;
}

interface NodeWorker extends WorkerHandle {
  unref(): void;
  once(event: 'message' | 'error' | 'exit', listener: (value: unknown) => void): void;
}
type NodeWorkerClass = new (source: string, options: { eval: true; workerData: unknown; name?: string; execArgv?: string[] }) => NodeWorker;

interface WebWorker extends WorkerHandle {
  postMessage(message: unknown): void;
  addEventListener(event: 'message' | 'error', listener: (event: unknown) => void): void;
}
interface BrowserGlobals {
  Worker?: new (url: string, options?: { name?: string }) => WebWorker;
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL?: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
}

interface PoolWorker {
  handle: WorkerHandle;
  /** Its control slot (slot 0 is never used). */
  slot: number;
  control: Int32Array;
  /** Last request number posted. */
  request: number;
  started: Promise<void>;
}

/**
 * How long the calling thread spins on a worker's result before it sleeps (ms). Short: on a busy
 * machine a spinning caller takes the core its own worker needs (measured: a job the worker ran
 * alone took 1.9× longer while the caller spun 200 µs, 1.08× with no spin).
 */
const WAIT_SPIN_MS = 0.02;

/** Whether the calling thread may block in `Atomics.wait` (not a browser's main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether this runtime can start pool workers at all. */
export function workersAvailable(): boolean {
  if (nodeBuiltin('node:worker_threads')) return true;
  const g = globalThis as BrowserGlobals;
  return typeof g.Worker === 'function' && typeof g.Blob === 'function' && typeof g.URL?.createObjectURL === 'function';
}

export class WorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly blocking = canBlock();
  /** Control slots of workers still being terminated: a new worker must not share one. */
  private readonly busySlots = new Set<number>();

  constructor(private readonly options: PoolOptions) {
    if (!workersAvailable()) throw new BackendError('wasm backend: this runtime cannot start worker threads');
  }

  /** Workers started (ready or not). */
  get size(): number {
    return this.workers.length;
  }

  /** Starts or stops workers so that there are `count` of them. */
  resize(count: number): void {
    if (count < 0 || count > MAX_THREADS - 1)
      throw new BackendError(`wasm backend: a pool holds 0 to ${MAX_THREADS - 1} workers, not ${count}`);
    while (this.workers.length > count) void this.stop(this.workers.pop()!);
    while (this.workers.length < count) this.workers.push(this.start(this.workers.length + 1));
  }

  /** How many workers, counted from the first, are ready to take jobs now. */
  readyCount(): number {
    let count = 0;
    for (const w of this.workers) {
      if (Atomics.load(w.control, SLOT.state) !== 1) break;
      count++;
    }
    return count;
  }

  /** Resolves when every worker has started; rejects with `BackendError` if one failed to. */
  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.started));
  }

  /** Posts export `op` with i32 `args` to worker `index` (0-based; thread index + 1). */
  post(index: number, op: number, args: readonly number[]): void {
    const w = this.workers[index]!;
    const c = w.control;
    c[SLOT.op] = op;
    for (let i = 0; i < args.length; i++) c[SLOT.args + i] = args[i]!;
    w.request = (w.request + 1) | 0;
    Atomics.store(c, SLOT.request, w.request);
    Atomics.notify(c, SLOT.request);
  }

  /** Blocks until worker `index` has finished its last job; throws `BackendError` if the job trapped. */
  wait(index: number): void {
    const w = this.workers[index]!;
    const c = w.control;
    let seen = Atomics.load(c, SLOT.response);
    if (seen !== w.request) {
      const until = performance.now() + WAIT_SPIN_MS;
      let spins = 0;
      while ((seen = Atomics.load(c, SLOT.response)) !== w.request) {
        if (Atomics.load(c, SLOT.state) === 2) throw new BackendError(`wasm backend: worker ${index + 1} stopped during a job`);
        if (this.blocking && (++spins & 255) === 0 && performance.now() > until) Atomics.wait(c, SLOT.response, seen, 100);
      }
    }
    if (c[SLOT.error] !== 0) throw new BackendError(`wasm backend: a kernel trapped on worker ${index + 1}`);
  }

  /** Stops and terminates every worker. */
  async dispose(): Promise<void> {
    const stopping = this.workers.splice(0).map((w) => this.stop(w));
    await Promise.all(stopping);
  }

  private start(thread: number): PoolWorker {
    const { module, memory, spinMicros } = this.options;
    let slotIndex = 1;
    while (this.busySlots.has(slotIndex)) slotIndex++;
    const slot = slotIndex * SLOT_BYTES;
    if (slot + SLOT_BYTES > CONTROL_BYTES) throw new BackendError(`wasm backend: no free control slot for thread ${thread}`);
    this.busySlots.add(slotIndex);
    const control = new Int32Array(memory.buffer, slot, SLOT.words);
    control.fill(0);
    const data = { module, memory, slot, spinMicros, exportNames: WORKER_EXPORTS };
    const name = `tensorloom-wasm-${thread}`;
    const NodeWorkerCtor = nodeBuiltin<{ Worker: NodeWorkerClass }>('node:worker_threads')?.Worker;
    let handle: WorkerHandle;
    let started: Promise<void>;
    if (NodeWorkerCtor) {
      // No inherited execArgv: the parent's loaders (tsx) and flags have nothing to do here.
      const worker = new NodeWorkerCtor(nodeWorkerSource, { eval: true, workerData: data, name, execArgv: [] });
      worker.unref();
      started = new Promise((resolve, reject) => {
        // `once`, and unref again: a live 'message' listener would keep the process running.
        worker.once('message', () => {
          worker.unref();
          resolve();
        });
        worker.once('error', (error) => reject(new BackendError(`wasm backend: worker ${thread} failed to start: ${String(error)}`)));
        worker.once('exit', () => reject(new BackendError(`wasm backend: worker ${thread} exited`)));
      });
      handle = worker;
    } else {
      const g = globalThis as BrowserGlobals;
      const url = g.URL!.createObjectURL(new g.Blob!([browserWorkerSource], { type: 'text/javascript' }));
      const worker = new g.Worker!(url, { name });
      started = new Promise((resolve, reject) => {
        worker.addEventListener('message', () => resolve());
        worker.addEventListener('error', (event) =>
          reject(new BackendError(`wasm backend: worker ${thread} failed to start: ${String(event)}`)),
        );
      });
      worker.postMessage(data);
      void started.finally(() => g.URL!.revokeObjectURL(url)).catch(() => undefined);
      handle = worker;
    }
    // A worker that fails to start is simply never ready; `ready()` reports it.
    started.catch(() => undefined);
    return { handle, slot: slotIndex, control, request: 0, started };
  }

  private async stop(w: PoolWorker): Promise<void> {
    if (Atomics.load(w.control, SLOT.state) === 1) {
      // Ask the loop to return, so the worker ends cleanly even where terminate() is not awaited.
      w.control[SLOT.op] = -1;
      w.request = (w.request + 1) | 0;
      Atomics.store(w.control, SLOT.request, w.request);
      Atomics.notify(w.control, SLOT.request);
    }
    try {
      await w.handle.terminate();
    } catch {
      // already gone
    } finally {
      this.busySlots.delete(w.slot);
    }
  }
}
