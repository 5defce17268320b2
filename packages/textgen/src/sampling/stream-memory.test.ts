/**
 * Generation of any length runs in bounded memory: a child process (`test/stream-memory.mjs`, on
 * the built packages) generates 2,000,000 characters through `startGeneration` from a tiny bigram
 * model, counting them without keeping them, with a full GC every 100,000. After the warm-up the
 * resident memory may grow by less than 50 MB and the heap by less than 1 MB. The new space is
 * pinned at 16 MB (as in the soak test) so that V8's growing it is not counted.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHARACTERS = 2_000_000;

interface Memory {
  rss: number;
  heapUsed: number;
}

describe(`streaming ${CHARACTERS.toLocaleString('en-US')} generated characters`, () => {
  it('keeps resident memory within 50 MB of the warmed-up figure and yields every character', () => {
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'stream-memory.mjs');
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16', script, String(CHARACTERS)],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(child.status, child.stderr).toBe(0);
    const report = JSON.parse(child.stdout.trim()) as { count: number; warm: Memory; peak: Memory; first: string; expected: string };
    const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
    console.log(
      `stream memory: ${report.count} characters, resident ${mb(report.warm.rss)} MB after 100,000 → at most ${mb(report.peak.rss)} MB; ` +
        `heap used ${mb(report.warm.heapUsed)} → at most ${mb(report.peak.heapUsed)} MB`,
    );
    expect(report.count).toBe(CHARACTERS);
    // The stream is the generation itself: its first 1,000 characters are a 1,000-character generation's.
    expect(report.first).toHaveLength(1000);
    expect(report.first).toBe(report.expected);
    expect(report.peak.rss - report.warm.rss).toBeLessThan(50e6);
    expect(report.peak.heapUsed - report.warm.heapUsed).toBeLessThan(1e6);
  }, 120_000);
});
