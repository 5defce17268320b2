/**
 * Starting the child processes: a Node one for tensorloom, TF.js and brain.js, a Python one for
 * PyTorch. Each runs one job, so its peak RSS belongs to that job alone.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ImplConfig } from './impls.js';
import { parseReport, type ChildReport, type Job } from './protocol.js';

/** The bench package folder (children run there, so `--import tsx` resolves). */
export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const CHILD_SCRIPT = fileURLToPath(new URL('./child.ts', import.meta.url));
/** The PyTorch script. */
export const PYTHON_SCRIPT = fileURLToPath(new URL('../python/bench_torch.py', import.meta.url));

/** How a child ended. */
export interface ChildRun {
  /** Undefined when the child printed no report (crash, kill). */
  report: ChildReport | undefined;
  timedOut: boolean;
  exitCode: number | null;
  seconds: number;
}

/** Runs a command, collects its stdout, passes its stderr through, kills it after `timeoutSeconds`. */
export function runProcess(options: {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  timeoutSeconds: number;
}): Promise<ChildRun> {
  const start = performance.now();
  return new Promise((resolve) => {
    let stdout = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(options.command, options.args, {
      cwd: PACKAGE_DIR,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutSeconds * 1000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    const finish = (exitCode: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ report: parseReport(stdout), timedOut, exitCode, seconds: (performance.now() - start) / 1000 });
    };
    child.on('error', () => finish(null));
    child.on('close', (code) => finish(code));
  });
}

/** The Node flags of a child: sources through tsx, and relaxed SIMD for wasm backends that use it. */
export const NODE_CHILD_FLAGS = ['--conditions=@tensorloom/source', '--import', 'tsx', '--experimental-wasm-relaxed-simd'];

/** Runs one job of a Node implementation in a fresh Node process. */
export function runNodeJob(job: Job, timeoutSeconds: number): Promise<ChildRun> {
  return runProcess({ command: process.execPath, args: [...NODE_CHILD_FLAGS, CHILD_SCRIPT, JSON.stringify(job)], timeoutSeconds });
}

/** Runs one PyTorch job with `python`, thread counts set in the environment too. */
export function runPythonJob(job: Job, python: string, timeoutSeconds: number): Promise<ChildRun> {
  const threads = String(job.config.threads);
  // Passive OpenMP waits (unless the caller chose): spinning threads collapse when the machine has
  // other work on its cores (2 threads fell from 35,000 to 3,400 chars/s on char-LSTM A here).
  const env = {
    OMP_WAIT_POLICY: 'PASSIVE',
    ...process.env,
    OMP_NUM_THREADS: threads,
    OPENBLAS_NUM_THREADS: threads,
    MKL_NUM_THREADS: threads,
  };
  return runProcess({ command: python, args: [PYTHON_SCRIPT, JSON.stringify(job)], env, timeoutSeconds });
}

/** The Pythons tried for PyTorch, in order. */
export function pythonCandidates(explicit: string | undefined): string[] {
  const list = [explicit, process.env.TENSORLOOM_BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (p): p is string => p !== undefined && p !== '',
  );
  return [...new Set(list)];
}

/** The first Python whose torch imports, with torch's versions; or the reasons none did. */
export async function findPython(
  explicit: string | undefined,
): Promise<{ python: string; versions: Record<string, string> } | { reasons: string[] }> {
  const reasons: string[] = [];
  for (const python of pythonCandidates(explicit)) {
    const run = await runProcess({ command: python, args: [PYTHON_SCRIPT, '--probe'], timeoutSeconds: 120 });
    if (run.report?.status === 'ok') return { python, versions: run.report.versions };
    const why =
      run.report?.status === 'unavailable' ? run.report.reason : run.report?.status === 'failed' ? run.report.error : 'does not run';
    reasons.push(`${python}: ${why}`);
  }
  return { reasons };
}

/** Loads a Node implementation in a child without running a workload: is it available here? */
export function probeNodeImpl(config: ImplConfig): Promise<ChildRun> {
  return runNodeJob({ workload: null, config, timing: { warmup: 0, minRuns: 0, maxRuns: 0, minSeconds: 0, budgetSeconds: 0 } }, 180);
}
