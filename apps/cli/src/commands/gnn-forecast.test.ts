import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { capture, tempDirs } from '../test-support.js';
import { gnnForecastCommand } from './gnn-forecast.js';

const tempDir = tempDirs('gnn-forecast-');

async function run(args: string[]) {
  const c = capture();
  const code = await runCli(['gnn', 'forecast', ...args], [gnnForecastCommand], c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

async function runJson(args: string[]) {
  const r = await run([...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!);
}

describe('tensorloom gnn forecast', () => {
  it('trains a forecaster per seed on PedalMe and reports the test MSE as mean ± sample std in JSON', async () => {
    const result = await runJson(['--dataset', 'pedalme', '--model', 'tgcn', '--seeds', '0,1', '--epochs', '3', '--hidden', '8']);
    expect(result).toMatchObject({
      dataset: 'pedalme',
      model: 'tgcn',
      seeds: [0, 1],
      epochs: 3,
      architecture: { hidden: 8, K: null },
      training: { epochs: 3, lr: 0.01, state: 'carry', bptt: null },
      // 35 weeks, 4 lags: 31 snapshots, the first floor(0.9 · 31) = 27 train.
      data: { nodes: 15, edges: 225, lags: 4, snapshots: 31, train: 27, test: 4, trainRatio: 0.9 },
    });
    const [a, b] = result.testMse.perSeed as [number, number];
    expect(result.testMse.mean).toBeCloseTo((a + b) / 2, 12);
    expect(result.testMse.std).toBeCloseTo(Math.abs(a - b) / Math.SQRT2, 12);
    expect(a).not.toBe(b);
    expect(result.runs.map((r: { seed: number; epochs: number }) => [r.seed, r.epochs])).toEqual([
      [0, 3],
      [1, 3],
    ]);
    expect(result.parameters).toBeGreaterThan(0);
    expect(result.msPerEpoch).toBeGreaterThan(0);
  });

  it('prints a line per seed and the mean, with progress on stderr, and is reproducible by seed', async () => {
    const args = ['--dataset', 'pedalme', '--model', 'gconv-lstm', '--seeds', '3', '--epochs', '2', '--hidden', '4', '--k', '3'];
    const first = await run(args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^seed 3: test MSE \d+\.\d{4} {2}train MSE/m);
    expect(first.stdout).toMatch(/^test MSE: \d+\.\d{4} ± 0\.0000 \(mean ± sample std over 1 seed\)$/m);
    expect(first.stderr).toMatch(/gconv-lstm: hidden 4, K 3; \d+ parameters; Adam lr 0\.01, 2 epochs, state carry; seeds 3/);
    expect(first.stderr).toMatch(/seed 3 2\/2/);
    const again = await runJson(args);
    expect(first.stdout).toContain(`test MSE ${again.testMse.perSeed[0].toFixed(4)}`);
  });

  it('plots predicted against true values of Budapest over the 52 chickenpox test weeks', async () => {
    const dir = tempDir();
    const plot = join(dir, 'forecast.svg');
    const result = await runJson(['--model', 'gconv-gru', '--seeds', '0', '--epochs', '1', '--hidden', '4', '--plot', plot]);
    expect(result.data).toMatchObject({ nodes: 20, edges: 102, snapshots: 517, train: 465, test: 52 });
    expect(result.county).toEqual({ id: 4, name: 'BUDAPEST' });
    expect(result.files).toEqual({ plot });
    const svg = readFileSync(plot, 'utf8');
    expect(svg).toContain('chickenpox: BUDAPEST, 52 test weeks; gconv-gru');
    expect(svg).toContain('>true</text>');
    expect(svg).toContain('>seed 0 (MSE ');
    expect(svg.match(/<polyline /g)).toHaveLength(2);
  });

  it('takes --county by name or id, and --state reset', async () => {
    const dir = tempDir();
    const byName = await runJson([
      '--dataset',
      'pedalme',
      '--model',
      'dcrnn',
      '--seeds',
      '0',
      '--epochs',
      '1',
      '--hidden',
      '4',
      '--state',
      'reset',
      '--plot',
      join(dir, 'a.svg'),
      '--county',
      '7',
    ]);
    expect(byName.county).toEqual({ id: 7, name: '7' });
    expect(byName.training.state).toBe('reset');
    const chickenpox = await runJson([
      '--seeds',
      '0',
      '--epochs',
      '1',
      '--hidden',
      '2',
      '--bptt',
      '52',
      '--plot',
      join(dir, 'b.svg'),
      '--county',
      'zala',
    ]);
    expect(chickenpox.county).toEqual({ id: 19, name: 'ZALA' });
    expect(chickenpox.training.bptt).toBe(52);
  });

  it('names the flag of a bad value (exit 2)', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--model', 'tgcn', '--k', '3'], /--k applies to gconv-gru, gconv-lstm, dcrnn; tgcn has no K/],
      [['--state', 'reset', '--bptt', '4'], /--bptt applies to --state carry/],
      [['--dataset', 'pedalme', '--lags', '34'], /--lags must be at most 33 for pedalme/],
      [['--lags', '0'], /--lags must be at least 1, got 0/],
      [['--train-ratio', '1'], /--train-ratio must be below 1, got 1/],
      [['--dataset', 'pedalme', '--lags', '33', '--train-ratio', '0.4'], /--train-ratio 0.4 with 2 snapshots leaves a side empty/],
      [['--model', 'gru'], /--model must be one of gconv-gru, gconv-lstm, tgcn, dcrnn, got 'gru'/],
      [['--state', 'keep'], /--state must be one of carry, reset, got 'keep'/],
      [['--dataset', 'cora'], /--dataset must be one of chickenpox, pedalme, got 'cora'/],
      [['--county', 'BUDAPEST'], /--county chooses the node of --plot; give --plot FILE too/],
      [
        ['--county', 'ATLANTIS', '--plot', join(tempDir(), 'c.svg'), '--epochs', '1', '--hidden', '2', '--seeds', '0'],
        /--county must be a node name or an id in \[0, 19\], got 'ATLANTIS' \(names: BACS, BARANYA/,
      ],
      [['--seeds', 'x'], /--seeds expects a seed/],
      [['--plot', join(tempDir(), 'missing', 'p.svg')], /--plot .*does not exist/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringMatching(message)]);
    }
  });
});
