import { describe, expect, it } from 'vitest';
import { median, peakRssMiB, timeRuns } from './measure.js';

describe('timeRuns', () => {
  it('runs the warm-up, then at least minRuns and at most maxRuns timed runs', async () => {
    let calls = 0;
    const timing = await timeRuns(() => void calls++, { warmup: 2, minRuns: 4, maxRuns: 4, minSeconds: 0, budgetSeconds: 1e9 });
    expect(calls).toBe(6);
    expect(timing.runs).toBe(4);
    expect(timing.fromWarmup).toBe(false);
    expect(timing.bestSeconds).toBeLessThanOrEqual(timing.medianSeconds);
  });

  it('takes a warm-up run as the measurement when the budget is spent', async () => {
    let calls = 0;
    const timing = await timeRuns(() => void calls++, { warmup: 3, minRuns: 5, maxRuns: 10, minSeconds: 0, budgetSeconds: 0 });
    expect(calls).toBe(1);
    expect(timing).toMatchObject({ runs: 1, fromWarmup: true });
  });

  it('awaits asynchronous work', async () => {
    let done = 0;
    await timeRuns(
      async () => {
        await Promise.resolve();
        done++;
      },
      { warmup: 1, minRuns: 2, maxRuns: 2, minSeconds: 0, budgetSeconds: 1e9 },
    );
    expect(done).toBe(3);
  });
});

describe('median and peakRssMiB', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('reads a positive peak RSS in MiB', () => {
    expect(peakRssMiB()).toBeGreaterThan(1);
  });
});
