/**
 * What `tensorloom gnn train` writes and returns once the seeds have run: the plot and CSV files,
 * and the JSON result.
 */
import { writeFileSync } from 'node:fs';
import type {
  GNNArchitecture,
  NodeClassificationEpoch,
  NodeClassificationRecipe,
  RunSeedsResult,
  TrainNodeClassifierOptions,
} from '@tensorloom/gnn';
import type { GraphDataset } from '@tensorloom/graph';
import { lineChartSvg } from '../plot.js';

const percent = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : '—');

/** Averages a per-epoch figure over the runs that reached each epoch (runs stop at different epochs). */
export function meanCurve(
  histories: readonly (readonly NodeClassificationEpoch[])[],
  pick: (epoch: NodeClassificationEpoch) => number,
): [number, number][] {
  const sums: number[] = [];
  const counts: number[] = [];
  for (const history of histories) {
    for (const record of history) {
      const value = pick(record);
      if (!Number.isFinite(value)) continue;
      sums[record.epoch] = (sums[record.epoch] ?? 0) + value;
      counts[record.epoch] = (counts[record.epoch] ?? 0) + 1;
    }
  }
  const out: [number, number][] = [];
  sums.forEach((sum, epoch) => {
    if (sum !== undefined) out.push([epoch, sum / counts[epoch]!]);
  });
  return out;
}

/** A CSV cell: numbers as they are, a missing figure (NaN: no validation nodes) empty. */
function csvNumber(value: number | string | undefined): string {
  return typeof value === 'number' && !Number.isFinite(value) ? '' : String(value ?? '');
}

/** Writes `--plot` (mean curves over the seeds, SVG) and `--csv` (every seed's epochs); returns what was written. */
export function writeReportFiles(report: {
  plotPath: string | undefined;
  csvPath: string | undefined;
  histories: readonly (readonly NodeClassificationEpoch[])[];
  seeds: readonly number[];
  name: string;
  model: string;
  hasVal: boolean;
  result: RunSeedsResult;
}): Record<string, string> {
  const { plotPath, csvPath, histories, seeds, name, model, hasVal, result } = report;
  const n = seeds.length;
  const files: Record<string, string> = {};
  if (plotPath) {
    const series = [
      { name: 'train loss', points: meanCurve(histories, (e) => e.loss) },
      ...(hasVal
        ? [
            { name: 'val loss', points: meanCurve(histories, (e) => e.valLoss) },
            { name: 'val accuracy', points: meanCurve(histories, (e) => e.valAccuracy) },
          ]
        : [{ name: 'train accuracy', points: meanCurve(histories, (e) => e.trainAccuracy) }]),
    ];
    writeFileSync(
      plotPath,
      lineChartSvg({
        title:
          `${name}: ${model} training (mean over ${n} seed${n === 1 ? '' : 's'}; ` +
          `test ${percent(result.mean)} ± ${percent(result.std)})`,
        xLabel: 'epoch',
        yLabel: 'loss / accuracy',
        series,
      }),
    );
    files.plot = plotPath;
  }
  if (csvPath) {
    const lines = ['seed,epoch,loss,train_accuracy,val_accuracy,val_loss,ms'];
    histories.forEach((history, i) => {
      for (const e of history)
        lines.push([seeds[i], e.epoch, e.loss, e.trainAccuracy, e.valAccuracy, e.valLoss, e.ms.toFixed(3)].map(csvNumber).join(','));
    });
    writeFileSync(csvPath, `${lines.join('\n')}\n`);
    files.csv = csvPath;
  }
  return files;
}

/** The `--json` result of `gnn train`. */
export function gnnTrainResult(run: {
  loaded: GraphDataset & { name: string };
  model: string;
  seeds: readonly number[];
  result: RunSeedsResult;
  epochs: number;
  seconds: number;
  parameters: number;
  architecture: GNNArchitecture;
  training: TrainNodeClassifierOptions;
  criterion: string;
  recipe: NodeClassificationRecipe;
  files: Record<string, string>;
  exported?: Record<string, unknown>;
}): Record<string, unknown> {
  const { loaded, model, seeds, result, epochs, seconds, parameters, architecture, training, recipe, files } = run;
  const perSeed = result.perSeed;
  return {
    dataset: loaded.name,
    model,
    seeds,
    testAccuracy: { mean: result.mean, std: result.std, perSeed: perSeed.map((r) => r.testAccuracy) },
    valAccuracy: { mean: result.val.mean, std: result.val.std, perSeed: perSeed.map((r) => r.valAccuracy) },
    epochs,
    msPerEpoch: result.msPerEpoch,
    seconds,
    runs: perSeed.map((r) => ({
      seed: r.seed,
      testAccuracy: r.testAccuracy,
      valAccuracy: r.valAccuracy,
      trainAccuracy: r.trainAccuracy,
      testLoss: r.testLoss,
      valLoss: r.valLoss,
      bestEpoch: r.bestEpoch,
      epochs: r.epochs,
      stoppedEarly: r.stoppedEarly,
      skippedEpochs: r.skippedEpochs,
      lrHalvings: r.lrHalvings,
      msPerEpoch: r.msPerEpoch,
    })),
    parameters,
    architecture,
    training: {
      epochs,
      lr: training.lr,
      weightDecay: training.weightDecay,
      weightDecayOn: training.weightDecayFilter === undefined ? 'all' : 'first layer',
      patience: training.patience === undefined || training.patience === Infinity ? null : training.patience,
      criterion: run.criterion,
    },
    normalizeFeatures: recipe.normalizeFeatures,
    recipe: recipe.source,
    data: {
      nodes: loaded.numNodes,
      edgeIndexColumns: loaded.edgeIndex.shape[1]!,
      features: loaded.numFeatures,
      classes: loaded.numClasses,
      train: loaded.trainIndex.size,
      val: loaded.valIndex.size,
      test: loaded.testIndex.size,
    },
    ...(Object.keys(files).length > 0 ? { files } : {}),
    ...(run.exported === undefined ? {} : { exported: run.exported }),
  };
}
