/**
 * `pnpm bench`: tensorloom, TensorFlow.js, brain.js and PyTorch side by side, each workload ×
 * implementation in its own child process. Tables on stdout, progress on stderr, results in
 * results/latest.json and results/latest.md. See README.md.
 */
import { parseBenchArgs, USAGE, UsageError } from './cli-args.js';
import { runBench } from './orchestrator.js';
import { DEFAULT_RESULTS_DIR, writePartial, writeResults } from './output.js';
import { jobsOf, planRun } from './plan.js';
import { entryNotes, renderText, tablesOf } from './report.js';

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const outDir = options.outDir ?? DEFAULT_RESULTS_DIR;
  try {
    if (options.list) {
      const plan = planRun(options);
      for (const notice of plan.notices) process.stdout.write(`notice: ${notice}\n`);
      for (const job of jobsOf(plan, options))
        process.stdout.write(`${job.workload!.name} × ${job.config.id} (budget ${job.timing.budgetSeconds} s)\n`);
      return 0;
    }
    const log = (line: string): void => {
      process.stderr.write(`${line}\n`);
    };
    const { header, entries } = await runBench(options, argv, {
      log,
      onEntry: (soFar) => void writePartial(outDir, soFar).catch(() => undefined),
    });
    const text = tablesOf(entries).map(renderText).join('\n\n');
    process.stdout.write(`\n${text}\n`);
    const notes = entryNotes(entries);
    if (notes.length > 0) process.stdout.write(`\nNotes:\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
    if (header.notices.length > 0) process.stdout.write(`\nNotices:\n${header.notices.map((n) => `- ${n}`).join('\n')}\n`);
    const written = await writeResults(outDir, header, entries);
    const files = [written.json, written.markdown, ...(written.svg === undefined ? [] : [written.svg])];
    log(`\nwrote ${files.join(', ')} (${Math.round(header.seconds)} s)`);
    return entries.some((e) => e.status === 'ok') ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
