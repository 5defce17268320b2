/**
 * The soak test: 20,000 training steps of the character model in a child process on this pass's
 * backend (`TENSORLOOM_BACKEND`: js in `pnpm test`, wasm in `test:wasm`), resident memory sampled
 * after a full GC every 500 steps. The first 10,000 steps are the warm-up, while V8's optimising
 * compiler tiers code up (it compiles on the main thread here, so that this takes as many steps on
 * a busy machine as on a quiet one). Over the next 10,000 steps the resident memory must stay flat
 * within 5%. The new space is pinned at 16 MB so that V8's growing it is not counted, and the
 * trainer's history (one record a step, by design) is drained every 500 steps, as a run of millions
 * of steps would: it is the one thing that grows, ~100 bytes a step.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const backend = process.env.TENSORLOOM_BACKEND ?? 'js';
const WARM_UP = 10_000;
const SOAKED = 10_000;

interface Sample {
  step: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

describe(`soak: ${SOAKED} training steps on the ${backend} backend`, () => {
  it('keeps resident memory flat within 5% after the warm-up, and trains', () => {
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'soak.mjs');
    const child = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--no-concurrent-recompilation',
        '--min-semi-space-size=16',
        '--max-semi-space-size=16',
        script,
        backend,
        String(WARM_UP + SOAKED),
      ],
      { encoding: 'utf8', timeout: 240_000 },
    );
    expect(child.status, child.stderr).toBe(0);
    const lines = child.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Sample & { done?: number; firstLoss?: number; lastLoss?: number });
    const summary = lines.at(-1)!;
    expect(summary.done).toBe(WARM_UP + SOAKED);
    expect(summary.lastLoss!).toBeLessThan(summary.firstLoss! * 0.7);
    const soaked = lines.filter((s) => s.rss !== undefined && s.step > WARM_UP);
    expect(soaked).toHaveLength(SOAKED / 500);
    const mean = (xs: Sample[], key: keyof Sample) => xs.reduce((sum, s) => sum + s[key], 0) / xs.length;
    const start = soaked.slice(0, 4);
    const end = soaked.slice(-4);
    const growth = mean(end, 'rss') / mean(start, 'rss') - 1;
    const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
    console.log(
      `soak (${backend}): resident ${mb(mean(start, 'rss'))} MB after ${WARM_UP} steps → ${mb(mean(end, 'rss'))} MB after ` +
        `${WARM_UP + SOAKED} (${(growth * 100).toFixed(2)}%); heap used ${mb(start[0]!.heapUsed)} → ${mb(end.at(-1)!.heapUsed)} MB; ` +
        `array buffers ${mb(start[0]!.arrayBuffers)} → ${mb(end.at(-1)!.arrayBuffers)} MB`,
    );
    expect(Math.abs(growth)).toBeLessThan(0.05);
    // Neither the tensors' memory nor the heap grows.
    expect(end.at(-1)!.arrayBuffers - start[0]!.arrayBuffers).toBeLessThan(256 * 1024);
    expect(end.at(-1)!.heapUsed - start[0]!.heapUsed).toBeLessThan(0.5e6);
  }, 300_000);
});
