/**
 * A Node child process: runs one job (argv[2], JSON) and prints one report line on stdout.
 * One job per process keeps each peak-RSS figure to one workload × implementation.
 */
import type { ChildReport, Job } from './protocol.js';
import { formatReport } from './protocol.js';
import { peakRssMiB } from './measure.js';
import { runnerFor } from './runners/index.js';
import { UnavailableError } from './runners/runner.js';

const out = process.stdout.write.bind(process.stdout);
// Libraries print notices with console.log (TF.js suggests tfjs-node): keep stdout for the report.
console.log = console.error;
console.info = console.error;

async function main(): Promise<ChildReport> {
  const job = JSON.parse(process.argv[2] ?? 'null') as Job | null;
  if (!job) return { status: 'failed', error: 'child.ts: no job given' };
  const label = job.workload ? `${job.workload.name} × ${job.config.id}` : `probe ${job.config.id}`;
  const runner = await runnerFor(job.config);
  try {
    await runner.prepare(job.config);
  } catch (error) {
    if (error instanceof UnavailableError) return { status: 'unavailable', reason: error.message, versions: runner.versions() };
    throw error;
  }
  const baselineRssMiB = peakRssMiB();
  if (!job.workload) {
    return {
      status: 'ok',
      value: null,
      runs: 0,
      bestSeconds: 0,
      medianSeconds: 0,
      fromWarmup: false,
      peakRssMiB: baselineRssMiB,
      baselineRssMiB,
      versions: runner.versions(),
    };
  }
  try {
    const result = await runner.run(job.workload, {
      timing: job.timing,
      log: (message) => console.error(`    ${label}: ${message}`),
      ...(job.dataRoot === undefined ? {} : { dataRoot: job.dataRoot }),
      ...(job.graphFile === undefined ? {} : { graphFile: job.graphFile }),
    });
    return {
      status: 'ok',
      value: result.value,
      runs: result.timing.runs,
      bestSeconds: result.timing.bestSeconds,
      medianSeconds: result.timing.medianSeconds,
      fromWarmup: result.timing.fromWarmup,
      peakRssMiB: peakRssMiB(),
      baselineRssMiB,
      versions: runner.versions(),
      ...(result.note === undefined ? {} : { note: result.note }),
      ...(result.graph === undefined ? {} : { graph: result.graph }),
    };
  } catch (error) {
    if (error instanceof UnavailableError)
      return { status: 'unavailable', reason: error.message, scope: 'workload', versions: runner.versions() };
    throw error;
  }
}

let report: ChildReport;
try {
  report = await main();
} catch (error) {
  report = { status: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error), peakRssMiB: peakRssMiB() };
}
out(`${formatReport(report)}\n`);
// Worker threads of a wasm backend may keep the event loop alive.
process.exit(0);
