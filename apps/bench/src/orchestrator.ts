/**
 * One bench run: probe which implementations load here, run every job in its own child process,
 * turn the reports into result entries.
 */
import type { BenchOptions } from './cli-args.js';
import { findPython, PACKAGE_DIR, probeNodeImpl, runNodeJob, runPythonJob, type ChildRun } from './child-process.js';
import { gitRevision, machineInfo } from './machine.js';
import { jobsOf, planRun } from './plan.js';
import { ensureGraphFile } from './powerlaw.js';
import { embeddedDataRoot, findDataRoot } from './planetoid.js';
import type { TimingOptions } from './measure.js';
import type { ChildReport, Job } from './protocol.js';
import { formatValue } from './report.js';
import type { BenchEntry, BenchHeader } from './results.js';
import { unitOf, workOf, type WorkloadSpec } from './workloads.js';

/** What a run produced. */
export interface BenchRun {
  header: BenchHeader;
  entries: BenchEntry[];
}

/** Hooks of a run: progress lines (stderr) and a callback after each entry (partial results). */
export interface RunHooks {
  log: (line: string) => void;
  onEntry?: (entries: readonly BenchEntry[]) => void;
  /** Replaces the workload catalogue (tests). */
  catalogue?: readonly WorkloadSpec[];
  /** Replaces every job's timing (tests). */
  timing?: TimingOptions;
  /** Replaces the data root (tests); default `findDataRoot()`. */
  dataRoot?: string | null;
  /** Where the `gnn-scale` graph files go (tests); default `<tmpdir>/tensorloom-bench`. */
  graphDir?: string;
}

/** A child is killed this long after it started (its own budget ends well before). */
export function killAfterSeconds(budgetSeconds: number): number {
  return 1.5 * budgetSeconds + 30;
}

// Startup (Node + tsx + the library) counted out of a killed child's time, to bound its value.
const STARTUP_ALLOWANCE_SECONDS = 15;

/** The entry of a finished job, or undefined when the implementation turned out to be unavailable. */
export function entryOf(job: Job & { workload: WorkloadSpec }, run: ChildRun, killSeconds: number): BenchEntry | undefined {
  const { workload, config } = job;
  const base = {
    kind: 'result' as const,
    workload: workload.name,
    impl: config.impl,
    implId: config.id,
    backend: config.backend,
    threads: config.threads,
    unit: unitOf(workload),
  };
  const report = run.report;
  if (report?.status === 'unavailable') return undefined;
  if (report?.status === 'ok' && report.value !== null) {
    const notes = [report.note, report.fromWarmup ? 'from a single warm-up run: one run took most of the time budget' : undefined].filter(
      Boolean,
    );
    return {
      ...base,
      value: report.value,
      peakRssMiB: report.peakRssMiB,
      baselineRssMiB: report.baselineRssMiB,
      status: 'ok',
      runs: report.runs,
      bestMs: report.bestSeconds * 1000,
      medianMs: report.medianSeconds * 1000,
      ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
      ...(report.graph === undefined ? {} : { graph: report.graph }),
    };
  }
  if (run.timedOut) {
    const upperBound = workOf(workload) / Math.max(1, killSeconds - STARTUP_ALLOWANCE_SECONDS);
    return {
      ...base,
      value: null,
      peakRssMiB: null,
      baselineRssMiB: null,
      status: 'timeout',
      upperBound,
      note: `no run finished within ${Math.round(killSeconds)} s`,
    };
  }
  const error = report?.status === 'failed' ? report.error.split('\n')[0]! : `exited with code ${run.exitCode} and no report`;
  return {
    ...base,
    value: null,
    peakRssMiB: report?.status === 'failed' ? (report.peakRssMiB ?? null) : null,
    baselineRssMiB: null,
    status: 'failed',
    note: error,
  };
}

/**
 * What an `unavailable` report of a job skips: with `scope: 'workload'` (the implementation runs,
 * but lacks what this workload needs) only this job; otherwise the column from here on.
 */
export function skipOf(
  job: Job & { workload: WorkloadSpec },
  report: ChildReport | undefined,
): { column: boolean; reason: string; notice: string } {
  const unavailable = report?.status === 'unavailable' ? report : undefined;
  const reason = unavailable?.reason ?? 'unavailable';
  if (unavailable?.scope === 'workload')
    return { column: false, reason, notice: `${job.workload.name} × ${job.config.id} skipped: ${reason}` };
  return { column: true, reason, notice: `${job.config.id} skipped from ${job.workload.name} on: ${reason}` };
}

/** Runs the bench as `options` says. */
export async function runBench(options: BenchOptions, argv: readonly string[], hooks: RunHooks): Promise<BenchRun> {
  const start = performance.now();
  const machine = machineInfo();
  const dataRoot = hooks.dataRoot !== undefined ? hooks.dataRoot : (findDataRoot() ?? (await embeddedDataRoot({ log: hooks.log })));
  const plan = planRun(options, hooks.catalogue, { dataRoot });
  const notices = [...plan.notices];
  const versions: Record<string, string> = {};
  if (process.env.TENSORLOOM_BENCH_WASM_MODULE && plan.configs.some((c) => c.impl === 'tensorloom' && c.backend === 'wasm')) {
    notices.push(`tensorloom's wasm backend taken from ${process.env.TENSORLOOM_BENCH_WASM_MODULE} (TENSORLOOM_BENCH_WASM_MODULE)`);
  }
  const revision = gitRevision(PACKAGE_DIR);
  if (revision !== undefined) versions['tensorloom commit'] = revision;
  const available = new Map<string, boolean>();

  // Probes: load each implementation once; skip its column with a notice if it does not load.
  let python: string | undefined;
  for (const config of plan.configs) {
    if (config.runtime === 'python') {
      if (python === undefined && !available.has('python')) {
        hooks.log('probing PyTorch…');
        const found = await findPython(options.python);
        if ('python' in found) {
          python = found.python;
          Object.assign(versions, found.versions);
          available.set('python', true);
        } else {
          available.set('python', false);
          notices.push(
            `PyTorch columns skipped: no Python with torch (${found.reasons.join('; ')}); ` +
              `Debian: apt-get install python3-torch libopenblas0-pthread`,
          );
        }
      }
      available.set(config.id, available.get('python') === true);
      continue;
    }
    hooks.log(`probing ${config.id}…`);
    const run = await probeNodeImpl(config);
    if (run.report?.status === 'ok') {
      available.set(config.id, true);
      Object.assign(versions, run.report.versions);
    } else {
      available.set(config.id, false);
      const why =
        run.report?.status === 'unavailable'
          ? run.report.reason
          : run.report?.status === 'failed'
            ? run.report.error.split('\n')[0]
            : `exit code ${run.exitCode}`;
      notices.push(`${config.id} skipped: ${why}`);
    }
  }

  const jobs = jobsOf(plan, options)
    .filter((job) => available.get(job.config.id) === true)
    .map((job) => (hooks.timing ? { ...job, timing: hooks.timing } : job));
  const entries: BenchEntry[] = [];
  const graphFiles = new Map<string, { file: string; numNodes: number; numEdges: number }>();
  for (const [index, planned] of jobs.entries()) {
    const workload = planned.workload!;
    if (available.get(planned.config.id) !== true) continue;
    const label = `[${index + 1}/${jobs.length}] ${workload.name} × ${planned.config.id}`;
    let job: Job = planned;
    if (workload.kind === 'gnn-scale') {
      // The graph is drawn once, here, and every implementation reads the same file.
      const graph = graphFiles.get(workload.name) ?? ensureGraphFile(workload, hooks.graphDir, hooks.log);
      graphFiles.set(workload.name, graph);
      job = { ...planned, graphFile: graph.file };
    }
    hooks.log(`${label} …`);
    const killSeconds = killAfterSeconds(job.timing.budgetSeconds);
    const run = job.config.runtime === 'python' ? await runPythonJob(job, python!, killSeconds) : await runNodeJob(job, killSeconds);
    const entry = entryOf({ ...job, workload }, run, killSeconds);
    const graph = graphFiles.get(workload.name);
    // A failed or killed job still has its graph's size, for the report's scale table.
    if (entry && entry.graph === undefined && graph !== undefined) entry.graph = { nodes: graph.numNodes, edges: graph.numEdges };
    if (!entry) {
      const skip = skipOf({ ...job, workload }, run.report);
      if (skip.column) available.set(job.config.id, false);
      notices.push(skip.notice);
      hooks.log(`${label}: ${skip.column ? `unavailable (${skip.reason}); skipping this column` : `skipped (${skip.reason})`}`);
      continue;
    }
    entries.push(entry);
    if (entry.status !== 'ok') notices.push(`${workload.name} × ${job.config.id}: ${entry.status}: ${entry.note ?? ''}`);
    const figure = entry.value === null ? entry.status : `${formatValue(entry.value)} ${entry.unit}`;
    hooks.log(
      `${label}: ${figure}${entry.peakRssMiB === null ? '' : `, peak ${Math.round(entry.peakRssMiB)} MiB`} (${run.seconds.toFixed(1)} s)`,
    );
    hooks.onEntry?.(entries);
  }

  const header: BenchHeader = {
    kind: 'header',
    date: new Date().toISOString(),
    command: ['pnpm bench', ...argv].join(' '),
    quick: options.quick,
    machine: { ...machine, loadAverageEnd: machineInfo().loadAverage },
    versions,
    notices,
    seconds: (performance.now() - start) / 1000,
  };
  return { header, entries };
}

/** Config ids a run will use (for --list). */
export function describeJobs(jobs: readonly Job[]): string[] {
  return jobs.map((job) => `${job.workload?.name ?? 'probe'} × ${job.config.id} (budget ${job.timing.budgetSeconds} s)`);
}
