/**
 * From the command line to the list of jobs: which workloads, which implementations, how each is
 * timed.
 */
import { matchesSelector, UsageError, type BenchOptions } from './cli-args.js';
import { IMPLS, supports, type ImplConfig } from './impls.js';
import type { TimingOptions } from './measure.js';
import type { Job } from './protocol.js';
import { allWorkloads, PLANNED_WORKLOADS, quickWorkloads, type WorkloadSpec } from './workloads.js';

/** What will run. */
export interface Plan {
  workloads: WorkloadSpec[];
  configs: ImplConfig[];
  /** Selected workloads that cannot run yet, and similar. */
  notices: string[];
}

/**
 * Selects workloads (`--quick`, `--only`) and implementations (`--impl`). Throws `UsageError` for a
 * selector that matches nothing. `catalogue` replaces the built-in workloads (tests use tiny ones).
 */
export function planRun(options: Pick<BenchOptions, 'quick' | 'only' | 'impls'>, catalogue?: readonly WorkloadSpec[]): Plan {
  const notices: string[] = [];
  const base = catalogue ?? (options.quick && options.only.length === 0 ? quickWorkloads() : allWorkloads());
  let workloads = [...base];
  if (options.only.length > 0) {
    const pool = catalogue ?? allWorkloads();
    const selectors = options.only.filter((selector) => {
      const planned = Object.keys(PLANNED_WORKLOADS).filter((name) => matchesSelector(name, selector));
      for (const name of planned) notices.push(`${name} skipped: ${PLANNED_WORKLOADS[name]}`);
      const found = pool.some((w) => matchesSelector(w.name, selector));
      if (!found && planned.length === 0) throw new UsageError(`--only: no workload matches '${selector}' (workloads: ${pool.map((w) => w.name).join(', ')})`);
      return found;
    });
    workloads = pool.filter((w) => selectors.some((s) => matchesSelector(w.name, s)));
  }
  let configs = [...IMPLS];
  if (options.impls.length > 0) {
    for (const selector of options.impls) {
      if (!IMPLS.some((c) => matchesSelector(c.id, selector))) {
        throw new UsageError(`--impl: no implementation matches '${selector}' (implementations: ${IMPLS.map((c) => c.id).join(', ')})`);
      }
    }
    configs = IMPLS.filter((c) => options.impls.some((s) => matchesSelector(c.id, s)));
  }
  return { workloads, configs, notices };
}

/** How a workload is timed: shorter with `--quick`; `maxSeconds` is the budget of one job. */
export function timingFor(spec: WorkloadSpec, options: { quick: boolean; maxSeconds?: number | undefined }): TimingOptions {
  const budgetSeconds = options.maxSeconds ?? (options.quick ? 30 : 300);
  if (spec.kind === 'gemm') {
    return options.quick
      ? { warmup: 1, minRuns: 2, maxRuns: 20, minSeconds: 0.3, budgetSeconds }
      : { warmup: 2, minRuns: 5, maxRuns: 50, minSeconds: 2, budgetSeconds };
  }
  return options.quick
    ? { warmup: 1, minRuns: 2, maxRuns: 20, minSeconds: 2, budgetSeconds }
    : { warmup: 2, minRuns: 5, maxRuns: 30, minSeconds: 10, budgetSeconds };
}

/** The jobs of a plan, workload by workload (so a row's figures are measured close in time). */
export function jobsOf(plan: Plan, options: { quick: boolean; maxSeconds?: number | undefined }): Job[] {
  return plan.workloads.flatMap((workload) =>
    plan.configs.filter((config) => supports(config, workload)).map((config) => ({ workload, config, timing: timingFor(workload, options) })),
  );
}
