import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Generator } from '@tensorloom/core-tensor';
import { runCli } from '../cli.js';
import { firstSymbolTask, rnnGradientsCommand } from './rnn-gradients.js';

const dir = mkdtempSync(join(tmpdir(), 'tensorloom-rnn-gradients-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string; json: () => Record<string, unknown> }> {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } };
  const code = await runCli(['rnn', 'gradients', ...args], [rnnGradientsCommand], io);
  const stdout = out.join('');
  return { code, stdout, stderr: err.join(''), json: () => JSON.parse(stdout.trimEnd().split('\n').pop()!) };
}

describe('tensorloom rnn gradients', () => {
  it('prints the norms of every model as JSON and writes a log-scale SVG with one line per model', async () => {
    const svg = join(dir, 'gradients.svg');
    const r = await run([
      '--length',
      '12',
      '--hidden',
      '8',
      '--batch',
      '2',
      '--models',
      'rnn,lstm,gru,vanilla,rnn-relu',
      '--out',
      svg,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const result = r.json();
    expect(result.length).toBe(12);
    expect(result.plot).toBe(svg);
    const models = result.models as Record<string, number[]>;
    expect(Object.keys(models)).toEqual(['rnn', 'lstm', 'gru', 'vanilla', 'rnn-relu']);
    for (const norms of Object.values(models)) {
      expect(norms).toHaveLength(12);
      expect(norms.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    }
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text.match(/<polyline/g)).toHaveLength(5);
    expect(text).toMatch(/>1e-?\d+<\/text>/);
  });

  it('prints a table of every k-th step and the first-to-last ratio without --json', async () => {
    const r = await run(['--length', '10', '--hidden', '6', '--models', 'rnn', '--every', '3']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]!.trim().split(/\s+/)).toEqual(['step', 'rnn']);
    expect(lines.slice(1, 5).map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([1, 4, 7, 10]);
    expect(lines[5]).toMatch(/^rnn: /);
    expect(r.json).toThrow(); // the last line is not JSON
  });

  it('keeps the gradient far larger with an LSTM (forget bias 1) than with a tanh RNN over 100 steps', async () => {
    const r = await run(['--length', '100', '--hidden', '16', '--batch', '2', '--models', 'rnn,lstm', '--json']);
    expect(r.code).toBe(0);
    const { rnn, lstm } = r.json().models as Record<string, number[]>;
    expect(rnn![0]! / rnn![99]!).toBeLessThan(1e-6);
    expect(lstm![0]!).toBeGreaterThan(1e3 * rnn![0]!);
  });

  it('shows explosion with --scale and trains before measuring with --trained-steps', async () => {
    const fresh = (await run(['--length', '30', '--hidden', '8', '--batch', '2', '--models', 'rnn-relu', '--json'])).json()
      .models as Record<string, number[]>;
    const scaled = (await run(['--length', '30', '--hidden', '8', '--batch', '2', '--models', 'rnn-relu', '--scale', '4', '--json'])).json()
      .models as Record<string, number[]>;
    expect(scaled['rnn-relu']![0]! / scaled['rnn-relu']![29]!).toBeGreaterThan(1e3 * (fresh['rnn-relu']![0]! / fresh['rnn-relu']![29]!));
    const trained = await run(['--length', '10', '--hidden', '8', '--batch', '4', '--models', 'gru', '--trained-steps', '5', '--json']);
    expect(trained.code).toBe(0);
    const result = trained.json();
    expect(result.trainedSteps).toBe(5);
    expect((result.training as Record<string, { loss: number }>).gru!.loss).toBeGreaterThan(0);
    const freshGru = (await run(['--length', '10', '--hidden', '8', '--batch', '4', '--models', 'gru', '--json'])).json().models as Record<
      string,
      number[]
    >;
    expect((result.models as Record<string, number[]>).gru).not.toEqual(freshGru.gru);
    expect(trained.stderr).toContain('train gru');
  });

  it('exits 2 naming the flag on bad usage', async () => {
    for (const [args, flag] of [
      [['--models', 'rnn,transformer'], '--models'],
      [['--length', '0'], '--length'],
      [['--scale', 'big'], '--scale'],
      [['--trained-steps', '-1'], '--trained-steps'],
    ] as const) {
      const r = await run([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(flag);
    }
    expect((await run(['--help'])).stdout).toContain('Usage: tensorloom rnn gradients');
  });

  it('makes first-symbol task batches whose label is the first one-hot symbol', () => {
    const { x, y } = firstSymbolTask(3, 5, 4, new Generator(1));
    expect(x.shape).toEqual([3, 5, 4]);
    for (let b = 0; b < 3; b++) expect(x.data[b * 20 + y.data[b]!]).toBe(1);
  });
});
