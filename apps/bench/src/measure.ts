/**
 * Timing loops and memory readings shared by the Node runners (python/bench_torch.py mirrors them).
 */

/** How one workload × implementation is timed. */
export interface TimingOptions {
  /** Untimed runs first (JIT, kernel compilation, buffer growth). */
  warmup: number;
  /** Timed runs at least… */
  minRuns: number;
  /** …and at most. */
  maxRuns: number;
  /** Keep timing until this many seconds of timed runs (and minRuns) are done. */
  minSeconds: number;
  /**
   * Stop starting runs once the next one would end past this many seconds since the start
   * (warm-up included). When even the warm-up uses it up, the last warm-up run is the measurement.
   */
  budgetSeconds: number;
}

/** What the timing loop saw. */
export interface Timing {
  runs: number;
  bestSeconds: number;
  medianSeconds: number;
  /** True when the budget ran out during the warm-up and the value comes from a warm-up run. */
  fromWarmup: boolean;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `fn` for the warm-up, then times it run by run; the best run is the figure (the machine is
 * shared, so the best of several runs is the least disturbed one). `onSlowRun` hears of every run
 * longer than two seconds, for progress output.
 */
export async function timeRuns(
  fn: () => void | Promise<void>,
  options: TimingOptions,
  onSlowRun?: (info: { phase: 'warm-up' | 'timed'; index: number; seconds: number }) => void,
): Promise<Timing> {
  const start = performance.now();
  const elapsed = (): number => (performance.now() - start) / 1000;
  let last = 0;
  for (let i = 0; i < options.warmup; i++) {
    const t0 = performance.now();
    await fn();
    last = (performance.now() - t0) / 1000;
    if (last > 2) onSlowRun?.({ phase: 'warm-up', index: i, seconds: last });
    if (elapsed() + last > options.budgetSeconds) {
      return { runs: 1, bestSeconds: last, medianSeconds: last, fromWarmup: true };
    }
  }
  const times: number[] = [];
  let timed = 0;
  while (times.length < options.maxRuns && (times.length < options.minRuns || timed < options.minSeconds)) {
    if (times.length > 0 && elapsed() + last > options.budgetSeconds) break;
    const t0 = performance.now();
    await fn();
    last = (performance.now() - t0) / 1000;
    if (last > 2) onSlowRun?.({ phase: 'timed', index: times.length, seconds: last });
    times.push(last);
    timed += last;
  }
  return { runs: times.length, bestSeconds: Math.min(...times), medianSeconds: median(times), fromWarmup: false };
}

/** Peak resident set size of this process so far, in MiB (`maxRSS` is in KiB). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
