/**
 * What the orchestrator and a child process (Node: src/child.ts, Python: python/bench_torch.py)
 * say to each other: the job goes in as one JSON argument, the report comes back as one stdout line
 * starting with `REPORT_MARKER`. Anything else a child prints is passed through to stderr.
 */
import type { ImplConfig } from './impls.js';
import type { TimingOptions } from './measure.js';
import type { WorkloadSpec } from './workloads.js';

/** Prefix of the report line. */
export const REPORT_MARKER = '@@tensorloom-bench ';

/** One workload × implementation, or (workload null) a probe that only loads the implementation. */
export interface Job {
  workload: WorkloadSpec | null;
  config: ImplConfig;
  timing: TimingOptions;
  /** The data root (absolute) for a workload that reads a dataset; the same for every implementation. */
  dataRoot?: string;
  /** The graph file (src/powerlaw.ts) of a `gnn-scale` workload, written by the orchestrator before its jobs. */
  graphFile?: string;
}

/** The size of the graph a GNN workload trained on (the report fits time and memory against `edges`). */
export interface GraphSize {
  nodes: number;
  /** Directed edges, both directions of each undirected edge, before GCN's self-loops. */
  edges: number;
}

/** A child's answer. */
export type ChildReport =
  | {
      status: 'ok';
      /** Null for a probe. */
      value: number | null;
      runs: number;
      bestSeconds: number;
      medianSeconds: number;
      fromWarmup: boolean;
      peakRssMiB: number;
      /** Peak RSS after loading the library and backend, before the workload's data and model. */
      baselineRssMiB: number;
      versions: Record<string, string>;
      note?: string;
      graph?: GraphSize;
    }
  | {
      status: 'unavailable';
      reason: string;
      /**
       * `'workload'`: the implementation runs, but not this workload (a missing kernel): only this
       * job is skipped. Absent: the implementation does not load, and its column is skipped.
       */
      scope?: 'workload';
      versions?: Record<string, string>;
    }
  | { status: 'failed'; error: string; peakRssMiB?: number };

/** The report line for `report`. */
export function formatReport(report: ChildReport): string {
  return `${REPORT_MARKER}${JSON.stringify(report)}`;
}

/** The report in a child's stdout (the last marker line), or undefined. */
export function parseReport(stdout: string): ChildReport | undefined {
  const lines = stdout.split('\n').filter((line) => line.startsWith(REPORT_MARKER));
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  try {
    const parsed = JSON.parse(last.slice(REPORT_MARKER.length)) as ChildReport;
    return typeof parsed === 'object' && parsed !== null && 'status' in parsed ? parsed : undefined;
  } catch {
    return undefined;
  }
}
