/**
 * What every in-process runner provides. A child process (src/child.ts) prepares one runner for
 * one implementation config, reads the baseline memory, runs one workload and reports.
 */
import type { ImplConfig } from '../impls.js';
import type { Timing, TimingOptions } from '../measure.js';
import type { GraphSize } from '../protocol.js';
import type { WorkloadSpec } from '../workloads.js';

/**
 * Thrown when an implementation cannot run here: from `prepare` (missing package, backend that
 * does not load) its column is skipped; from `run` (a kernel the workload needs is missing) only
 * that workload is.
 */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}

/** What a runner measured. */
export interface RunOutput {
  /** In the workload's unit (higher is better). */
  value: number;
  timing: Timing;
  /** Anything the reader of the table should know (a fallback, a substitution). */
  note?: string;
  /** The size of the graph trained on (`gnn-scale`). */
  graph?: GraphSize;
}

/** Options of one run. */
export interface RunContext {
  timing: TimingOptions;
  /** Progress on stderr. */
  log: (message: string) => void;
  /** The data root holding the workload's dataset folder (from the job). */
  dataRoot?: string;
  /** The graph file of a `gnn-scale` workload (from the job). */
  graphFile?: string;
}

/** An implementation able to run workloads in this process. */
export interface Runner {
  /** Loads the library and selects backend and threads; throws `UnavailableError` if it cannot. */
  prepare(config: ImplConfig): Promise<void>;
  /** Runs one workload; throws `UnavailableError` for a workload it does not do. */
  run(spec: WorkloadSpec, context: RunContext): Promise<RunOutput>;
  /** Versions for the results header, e.g. `{ '@tensorflow/tfjs': '4.22.0' }`. */
  versions(): Record<string, string>;
}
