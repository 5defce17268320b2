/**
 * python/forecast_torch.py, the PyTorch reference of `tensorloom gnn forecast`, computes what
 * tensorloom computes: each forecaster's weights are written from tensorloom (safetensors) and
 * loaded into the reference, which prints its predictions over the first chickenpox weeks and its
 * training losses over a few epochs of the recipe; both must equal tensorloom's (float64). So the
 * reference MSEs measure the same models and recipe, not a look-alike.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Generator, serializeSafetensors, tensor } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { FORECAST_MODELS, forecasterFor, trainForecaster, type ForecastModel, type TrainForecasterOptions } from '@tensorloom/gnn';
import { laggedSignal, signalSlice } from '@tensorloom/graph';
import { afterAll, describe, expect, it } from 'vitest';
import { readTemporal, writeEmbeddedTemporal } from './temporal-data.js';

const PYTHON = process.env.TENSORLOOM_BENCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../python/forecast_torch.py', import.meta.url));
const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const skipReason =
  probe.status === 0
    ? undefined
    : `forecast parity skipped: ${PYTHON} cannot import torch (${(probe.stderr || String(probe.error)).trim()})`;
if (skipReason !== undefined) console.warn(skipReason);

const folder = mkdtempSync(path.join(tmpdir(), 'tensorloom-forecast-parity-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Weeks of chickenpox compared, and epochs of the recipe. */
const SNAPSHOTS = 40;
const EPOCHS = 3;

/** The reference's predictions and losses for `model`'s weights. */
function reference(
  name: ForecastModel,
  weights: string,
  data: string,
  options: TrainForecasterOptions,
): { predictions: number[][]; losses: number[] } {
  const args = [SCRIPT, data, '--check', weights, '--model', name, '--snapshots', String(SNAPSHOTS), '--epochs', String(EPOCHS)];
  if (options.state === 'reset') args.push('--state', 'reset');
  if (options.detachEvery !== undefined) args.push('--bptt', String(options.detachEvery));
  const run = spawnSync(PYTHON, args, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (run.status !== 0) throw new Error(`forecast_torch.py --check failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { predictions: number[][]; losses: number[] };
}

describe.skipIf(skipReason !== undefined)('python/forecast_torch.py agrees with tensorloom', () => {
  const cases: Array<[ForecastModel, TrainForecasterOptions]> = [
    ...FORECAST_MODELS.map((name) => [name, {}] as [ForecastModel, TrainForecasterOptions]),
    ['gconv-gru', { state: 'reset' }],
    ['gconv-lstm', { detachEvery: 7 }],
  ];

  it.each(cases)('%s %j: the predictions of the same weights and the losses of 3 epochs (float64)', async (name, options) => {
    await writeEmbeddedTemporal(folder);
    const data = path.join(folder, 'temporal/chickenpox.json');
    const raw = readTemporal(folder, 'temporal/chickenpox.json');
    const series = tensor(raw.series, { shape: [raw.steps, raw.nodes], dtype: 'float64' });
    const edgeIndex = tensor(Int32Array.from([...raw.source, ...raw.target]), { shape: [2, raw.source.length], dtype: 'int32' });
    const weeks = signalSlice(laggedSignal(series, { edgeIndex }, 4), 0, SNAPSHOTS);
    const model = forecasterFor(name, { inChannels: 4, dtype: 'float64', generator: new Generator(7) });
    const weights = path.join(folder, `${name}.safetensors`);
    writeFileSync(weights, serializeSafetensors(model.stateDict()));
    const start = options.state === 'reset' ? 'reset' : null;
    const { predictions } = model.call(weeks.features, weeks.edgeIndex, { edgeWeight: weeks.edgeWeight, state: start });
    const trained = trainForecaster(model, weeks, { ...options, epochs: EPOCHS });

    const torch = reference(name, weights, data, options);
    expect(torch.predictions).toHaveLength(SNAPSHOTS);
    expectClose(predictions, torch.predictions, { rtol: 1e-9, atol: 1e-12 });
    expectClose(
      trained.history.map((e) => e.loss),
      torch.losses,
      { rtol: 1e-9 },
    );
  });
});
