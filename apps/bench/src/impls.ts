/**
 * The implementations measured, one column each. `threads` is what the implementation is asked to
 * use; `threadCapable` says whether it can use more than one thread here at all (TF.js's threaded
 * wasm build does not start in Node, brain.js and the cpu backends are single-threaded).
 */
import type { WorkloadSpec } from './workloads.js';

/** The libraries compared. */
export type ImplName = 'tensorloom' | 'tfjs' | 'brainjs' | 'pytorch';

/** One column of the table: a library, its backend and a thread count. */
export interface ImplConfig {
  /** Column id, also what `--impl` matches: `tensorloom-wasm-2t`, `pytorch-1t`, `tfjs-cpu`… */
  id: string;
  impl: ImplName;
  backend: string;
  threads: number;
  /** Where it runs: a Node child process or a Python one. */
  runtime: 'node' | 'python';
  /** Whether more threads are possible (the ratio of such a peer is thread-matched). */
  threadCapable: boolean;
}

/** Every column, in table order (tensorloom first). */
export const IMPLS: readonly ImplConfig[] = [
  { id: 'tensorloom-js', impl: 'tensorloom', backend: 'js', threads: 1, runtime: 'node', threadCapable: false },
  { id: 'tensorloom-wasm-1t', impl: 'tensorloom', backend: 'wasm', threads: 1, runtime: 'node', threadCapable: true },
  { id: 'tensorloom-wasm-2t', impl: 'tensorloom', backend: 'wasm', threads: 2, runtime: 'node', threadCapable: true },
  { id: 'tfjs-cpu', impl: 'tfjs', backend: 'cpu', threads: 1, runtime: 'node', threadCapable: false },
  { id: 'tfjs-wasm', impl: 'tfjs', backend: 'wasm', threads: 1, runtime: 'node', threadCapable: false },
  { id: 'brainjs', impl: 'brainjs', backend: 'js', threads: 1, runtime: 'node', threadCapable: false },
  { id: 'pytorch-1t', impl: 'pytorch', backend: 'cpu', threads: 1, runtime: 'python', threadCapable: true },
  { id: 'pytorch-2t', impl: 'pytorch', backend: 'cpu', threads: 2, runtime: 'python', threadCapable: true },
];

/**
 * Whether an implementation runs a workload: brain.js has no GEMM to call and its LSTM trains
 * one sequence at a time, so it runs char-LSTM config A only (the config small enough for it);
 * TF.js has no recurrent graph cells, so the forecasting workloads are tensorloom against PyTorch.
 * Sampling, PubMed and the power-law graphs are tensorloom against PyTorch too: TF.js's GCN holds a
 * dense Â, 1.5 GB for PubMed's 19,717 nodes.
 */
export function supports(config: ImplConfig, workload: WorkloadSpec): boolean {
  if (config.impl === 'brainjs') return workload.kind === 'char-lstm' && workload.layers === 1 && workload.hidden <= 128;
  if (config.impl === 'tfjs') {
    if (workload.kind === 'gnn') return workload.syntheticFeatures === undefined;
    return workload.kind === 'gemm' || workload.kind === 'char-lstm';
  }
  return true;
}

/** The config with this id. */
export function implById(id: string): ImplConfig | undefined {
  return IMPLS.find((c) => c.id === id);
}
