import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { demoCommand } from './demo.js';
import { capture } from '../test-support.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// A few steps of a tiny model: the demo's machinery, not its two minutes.
const quick = ['--steps', '3', '--embedding', '8', '--hidden', '16', '--batch', '8'];

describe('tensorloom demo', () => {
  it('trains the character model, samples it, completes the prompt, then runs the graph demo', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-'));
    dirs.push(dir);
    const c = capture();
    const code = await runCli(['demo', ...quick, '--graph-epochs', '5', '--out', join(dir, 'moby'), '--json'], [demoCommand], c.io);
    expect(code).toBe(0);
    const { text, graph } = c.json();
    expect(text).toMatchObject({ corpus: 'moby-dick', steps: 3, checkpoint: join(dir, 'moby') });
    expect(Number.isFinite(text.valBitsPerChar)).toBe(true);
    expect(text.valBitsPerChar).toBeCloseTo(text.valLoss / Math.LN2, 12);
    expect(text.greedy).toHaveLength(5);
    expect(new Set(text.greedy.map((s: string) => s[0])).size).toBe(5);
    expect(text.tempered.map((t: { inverseTemperature: number }) => t.inverseTemperature)).toEqual([0.5, 1, 2]);
    expect(text.completion.startsWith('The whale ')).toBe(true);
    expect([...text.completion]).toHaveLength('The whale '.length + 80);
    expect(existsSync(join(dir, 'moby', 'model.safetensors'))).toBe(true);
    expect(graph.dataset).toBe('karate');
    expect(graph.gcn.epochs).toBe(5);
    expect(graph.gat.epochs).toBe(5);
  });

  it('prints both parts for people, and leaves the graph part out with --graph-epochs 0', async () => {
    const c = capture();
    expect(await runCli(['demo', ...quick, '--graph-epochs', '0', '--prompt', 'Call me '], [demoCommand], c.io)).toBe(0);
    const out = c.stdout();
    expect(out).toContain('== 1. A character-level LSTM reads Moby-Dick (3 steps) ==');
    expect(out).toMatch(/validation \d+\.\d\d bits\/char/);
    expect(out).toContain('greedy (the most likely character each step):');
    expect(out).toContain("sampled with τ = 2 (the sheet's inverse temperature");
    expect(out).toContain('completing "Call me "');
    expect(out).not.toContain('== 2.');
    expect(c.stderr()).toContain('Moby-Dick: 1,2');
  });

  it('exits 2 naming the flag on bad usage', async () => {
    for (const [args, flag] of [
      [['--max-minutes', '0'], '--max-minutes'],
      [['--steps', 'many'], '--steps'],
      [[...quick, '--prompt', 'Ахав'], '--prompt'],
    ] as const) {
      const c = capture();
      expect(await runCli(['demo', ...args], [demoCommand], c.io), args.join(' ')).toBe(2);
      expect(c.stderr()).toContain(flag);
    }
  });
});
