/**
 * `tensorloom gnn forecast`: forecasting on a spatio-temporal graph signal (chickenpox cases in the
 * counties of Hungary, PedalMe deliveries in London) with a recurrent graph network (GConvGRU,
 * GConvLSTM, TGCN, DCRNN). Trains a fresh forecaster per seed on the first weeks with the recipe of
 * `trainForecaster`, measures it on the weeks that follow, and reports the test MSE as mean ± std
 * over the seeds, with a plot of predicted against true values for one county.
 */
import { writeFileSync } from 'node:fs';
import { ValueError, type Tensor } from '@tensorloom/core-tensor';
import { TEMPORAL_DATASETS, loadTemporalDataset, type TemporalDataset, type TemporalDatasetName } from '@tensorloom/datasets';
import {
  DEFAULT_FORECASTER,
  DEFAULT_FORECAST_TRAINING,
  FORECAST_MODELS,
  FORECAST_MODELS_WITH_K,
  forecasterFor,
  runForecastSeeds,
  type ForecastSeedRun,
  type ForecastStatePolicy,
} from '@tensorloom/gnn';
import { temporalSignalSplit, type TemporalSignal } from '@tensorloom/graph';
import { UsageError, stringOption, type Command } from '../cli.js';
import { NON_FINITE_SETTINGS, nonFiniteWarnings, stopNamingSeed } from '../non-finite.js';
import { checkOutputFile } from '../output-paths.js';
import { lineChartSvg, type Series } from '../plot.js';
import { Progress, formatSeconds } from '../progress.js';
import { seedOptions, seedsFrom } from '../seeds.js';
import { choice, float, int, resolveSettings, settingOptions, text } from '../settings.js';

const DATASETS = Object.keys(TEMPORAL_DATASETS) as TemporalDatasetName[];
const STATE_POLICIES = ['carry', 'reset'] as const satisfies readonly ForecastStatePolicy[];

/**
 * The share of snapshots that train: the issue's protocol (the first 90% of the weeks train, the
 * last 10% test), where `temporalSignalSplit`'s own default is PyG Temporal's 0.8.
 */
const TRAIN_RATIO = 0.9;

/** What a dataset's values are, for the plot's axis. */
const VALUE_LABELS: Record<TemporalDatasetName, string> = {
  chickenpox: 'weekly cases (standardised)',
  pedalme: 'weekly deliveries (source scale)',
};

/** The county a plot shows when --county is not given: Budapest where the dataset has it, else node 0. */
const DEFAULT_COUNTY = 'BUDAPEST';

/** Seeds plotted one by one; more are plotted as their mean. */
const MAX_PLOTTED_SEEDS = 4;

export const FORECAST_SETTINGS = {
  dataset: {
    flag: 'dataset',
    description: `The signal: ${DATASETS.join(', ')}`,
    valueName: 'NAME',
    default: 'chickenpox' as TemporalDatasetName,
    parse: choice(DATASETS),
  },
  model: {
    flag: 'model',
    description: `The recurrent graph cell: ${FORECAST_MODELS.join(', ')}`,
    valueName: 'NAME',
    default: 'gconv-gru' as (typeof FORECAST_MODELS)[number],
    parse: choice(FORECAST_MODELS),
  },
  lags: { flag: 'lags', description: 'Past weeks per node as its features', valueName: 'N', default: 4, parse: int({ min: 1 }) },
  epochs: {
    flag: 'epochs',
    description: 'Epochs per seed (one Adam step on the whole training sequence each)',
    valueName: 'N',
    default: DEFAULT_FORECAST_TRAINING.epochs,
    parse: int({ min: 1 }),
  },
  lr: {
    flag: 'lr',
    description: 'Adam learning rate',
    valueName: 'RATE',
    default: DEFAULT_FORECAST_TRAINING.lr,
    parse: float({ above: 0 }),
  },
  hidden: {
    flag: 'hidden',
    description: 'Width of the recurrent state',
    valueName: 'N',
    default: DEFAULT_FORECASTER.hiddenChannels,
    parse: int({ min: 1, max: 4096 }),
  },
  k: {
    flag: 'k',
    description: `Filter size K of the graph convolutions (${FORECAST_MODELS_WITH_K.join(', ')}; tgcn has none)`,
    valueName: 'K',
    default: DEFAULT_FORECASTER.K,
    parse: int({ min: 1, max: 64 }),
  },
  trainRatio: {
    flag: 'train-ratio',
    description: 'Share of the snapshots that train (the first ones); the rest test',
    valueName: 'R',
    default: TRAIN_RATIO,
    parse: float({ above: 0, below: 1 }),
  },
  state: {
    flag: 'state',
    description: 'carry: the state runs through the training weeks and on into the test weeks; reset: zeros before every week',
    valueName: 'HOW',
    default: DEFAULT_FORECAST_TRAINING.state,
    parse: choice(STATE_POLICIES),
  },
  bptt: {
    flag: 'bptt',
    description: 'With --state carry: truncate backpropagation through time to N weeks (default: the whole sequence)',
    valueName: 'N',
    default: undefined as number | undefined,
    parse: int({ min: 1 }),
  },
  county: {
    flag: 'county',
    description: `--plot: the node shown, by name or id (default: ${DEFAULT_COUNTY} where the dataset has it, else node 0)`,
    valueName: 'NAME|ID',
    default: undefined as string | undefined,
    parse: text(),
  },
};

const mseText = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));

export const gnnForecastCommand: Command = {
  path: ['gnn', 'forecast'],
  summary: 'Forecast a spatio-temporal graph signal (chickenpox, PedalMe) with GConvGRU, GConvLSTM, TGCN or DCRNN over several seeds.',
  details: [
    "The model is PyTorch Geometric Temporal's examples' RecurrentGCN: the recurrent graph cell, ReLU, Linear(hidden, 1).",
    `Recipe (trainForecaster of @tensorloom/gnn): Adam lr ${DEFAULT_FORECAST_TRAINING.lr}, ` +
      `${DEFAULT_FORECAST_TRAINING.epochs} epochs, each one step on the mean over the training weeks`,
    'of the per-week MSE; the state carried from week to week through the whole training sequence (--state reset:',
    'zeros before every week), the test weeks continuing from where it ends.',
    `Hidden ${DEFAULT_FORECASTER.hiddenChannels}, K ${DEFAULT_FORECASTER.K}: PyG Temporal's examples use K = 1, ` +
      'with which a Chebyshev convolution keeps only T0 = x,',
    'a per-node linear map that ignores the graph.',
    `Snapshots: each node's last --lags weeks as features, the next week as target; the first --train-ratio (${TRAIN_RATIO}) train.`,
    'Each seed seeds the initial weights. Reports the test MSE as mean ± sample std over the seeds.',
  ].join('\n'),
  options: {
    ...settingOptions(FORECAST_SETTINGS),
    ...seedOptions('0,1,2'),
    ...settingOptions(NON_FINITE_SETTINGS),
    plot: {
      type: 'string',
      description: 'Write predicted against true values of one node (--county) over the test weeks as SVG.',
      valueName: 'FILE',
    },
  },
  async run(values, ctx) {
    const settings = resolveSettings(values, FORECAST_SETTINGS);
    const { dataset: name, model, lags, epochs, lr, hidden, k, trainRatio, state, bptt } = settings;
    const seeds = seedsFrom(values, '0,1,2');
    const { onNonFinite } = resolveSettings(values, NON_FINITE_SETTINGS);
    const hasK = FORECAST_MODELS_WITH_K.includes(model);
    if (values.k !== undefined && !hasK) throw new UsageError(`--k applies to ${FORECAST_MODELS_WITH_K.join(', ')}; ${model} has no K`);
    if (bptt !== undefined && state === 'reset')
      throw new UsageError('--bptt applies to --state carry; with reset every week starts from zeros');
    const steps = TEMPORAL_DATASETS[name].numSteps;
    if (lags > steps - 2)
      throw new UsageError(`--lags must be at most ${steps - 2} for ${name} (${steps} weeks: 2 snapshots at least), got ${lags}`);
    const plotPath = stringOption(values, 'plot');
    if (plotPath !== undefined) checkOutputFile(plotPath, 'plot');
    if (settings.county !== undefined && plotPath === undefined)
      throw new UsageError('--county chooses the node of --plot; give --plot FILE too');

    const data = await loadTemporalDataset(name, { lags });
    const split = splitOrUsage(data, trainRatio);
    const county = plotPath === undefined ? undefined : countyOf(data, settings.county);
    const build = () => forecasterFor(model, { inChannels: lags, hiddenChannels: hidden, ...(hasK ? { K: k } : {}) });
    const parameters = build().numParameters();
    const edges = data.edgeIndex.shape[1]!;
    ctx.log(
      `${name}: ${data.numNodes} nodes, ${edges} edges, ${data.length} snapshots of ${lags} lags; ` +
        `train/test ${split.train.length}/${split.test.length}`,
    );
    ctx.log(
      `${model}: hidden ${hidden}${hasK ? `, K ${k}` : ''}; ${parameters} parameters; Adam lr ${lr}, ${epochs} epochs, ` +
        `state ${state}${bptt === undefined ? '' : `, BPTT ${bptt} weeks`}; seeds ${seeds.join(',')}`,
    );

    let finished = 0;
    const started = performance.now();
    const logEvery = Math.max(1, Math.min(100, Math.round(epochs / 10)));
    let progress = new Progress(ctx.stderr, epochs, `seed ${seeds[0]}`, logEvery);
    let seedStarted = performance.now();
    const result = stopNamingSeed(
      () =>
        runForecastSeeds(build, split, seeds, {
          epochs,
          lr,
          state,
          ...(bptt === undefined ? {} : { detachEvery: bptt }),
          onNonFinite,
          onWarning: nonFiniteWarnings(ctx.log),
          onEpoch: (record) => {
            const fields: Record<string, string> = { 'train MSE': mseText(record.loss) };
            if (!ctx.stderr.isTTY) {
              const perEpoch = (performance.now() - seedStarted) / record.epoch;
              const left = epochs - record.epoch + (seeds.length - finished - 1) * epochs;
              fields.ETA = formatSeconds((perEpoch * left) / 1000);
            }
            progress.update(record.epoch, fields);
          },
          onSeed: (run, position) => {
            finished++;
            (ctx.json ? ctx.log : ctx.print)(
              `seed ${run.seed}: test MSE ${mseText(run.mse)}  train MSE ${mseText(run.loss)}  ` +
                `${run.msPerEpoch.toFixed(1)} ms/epoch  ${(run.ms / 1000).toFixed(1)} s`,
            );
            const next = seeds[position + 1];
            if (next !== undefined) {
              progress = new Progress(ctx.stderr, epochs, `seed ${next}`, logEvery);
              seedStarted = performance.now();
            }
          },
        }),
      () => seeds[finished],
      'no files were written',
      'lower --lr, or truncate backpropagation with --bptt',
    );
    const seconds = (performance.now() - started) / 1000;
    const n = seeds.length;
    ctx.print(`test MSE: ${mseText(result.mean)} ± ${mseText(result.std)} (mean ± sample std over ${n} seed${n === 1 ? '' : 's'})`);
    ctx.print(`epoch time: ${result.msPerEpoch.toFixed(1)} ms; ${seconds.toFixed(1)} s in all`);

    const files: Record<string, string> = {};
    if (plotPath !== undefined && county !== undefined) {
      writeFileSync(
        plotPath,
        forecastPlot({ data, test: split.test, county, runs: result.perSeed, model, mean: result.mean, std: result.std }),
      );
      files.plot = plotPath;
      ctx.log(`wrote ${plotPath}`);
    }
    return {
      dataset: name,
      model,
      seeds,
      testMse: { mean: result.mean, std: result.std, perSeed: result.perSeed.map((r) => r.mse) },
      epochs,
      msPerEpoch: result.msPerEpoch,
      seconds,
      parameters,
      runs: result.perSeed.map((r) => ({
        seed: r.seed,
        testMse: r.mse,
        trainMse: r.loss,
        epochs: r.epochs,
        skippedEpochs: r.skippedEpochs,
        lrHalvings: r.lrHalvings,
        msPerEpoch: r.msPerEpoch,
      })),
      architecture: { hidden, K: hasK ? k : null },
      training: { epochs, lr, state, bptt: bptt ?? null },
      data: { nodes: data.numNodes, edges, lags, snapshots: data.length, train: split.train.length, test: split.test.length, trainRatio },
      ...(county === undefined ? {} : { county: { id: county, name: data.nodeNames[county] } }),
      ...(Object.keys(files).length > 0 ? { files } : {}),
    };
  },
};

/** `temporalSignalSplit`, its complaint about too few snapshots on a side as a usage error naming the flags. */
function splitOrUsage(data: TemporalSignal, trainRatio: number): { train: TemporalSignal; test: TemporalSignal } {
  try {
    return temporalSignalSplit(data, trainRatio);
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    throw new UsageError(
      `--train-ratio ${trainRatio} with ${data.length} snapshots leaves a side empty (lower --lags or change --train-ratio)`,
    );
  }
}

/** The node `--county` names (by name, case-insensitively, or by id), or the default one. */
export function countyOf(data: TemporalDataset, given: string | undefined): number {
  const names = data.nodeNames;
  if (given === undefined) return Math.max(0, names.indexOf(DEFAULT_COUNTY));
  const byName = names.findIndex((n) => n.toLowerCase() === given.trim().toLowerCase());
  if (byName >= 0) return byName;
  if (/^\d+$/.test(given.trim()) && Number(given) < names.length) return Number(given);
  const listed = names.length > 25 ? `${names.slice(0, 25).join(', ')}, …` : names.join(', ');
  throw new UsageError(`--county must be a node name or an id in [0, ${names.length - 1}], got '${given}' (names: ${listed})`);
}

/** Column `node` of a `[T, N]` tensor as `[week, value]` points, weeks from 1. */
function column(values: Tensor, node: number): [number, number][] {
  const [steps, nodes] = values.shape as [number, number];
  return Array.from({ length: steps }, (_, t) => [t + 1, values.data[t * nodes + node]!] as [number, number]);
}

/** The SVG of `--plot`: true values of one node over the test weeks, and each seed's predictions (their mean beyond a few seeds). */
function forecastPlot(plot: {
  data: TemporalDataset;
  test: TemporalSignal;
  county: number;
  runs: readonly ForecastSeedRun[];
  model: string;
  mean: number;
  std: number;
}): string {
  const { data, test, county, runs } = plot;
  const series: Series[] = [{ name: 'true', points: column(test.targets, county) }];
  if (runs.length <= MAX_PLOTTED_SEEDS) {
    for (const run of runs) series.push({ name: `seed ${run.seed} (MSE ${mseText(run.mse)})`, points: column(run.predictions, county) });
  } else {
    const perSeed = runs.map((run) => column(run.predictions, county));
    const points = perSeed[0]!.map(([week], t) => [week, perSeed.reduce((s, p) => s + p[t]![1], 0) / perSeed.length] as [number, number]);
    series.push({ name: `mean of ${runs.length} seeds`, points });
  }
  return lineChartSvg({
    title:
      `${data.name}: ${data.nodeNames[county]}, ${test.length} test weeks; ${plot.model} ` +
      `(test MSE ${mseText(plot.mean)} ± ${mseText(plot.std)}, all nodes)`,
    xLabel: 'test week',
    yLabel: VALUE_LABELS[data.name as TemporalDatasetName] ?? 'value',
    series,
  });
}
