/**
 * From the command line to the list of jobs: which workloads, which implementations, how each is
 * timed.
 */
import { matchesSelector, UsageError, type BenchOptions } from './cli-args.js';
import { IMPLS, supports, type ImplConfig } from './impls.js';
import type { TimingOptions } from './measure.js';
import type { Job } from './protocol.js';
import { findDataRoot, missingDataset } from './planetoid.js';
import { allWorkloads, datasetOf, quickSelectable, quickWorkloads, type WorkloadSpec } from './workloads.js';

/** What will run. */
export interface Plan {
  workloads: WorkloadSpec[];
  configs: ImplConfig[];
  /** Selected workloads skipped because their data is missing, and similar. */
  notices: string[];
  /** The data root the dataset workloads read (null when none was found). */
  dataRoot: string | null;
}

/** Where the plan looks for datasets. */
export interface PlanEnvironment {
  /** The data root; default `findDataRoot()` (`$TENSORLOOM_DATA`, else `../shared/data`). */
  dataRoot?: string | null;
}

/**
 * Selects workloads (`--quick`, `--only`) and implementations (`--impl`). Throws `UsageError` for a
 * selector that matches nothing. A workload whose dataset is missing under the data root is left
 * out with a notice. `catalogue` replaces the built-in workloads (tests use tiny ones).
 */
export function planRun(
  options: Pick<BenchOptions, 'quick' | 'only' | 'impls'>,
  catalogue?: readonly WorkloadSpec[],
  environment: PlanEnvironment = {},
): Plan {
  const notices: string[] = [];
  const base = catalogue ?? (options.quick && options.only.length === 0 ? quickWorkloads() : allWorkloads());
  let workloads = [...base];
  if (options.only.length > 0) {
    const pool = catalogue ?? allWorkloads();
    for (const selector of options.only) {
      if (!pool.some((w) => matchesSelector(w.name, selector))) {
        throw new UsageError(`--only: no workload matches '${selector}' (workloads: ${pool.map((w) => w.name).join(', ')})`);
      }
    }
    workloads = pool.filter((w) => options.only.some((s) => matchesSelector(w.name, s)));
    // --quick leaves the 10⁶-node graph out unless it is named in full.
    if (options.quick) workloads = workloads.filter((w) => quickSelectable(w) || options.only.includes(w.name));
  }
  const dataRoot = environment.dataRoot !== undefined ? environment.dataRoot : findDataRoot();
  workloads = workloads.filter((w) => {
    const dataset = datasetOf(w);
    const graphOnly = w.kind === 'gnn' && w.syntheticFeatures !== undefined;
    const problem = dataset === undefined ? undefined : missingDataset(dataRoot, dataset, { features: !graphOnly });
    if (problem !== undefined) notices.push(`${w.name} skipped: ${problem}`);
    return problem === undefined;
  });
  let configs = [...IMPLS];
  if (options.impls.length > 0) {
    for (const selector of options.impls) {
      if (!IMPLS.some((c) => matchesSelector(c.id, selector))) {
        throw new UsageError(`--impl: no implementation matches '${selector}' (implementations: ${IMPLS.map((c) => c.id).join(', ')})`);
      }
    }
    configs = IMPLS.filter((c) => options.impls.some((s) => matchesSelector(c.id, s)));
  }
  return { workloads, configs, notices, dataRoot };
}

/** How a workload is timed: shorter with `--quick`; `maxSeconds` is the budget of one job. */
export function timingFor(spec: WorkloadSpec, options: { quick: boolean; maxSeconds?: number | undefined }): TimingOptions {
  const budgetSeconds = options.maxSeconds ?? (options.quick ? 30 : 300);
  if (spec.kind === 'gemm') {
    return options.quick
      ? { warmup: 1, minRuns: 2, maxRuns: 20, minSeconds: 0.3, budgetSeconds }
      : { warmup: 2, minRuns: 5, maxRuns: 50, minSeconds: 2, budgetSeconds };
  }
  if (spec.kind === 'forecast') {
    // An epoch runs the cell over hundreds of snapshots: a third of a second (PyTorch) to seconds.
    return options.quick
      ? { warmup: 1, minRuns: 2, maxRuns: 10, minSeconds: 1, budgetSeconds }
      : { warmup: 1, minRuns: 5, maxRuns: 30, minSeconds: 10, budgetSeconds };
  }
  if (spec.kind === 'gnn-scale') {
    // From milliseconds (10⁴ nodes) to seconds (10⁶): fewer runs as the graph grows, so a job stays bounded.
    if (spec.nodes >= 1e6) return { warmup: 1, minRuns: 2, maxRuns: options.quick ? 2 : 3, minSeconds: 0, budgetSeconds };
    if (spec.nodes >= 1e5) {
      return options.quick
        ? { warmup: 1, minRuns: 3, maxRuns: 10, minSeconds: 1, budgetSeconds }
        : { warmup: 2, minRuns: 5, maxRuns: 30, minSeconds: 5, budgetSeconds };
    }
  }
  if (spec.kind === 'gnn' || spec.kind === 'gnn-scale') {
    // Epochs take milliseconds (PyTorch) to seconds (TF.js cpu): more runs, the best one counts.
    return options.quick
      ? { warmup: 2, minRuns: 3, maxRuns: 50, minSeconds: 1, budgetSeconds }
      : { warmup: 3, minRuns: 10, maxRuns: 200, minSeconds: 5, budgetSeconds };
  }
  return options.quick
    ? { warmup: 1, minRuns: 2, maxRuns: 20, minSeconds: 2, budgetSeconds }
    : { warmup: 2, minRuns: 5, maxRuns: 30, minSeconds: 10, budgetSeconds };
}

/** The jobs of a plan, workload by workload (so a row's figures are measured close in time). */
export function jobsOf(plan: Plan, options: { quick: boolean; maxSeconds?: number | undefined }): Job[] {
  return plan.workloads.flatMap((workload) => {
    const data = datasetOf(workload) !== undefined && plan.dataRoot !== null ? { dataRoot: plan.dataRoot } : {};
    return plan.configs
      .filter((config) => supports(config, workload))
      .map((config) => ({ workload, config, timing: timingFor(workload, options), ...data }));
  });
}
