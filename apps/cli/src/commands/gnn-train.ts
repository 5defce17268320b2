/**
 * `tensorloom gnn train`: semi-supervised node classification as the GCN and GAT papers run it.
 * Trains a fresh model per seed on a dataset (karate, Cora, CiteSeer, PubMed embedded; any
 * Planetoid-style folder or labelled GEXF/GraphML/edge-list file) with the paper recipe
 * of the chosen model, and reports the test accuracy as mean ± std over the seeds, with per-seed
 * figures, the time per epoch and the training curves.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { SparseCSR } from '@tensorloom/core-tensor';
import {
  DROPOUT_PLACEMENTS,
  GNN,
  SELECTION_CRITERIA,
  preferSparse,
  recipeFor,
  runSeeds,
  type ConvKind,
  type GNNArchitecture,
  type NodeClassificationEpoch,
  type TrainNodeClassifierOptions,
} from '@tensorloom/gnn';
import {
  graphDataset,
  normalizeFeatures,
  stratifiedSplit,
  type AnyGraph,
  type GraphDataset,
  type StratifiedSplitOptions,
} from '@tensorloom/graph';
import { UsageError, floatOption, intOption, stringOption, type Command, type OptionValues } from '../cli.js';
import { lineChartSvg } from '../plot.js';
import { seedOptions, seedsFrom } from '../seeds.js';
import { Progress, formatSeconds } from '../progress.js';
import { GRAPH_FORMATS, NAMED_DATASETS, choiceOption, loadNamedDataset, readGraphFile } from './graph.js';

/** The models `--model` accepts (the convolutions of `@tensorloom/gnn`'s `GNN`). */
export const GNN_MODELS = ['gcn', 'gat', 'gatv2', 'sage', 'gin'] as const satisfies readonly ConvKind[];

const PLANETOID_FEATURES = ['auto', 'file', 'identity', 'random'] as const;
const ON_OFF = ['on', 'off'] as const;

/** How to read a labelled graph file into a dataset. */
export interface GraphFileDatasetOptions {
  labelAttribute: string;
  featureAttribute?: string;
  /** Node attribute holding 'train', 'val' or 'test'; used when any node has it. */
  splitAttribute: string;
  split: StratifiedSplitOptions;
}

/**
 * A node-classification dataset from a labelled graph: the split from `splitAttribute` where the
 * file has one, else `stratifiedSplit`. Features from `featureAttribute`, else one-hot node ids.
 */
export function graphFileDataset(name: string, graph: AnyGraph, options: GraphFileDatasetOptions): GraphDataset {
  const labelled = graph.filterNodes(
    (_, attributes) => attributes[options.labelAttribute] !== undefined && attributes[options.labelAttribute] !== null,
  );
  if (labelled.length === 0) throw new UsageError(`--label-attribute: no node of ${name} has a '${options.labelAttribute}' attribute`);
  if (options.featureAttribute !== undefined && !graph.someNode((_, attributes) => attributes[options.featureAttribute!] !== undefined)) {
    throw new UsageError(`--feature-attribute: no node of ${name} has a '${options.featureAttribute}' attribute`);
  }
  const common = {
    name,
    labelAttribute: options.labelAttribute,
    ...(options.featureAttribute === undefined ? {} : { featureAttribute: options.featureAttribute }),
  };
  const declared = graph.filterNodes((_, attributes) => attributes[options.splitAttribute] !== undefined);
  if (declared.length > 0) {
    const split: Record<'train' | 'val' | 'test', string[]> = { train: [], val: [], test: [] };
    for (const node of declared) {
      const part = String(graph.getNodeAttribute(node, options.splitAttribute));
      if (part !== 'train' && part !== 'val' && part !== 'test') {
        throw new UsageError(`--split-attribute: node '${node}' has ${options.splitAttribute} = '${part}'; expected train, val or test`);
      }
      split[part].push(node);
    }
    return graphDataset(graph, { ...common, split });
  }
  const unsplit = graphDataset(graph, { ...common, split: { train: [] } });
  const rows = stratifiedSplit(unsplit.y.data as Int32Array, options.split);
  const keys = (list: number[]) => list.map((row) => unsplit.index.key(row));
  return graphDataset(graph, { ...common, split: { train: keys(rows.train), val: keys(rows.val), test: keys(rows.test) } });
}

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

const percent = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : '—');

function nonNegative(values: OptionValues, name: string): number | undefined {
  return values[name] === undefined ? undefined : intOption(values, name, 0, { min: 0 });
}

export const gnnTrainCommand: Command = {
  path: ['gnn', 'train'],
  summary: 'Train a graph neural network (GCN, GAT, GATv2, GraphSAGE, GIN) for node classification over several seeds.',
  details: [
    'Datasets: karate (2 labelled leaders, 32 test members), cora, citeseer, pubmed (embedded, from @tensorloom/datasets;',
    'PubMed without its features), a Planetoid-style folder (edges.csv, labels.csv, split.json, features.csv), or a GEXF,',
    'GraphML or edge-list file whose nodes carry --label-attribute (and optionally --feature-attribute, else one-hot',
    'ids). A file is split by its --split-attribute (train/val/test) where it has one, else per class at random.',
    'Defaults are the paper recipe of the model on the dataset (recipeFor of @tensorloom/gnn), features row-normalised:',
    ...GNN_MODELS.map((model) => `  ${model.padEnd(6)}${describeRecipe(recipeFor(model, 'cora'))}`),
    `  PubMed: gat, gatv2 ${describeRecipe(recipeFor('gat', 'pubmed'))}`,
    'Each flag above overrides its part of the recipe. Each seed seeds the initial weights and the dropout masks.',
    'Reports the test accuracy of the weights selected on the validation nodes as mean ± sample std over the seeds.',
  ].join('\n'),
  options: {
    dataset: {
      type: 'string',
      description: `${NAMED_DATASETS.join(', ')}, a Planetoid-style folder or a graph file.`,
      default: 'karate',
      valueName: 'NAME|PATH',
    },
    model: { type: 'string', description: `The model: ${GNN_MODELS.join(', ')}.`, default: 'gcn', valueName: 'NAME' },
    ...seedOptions('0..9'),
    epochs: { type: 'string', description: "Most epochs per seed (default: the recipe's).", valueName: 'N' },
    lr: { type: 'string', description: "Adam learning rate (default: the recipe's).", valueName: 'RATE' },
    hidden: { type: 'string', description: "Hidden width, per head for gat/gatv2 (default: the recipe's).", valueName: 'N' },
    heads: { type: 'string', description: 'gat, gatv2: attention heads of the hidden layers (default 8).', valueName: 'N' },
    layers: { type: 'string', description: 'Graph layers (default 2).', valueName: 'N' },
    dropout: { type: 'string', description: "Dropout on each layer's input, features included (default: the recipe's).", valueName: 'P' },
    'attention-dropout': {
      type: 'string',
      description: 'gat, gatv2: dropout on the attention coefficients (default 0.6).',
      valueName: 'P',
    },
    'weight-decay': {
      type: 'string',
      description: "L2 weight decay (default: the recipe's, on the parameters it names).",
      valueName: 'L2',
    },
    patience: {
      type: 'string',
      description: "Stop after N epochs without validation progress; 0 = never (default: the recipe's).",
      valueName: 'N',
    },
    criterion: {
      type: 'string',
      description: `The validation figure that selects the kept weights: ${SELECTION_CRITERIA.join(', ')} (default: the recipe's).`,
      valueName: 'NAME',
    },
    'dropout-placement': {
      type: 'string',
      description:
        "gat: layer-input (one mask on each layer's input, PyG) or per-head (a mask per head, and on the transformed features, the GAT authors' code) (default: the recipe's).",
      valueName: 'WHERE',
    },
    'attention-bias': {
      type: 'string',
      description:
        "gat: on (a bias per head inside each attention score's LeakyReLU, the GAT authors' code) or off (PyG) (default: the recipe's).",
      valueName: 'on|off',
    },
    features: {
      type: 'string',
      description: `Planetoid features: ${PLANETOID_FEATURES.join(', ')} (auto: features.csv, else random).`,
      default: 'auto',
      valueName: 'KIND',
    },
    'label-attribute': {
      type: 'string',
      description: 'Graph files: the node attribute holding the class.',
      default: 'label',
      valueName: 'NAME',
    },
    'feature-attribute': {
      type: 'string',
      description: 'Graph files: the node attribute holding the features (a number or an array).',
      valueName: 'NAME',
    },
    'split-attribute': {
      type: 'string',
      description: 'Graph files: the node attribute holding train/val/test.',
      default: 'split',
      valueName: 'NAME',
    },
    'train-per-class': {
      type: 'string',
      description: 'Graph files without a split: training nodes per class.',
      default: '20',
      valueName: 'N',
    },
    'val-size': { type: 'string', description: 'Graph files without a split: validation nodes.', default: '500', valueName: 'N' },
    'split-seed': { type: 'string', description: 'Graph files without a split: seed of the random split.', default: '0', valueName: 'N' },
    format: { type: 'string', description: `Graph file format: ${GRAPH_FORMATS.join(', ')}.`, default: 'auto', valueName: 'NAME' },
    directed: { type: 'boolean', description: 'Read an edge list as directed.' },
    plot: {
      type: 'string',
      description: 'Write the training curves (loss, validation accuracy; mean over seeds) as SVG.',
      valueName: 'FILE',
    },
    csv: { type: 'string', description: "Write every seed's per-epoch figures as CSV.", valueName: 'FILE' },
  },
  async run(values, ctx) {
    const datasetName = stringOption(values, 'dataset') ?? 'karate';
    const model = choiceOption(values, 'model', GNN_MODELS, 'gcn');
    const seeds = seedsFrom(values, '0..9');
    const attention = model === 'gat' || model === 'gatv2';
    for (const flag of ['heads', 'attention-dropout']) {
      if (values[flag] !== undefined && !attention) throw new UsageError(`--${flag} applies to gat and gatv2 only, not ${model}`);
    }
    for (const flag of ['dropout-placement', 'attention-bias']) {
      if (values[flag] !== undefined && model !== 'gat') throw new UsageError(`--${flag} applies to gat only, not ${model}`);
    }
    const featureKind = choiceOption(values, 'features', PLANETOID_FEATURES, 'auto');
    const format = choiceOption(values, 'format', GRAPH_FORMATS, 'auto');
    const split: StratifiedSplitOptions = {
      trainPerClass: intOption(values, 'train-per-class', 20, { min: 1 }),
      valSize: intOption(values, 'val-size', 500, { min: 0 }),
      seed: intOption(values, 'split-seed', 0, { min: 0 }),
    };

    const recipe = recipeFor(model, datasetName);
    const architecture: GNNArchitecture = { ...recipe.architecture };
    const training: TrainNodeClassifierOptions = { ...recipe.training };
    if (values.hidden !== undefined) architecture.hiddenChannels = intOption(values, 'hidden', 16, { min: 1 });
    if (values.layers !== undefined) architecture.numLayers = intOption(values, 'layers', 2, { min: 1, max: 64 });
    if (values.dropout !== undefined) {
      architecture.dropout = floatOption(values, 'dropout', 0.5, { min: 0, max: 1 });
      delete architecture.inputDropout;
    }
    if (architecture.conv === 'gat' || architecture.conv === 'gatv2') {
      if (values.heads !== undefined) architecture.heads = intOption(values, 'heads', 8, { min: 1 });
      if (values['attention-dropout'] !== undefined)
        architecture.attentionDropout = floatOption(values, 'attention-dropout', 0.6, { min: 0, max: 1 });
    }
    if (architecture.conv === 'gat') {
      if (values['dropout-placement'] !== undefined)
        architecture.dropoutPlacement = choiceOption(values, 'dropout-placement', DROPOUT_PLACEMENTS, 'layer-input');
      if (values['attention-bias'] !== undefined)
        architecture.attentionBias = choiceOption(values, 'attention-bias', ON_OFF, 'off') === 'on';
    }
    if (values.criterion !== undefined) training.criterion = choiceOption(values, 'criterion', SELECTION_CRITERIA, 'accuracy');
    if (values.epochs !== undefined) training.epochs = intOption(values, 'epochs', 200, { min: 1 });
    if (values.lr !== undefined) training.lr = floatOption(values, 'lr', 0.01, { min: 0, exclusiveMin: true });
    if (values['weight-decay'] !== undefined) training.weightDecay = floatOption(values, 'weight-decay', 5e-4, { min: 0 });
    const patience = nonNegative(values, 'patience');
    if (patience !== undefined) training.patience = patience === 0 ? Infinity : patience;
    const plotPath = stringOption(values, 'plot');
    const csvPath = stringOption(values, 'csv');

    const loaded = await loadDataset(datasetName, {
      onNotice: (message) => ctx.log(`note: ${message}`),
      featureKind,
      file: {
        labelAttribute: stringOption(values, 'label-attribute') ?? 'label',
        ...(values['feature-attribute'] === undefined ? {} : { featureAttribute: stringOption(values, 'feature-attribute')! }),
        splitAttribute: stringOption(values, 'split-attribute') ?? 'split',
        split,
      },
      format,
      directed: values.directed === true,
    });
    if (loaded.trainIndex.size === 0) throw new Error(`${loaded.name} has no training nodes`);
    // Bag-of-words features (Cora: 1.3% non-zero) go to the models as a SparseCSR: GCN's epoch is ~4× faster.
    const features = preferSparse(recipe.normalizeFeatures ? normalizeFeatures(loaded.x) : loaded.x);
    const data = { ...loaded, x: features };
    const sparseNote =
      features instanceof SparseCSR
        ? `, sparse (${((100 * features.nnz) / Math.max(1, features.shape[0] * features.shape[1])).toFixed(2)}% non-zero)`
        : '';
    const build = () => new GNN({ ...architecture, inChannels: data.numFeatures, outChannels: data.numClasses });
    const parameters = build().numParameters();
    const epochs = training.epochs ?? 200;
    const decayOn = training.weightDecayFilter === undefined ? 'all' : 'first layer';

    ctx.log(
      `${loaded.name}: ${loaded.numNodes} nodes, ${loaded.edgeIndex.shape[1]} edge-index columns, ${loaded.numFeatures} features${recipe.normalizeFeatures ? ' (row-normalised)' : ''}${sparseNote}, ` +
        `${loaded.numClasses} classes; train/val/test ${loaded.trainIndex.size}/${loaded.valIndex.size}/${loaded.testIndex.size}`,
    );
    ctx.log(`${model}: ${describeRecipe({ architecture, training })}; ${parameters} parameters; seeds ${formatSeeds(seeds)}`);

    const hasVal = loaded.valIndex.size > 0;
    const histories: NodeClassificationEpoch[][] = [];
    const started = performance.now();
    // On a log (not a terminal), a line at least every 100 epochs: with early stopping, `epochs` is only a bound.
    const logEvery = Math.max(1, Math.min(100, Math.round(epochs / 10)));
    let progress = new Progress(ctx.stderr, epochs, `seed ${seeds[0]}`, logEvery);
    let seedStarted = performance.now();
    let lastEpoch = 0;
    const result = runSeeds(build, data, seeds, {
      ...training,
      onEpoch: (record) => {
        lastEpoch = record.epoch;
        const fields: Record<string, string> = { loss: record.loss.toFixed(4) };
        if (hasVal) fields['val acc'] = percent(record.valAccuracy);
        else fields['train acc'] = percent(record.trainAccuracy);
        if (!ctx.stderr.isTTY) {
          // Progress prints elapsed time on logs; the ETA here covers the seeds still to come.
          const done = histories.length;
          const perEpoch = (performance.now() - seedStarted) / record.epoch;
          const meanEpochs = done > 0 ? histories.reduce((s, h) => s + h.length, 0) / done : epochs;
          fields.ETA = formatSeconds((perEpoch * (Math.max(0, epochs - record.epoch) + (seeds.length - done - 1) * meanEpochs)) / 1000);
        }
        progress.update(record.epoch, fields);
      },
      onSeed: (run, position) => {
        if (ctx.stderr.isTTY && lastEpoch < epochs) ctx.stderr.write('\n');
        histories.push(run.history);
        // Under --json the per-seed lines still reach the log (stderr).
        (ctx.json ? ctx.log : ctx.print)(
          `seed ${run.seed}: test ${percent(run.testAccuracy)}  ${hasVal ? `val ${percent(run.valAccuracy)}  best epoch` : 'epoch'} ${run.bestEpoch}/${run.epochs}` +
            `${run.stoppedEarly ? ' (stopped early)' : ''}  ${run.msPerEpoch.toFixed(1)} ms/epoch  ${(run.ms / 1000).toFixed(1)} s`,
        );
        const next = seeds[position + 1];
        if (next !== undefined) {
          progress = new Progress(ctx.stderr, epochs, `seed ${next}`, logEvery);
          seedStarted = performance.now();
        }
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const n = seeds.length;
    ctx.print(`test accuracy: ${percent(result.mean)} ± ${percent(result.std)} (mean ± sample std over ${n} seed${n === 1 ? '' : 's'})`);
    if (hasVal) ctx.print(`val accuracy:  ${percent(result.val.mean)} ± ${percent(result.val.std)}`);
    ctx.print(`epoch time: ${result.msPerEpoch.toFixed(1)} ms (training step + evaluation); ${seconds.toFixed(1)} s in all`);

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
          title: `${loaded.name}: ${model} training (mean over ${n} seed${n === 1 ? '' : 's'}; test ${percent(result.mean)} ± ${percent(result.std)})`,
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
    if (Object.keys(files).length > 0) ctx.log(`wrote ${Object.values(files).join(' and ')}`);

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
        msPerEpoch: r.msPerEpoch,
      })),
      parameters,
      architecture,
      training: {
        epochs,
        lr: training.lr,
        weightDecay: training.weightDecay,
        weightDecayOn: decayOn,
        patience: training.patience === undefined || training.patience === Infinity ? null : training.patience,
        criterion: training.criterion ?? 'accuracy',
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
    };
  },
};

interface LoadDatasetOptions {
  onNotice: (message: string) => void;
  featureKind: (typeof PLANETOID_FEATURES)[number];
  file: GraphFileDatasetOptions;
  format: (typeof GRAPH_FORMATS)[number];
  directed: boolean;
}

/** A dataset by name (karate, Cora, CiteSeer, PubMed), a Planetoid-style folder, or a labelled graph file. */
async function loadDataset(name: string, options: LoadDatasetOptions): Promise<GraphDataset> {
  if (existsSync(name) && statSync(name).isFile()) {
    return graphFileDataset(name, readGraphFile(name, { format: options.format, directed: options.directed }), options.file);
  }
  return loadNamedDataset(name, {
    onNotice: options.onNotice,
    ...(options.featureKind === 'auto' ? {} : { features: options.featureKind }),
  });
}

function describeArchitecture(a: GNNArchitecture): string {
  const attention = a.conv === 'gat' || a.conv === 'gatv2';
  const hidden = attention
    ? `${a.heads ?? 1} heads × ${a.hiddenChannels} hidden, ${a.outHeads ?? 1} output head${(a.outHeads ?? 1) === 1 ? '' : 's'}`
    : `${a.hiddenChannels} hidden`;
  const perHead = a.conv === 'gat' && a.dropoutPlacement === 'per-head' ? ' per head' : '';
  const attentionDropout = attention ? ` (attention ${a.attentionDropout ?? 0})` : '';
  const biases = a.conv === 'gat' && a.attentionBias === true ? ', attention score biases' : '';
  const aggregation = a.conv === 'sage' ? `, ${a.aggr ?? 'mean'} aggregation` : '';
  return `${a.numLayers ?? 2} layers, ${hidden}, ${a.act ?? 'relu'}, dropout ${a.dropout ?? 0.5}${perHead}${attentionDropout}${biases}${aggregation}`;
}

/** A CSV cell: numbers as they are, a missing figure (NaN: no validation nodes) empty. */
function csvNumber(value: number | string | undefined): string {
  return typeof value === 'number' && !Number.isFinite(value) ? '' : String(value ?? '');
}

/** One line for a recipe: `2 layers, 16 hidden, relu, dropout 0.5; Adam lr 0.01, L2 0.0005 on the first layer, 200 epochs, …`. */
function describeRecipe(recipe: { architecture: GNNArchitecture; training: TrainNodeClassifierOptions }): string {
  const t = recipe.training;
  const patience = t.patience === undefined || t.patience === Infinity ? '' : ` (patience ${t.patience})`;
  return (
    `${describeArchitecture(recipe.architecture)}; Adam lr ${t.lr ?? 0.01}, L2 ${t.weightDecay ?? 5e-4} on ${t.weightDecayFilter === undefined ? 'all' : 'the first layer'}, ` +
    `${patience ? 'up to ' : ''}${t.epochs ?? 200} epochs${patience}, best val ${t.criterion ?? 'accuracy'}`
  );
}

function formatSeeds(seeds: readonly number[]): string {
  const consecutive = seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1);
  return consecutive && seeds.length > 2 ? `${seeds[0]}..${seeds[seeds.length - 1]}` : seeds.join(',');
}
