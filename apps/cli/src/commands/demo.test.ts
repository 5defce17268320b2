import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { commands } from './index.js';
import { Generator } from '@tensorloom/core-tensor';
import { twoSpirals } from './demo.js';

describe('tensorloom demo', () => {
  it('learns two spirals: the loss falls and held-out accuracy is high', async () => {
    const out: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => true } };
    const code = await runCli(['demo', '--epochs', '400', '--points', '100', '--json'], commands, io);
    expect(code).toBe(0);
    const lines = out.join('').trimEnd().split('\n');
    const result = JSON.parse(lines[lines.length - 1]!);
    expect(result.finalLoss).toBeLessThan(result.initialLoss / 5);
    expect(result.trainAccuracy).toBeGreaterThan(0.95);
    expect(result.testAccuracy).toBeGreaterThan(0.9);
  });

  it('generates balanced, reproducible spirals', () => {
    const a = twoSpirals(50, { generator: new Generator(3) });
    const b = twoSpirals(50, { generator: new Generator(3) });
    expect(a.x.shape).toEqual([100, 2]);
    expect(Array.from(a.x.data)).toEqual(Array.from(b.x.data));
    expect(a.y.sum().item()).toBe(50);
  });
});
