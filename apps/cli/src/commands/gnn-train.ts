/**
 * `tensorloom gnn train`: semi-supervised node classification as the GCN and GAT papers run it.
 * Trains a fresh model per seed on a dataset (karate, Cora, CiteSeer, PubMed embedded; any
 * Planetoid-style folder or labelled GEXF/GraphML/edge-list file) with the paper recipe
 * of the chosen model, and reports the test accuracy as mean ± std over the seeds, with per-seed
 * figures, the time per epoch and the training curves.
 */
import { SparseCSR } from '@tensorloom/core-tensor';
import {
  DEFAULT_GNN_ARCHITECTURE,
  DEFAULT_NODE_CLASSIFIER_TRAINING,
  DROPOUT_PLACEMENTS,
  GNN,
  SELECTION_CRITERIA,
  preferSparse,
  recipeFor,
  runSeeds,
  type ConvKind,
  type GNNArchitecture,
  type NodeClassificationEpoch,
  type NodeClassificationRecipe,
  type TrainNodeClassifierOptions,
} from '@tensorloom/gnn';
import { normalizeFeatures } from '@tensorloom/graph';
import { UsageError, stringOption, type Command } from '../cli.js';
import { GRAPH_FORMATS, GRAPH_SOURCE_SETTINGS, NAMED_DATASETS, PLANETOID_FEATURES, loadDataset } from '../graph-sources.js';
import { gnnTrainResult, writeReportFiles } from './gnn-train-report.js';
import { GNN_EXPORT_OPTIONS, exportGnn, gnnExportPlan } from './gnn-export.js';
import { seedOptions, seedsFrom } from '../seeds.js';
import { Progress, formatSeconds } from '../progress.js';
import { choice, float, givenSettings, int, resolveSettings, settingOptions, text, type Setting, type SettingsOf } from '../settings.js';
import { checkMemory, type MemoryTerm } from '../memory.js';
import { NON_FINITE_SETTINGS, nonFiniteWarnings, stopNamingSeed } from '../non-finite.js';
import { checkOutputFile } from '../output-paths.js';

/** The models `--model` accepts (the convolutions of `@tensorloom/gnn`'s `GNN`). */
export const GNN_MODELS = ['gcn', 'gat', 'gatv2', 'sage', 'gin'] as const satisfies readonly ConvKind[];

const ON_OFF = ['on', 'off'] as const;

/** `trainNodeClassifier`'s defaults, for the options a recipe leaves out. */
const TRAINING_DEFAULTS = DEFAULT_NODE_CLASSIFIER_TRAINING;

/** `GNN`'s defaults, for the options a recipe leaves out. */
const ARCHITECTURE_DEFAULTS = DEFAULT_GNN_ARCHITECTURE;

/** The dataset and the model whose recipe trains on it. */
export const GNN_SETTINGS = {
  dataset: {
    flag: 'dataset',
    description: `${NAMED_DATASETS.join(', ')}, a Planetoid-style folder or a graph file`,
    valueName: 'NAME|PATH',
    default: 'karate',
    parse: text(),
  },
  model: {
    flag: 'model',
    description: `The model: ${GNN_MODELS.join(', ')}`,
    valueName: 'NAME',
    default: 'gcn' as (typeof GNN_MODELS)[number],
    parse: choice(GNN_MODELS),
  },
};

/** A flag that overrides part of the recipe: no default of its own (the recipe's). */
function override<T>(
  flag: string,
  description: string,
  valueName: string,
  parse: (raw: string | boolean, flag: string) => T,
): Setting<T | undefined> {
  return { flag, description, valueName, default: undefined, parse };
}

/** The flags that override parts of `recipeFor(model, dataset)`. */
export const RECIPE_SETTINGS = {
  epochs: override('epochs', "Most epochs per seed (default: the recipe's)", 'N', int({ min: 1 })),
  lr: override('lr', "Adam learning rate (default: the recipe's)", 'RATE', float({ above: 0 })),
  hidden: override('hidden', "Hidden width, per head for gat/gatv2 (default: the recipe's)", 'N', int({ min: 1 })),
  heads: override('heads', 'gat, gatv2: attention heads of the hidden layers (default 8)', 'N', int({ min: 1 })),
  layers: override('layers', 'Graph layers (default 2)', 'N', int({ min: 1, max: 64 })),
  dropout: override('dropout', "Dropout on each layer's input, features included (default: the recipe's)", 'P', float({ min: 0, max: 1 })),
  attentionDropout: override(
    'attention-dropout',
    'gat, gatv2: dropout on the attention coefficients (default 0.6)',
    'P',
    float({ min: 0, max: 1 }),
  ),
  weightDecay: override('weight-decay', "L2 weight decay (default: the recipe's, on the parameters it names)", 'L2', float({ min: 0 })),
  patience: override('patience', "Stop after N epochs without validation progress; 0 = never (default: the recipe's)", 'N', (raw, flag) => {
    const epochs = int({ min: 0 })(raw, flag);
    return epochs === 0 ? Infinity : epochs;
  }),
  criterion: override(
    'criterion',
    `The validation figure that selects the kept weights: ${SELECTION_CRITERIA.join(', ')} (default: the recipe's)`,
    'NAME',
    choice(SELECTION_CRITERIA),
  ),
  dropoutPlacement: override(
    'dropout-placement',
    "gat: layer-input (one mask on each layer's input, PyG) or per-head (a mask per head, and on the transformed features, " +
      "the GAT authors' code) (default: the recipe's)",
    'WHERE',
    choice(DROPOUT_PLACEMENTS),
  ),
  attentionBias: override(
    'attention-bias',
    "gat: on (a bias per head inside each attention score's LeakyReLU, the GAT authors' code) or off (PyG) (default: the recipe's)",
    'on|off',
    (raw, flag) => choice(ON_OFF)(raw, flag) === 'on',
  ),
};

/** How the dataset is read: Planetoid features, and for graph files the attributes, the split and the format. */
export const DATA_SETTINGS = {
  features: {
    flag: 'features',
    description: `Planetoid features: ${PLANETOID_FEATURES.join(', ')} (auto: features.csv, else random)`,
    valueName: 'KIND',
    default: 'auto' as (typeof PLANETOID_FEATURES)[number],
    parse: choice(PLANETOID_FEATURES),
  },
  labelAttribute: {
    flag: 'label-attribute',
    description:
      "Graph files: the declared node attribute holding the class (a GEXF node's display label never counts); " +
      "Planetoid-style folders: the labels.csv column. Missing: exit 2 listing the file's attributes",
    valueName: 'NAME',
    default: 'label',
    parse: text(),
  },
  featureAttribute: {
    flag: 'feature-attribute',
    description: 'Graph files: the node attribute holding the features (a number or an array)',
    valueName: 'NAME',
    default: undefined as string | undefined,
    parse: text(),
  },
  splitAttribute: {
    flag: 'split-attribute',
    description: 'Graph files: the node attribute holding train/val/test',
    valueName: 'NAME',
    default: 'split',
    parse: text(),
  },
  trainPerClass: {
    flag: 'train-per-class',
    description: 'Graph files without a split: training nodes per class',
    valueName: 'N',
    default: 20,
    parse: int({ min: 1 }),
  },
  valSize: {
    flag: 'val-size',
    description: 'Graph files without a split: validation nodes',
    valueName: 'N',
    default: 500,
    parse: int({ min: 0 }),
  },
  splitSeed: {
    flag: 'split-seed',
    description: 'Graph files without a split: seed of the random split',
    valueName: 'N',
    default: 0,
    parse: int({ min: 0 }),
  },
  format: { ...GRAPH_SOURCE_SETTINGS.format, description: `Graph file format: ${GRAPH_FORMATS.join(', ')}` },
  directed: { ...GRAPH_SOURCE_SETTINGS.directed, description: 'Read an edge list as directed.' },
};

export { meanCurve } from './gnn-train-report.js';

const percent = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : '—');

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
    ...settingOptions(GNN_SETTINGS),
    ...seedOptions('0..9'),
    ...settingOptions(RECIPE_SETTINGS),
    ...settingOptions(NON_FINITE_SETTINGS),
    ...settingOptions(DATA_SETTINGS),
    plot: {
      type: 'string',
      description: 'Write the training curves (loss, validation accuracy; mean over seeds) as SVG.',
      valueName: 'FILE',
    },
    csv: { type: 'string', description: "Write every seed's per-epoch figures as CSV.", valueName: 'FILE' },
    ...GNN_EXPORT_OPTIONS,
  },
  async run(values, ctx) {
    const { dataset: datasetName, model } = resolveSettings(values, GNN_SETTINGS);
    const seeds = seedsFrom(values, '0..9');
    const attention = model === 'gat' || model === 'gatv2';
    for (const { flag } of [RECIPE_SETTINGS.heads, RECIPE_SETTINGS.attentionDropout]) {
      if (values[flag] !== undefined && !attention) throw new UsageError(`--${flag} applies to gat and gatv2 only, not ${model}`);
    }
    for (const { flag } of [RECIPE_SETTINGS.dropoutPlacement, RECIPE_SETTINGS.attentionBias]) {
      if (values[flag] !== undefined && model !== 'gat') throw new UsageError(`--${flag} applies to gat only, not ${model}`);
    }
    const input = resolveSettings(values, DATA_SETTINGS);
    const recipe = recipeFor(model, datasetName);
    const { architecture, training } = withOverrides(recipe, givenSettings(values, RECIPE_SETTINGS));
    const { onNonFinite } = resolveSettings(values, NON_FINITE_SETTINGS);
    const plotPath = stringOption(values, 'plot');
    const csvPath = stringOption(values, 'csv');
    if (plotPath !== undefined) checkOutputFile(plotPath, 'plot');
    if (csvPath !== undefined) checkOutputFile(csvPath, 'csv');

    const loaded = await loadDataset(datasetName, {
      onNotice: (message) => ctx.log(`note: ${message}`),
      featureKind: input.features,
      file: {
        labelAttribute: input.labelAttribute,
        ...(input.featureAttribute === undefined ? {} : { featureAttribute: input.featureAttribute }),
        splitAttribute: input.splitAttribute,
        split: { trainPerClass: input.trainPerClass, valSize: input.valSize, seed: input.splitSeed },
      },
      format: input.format,
      directed: input.directed,
    });
    if (loaded.trainIndex.size === 0) throw new Error(`${loaded.name} has no training nodes`);
    // Bag-of-words features (Cora: 1.3% non-zero) go to the models as a SparseCSR: GCN's epoch is ~4× faster.
    const features = preferSparse(recipe.normalizeFeatures ? normalizeFeatures(loaded.x) : loaded.x);
    const data = { ...loaded, x: features };
    const sparseNote =
      features instanceof SparseCSR
        ? `, sparse (${((100 * features.nnz) / Math.max(1, features.shape[0] * features.shape[1])).toFixed(2)}% non-zero)`
        : '';
    checkMemory('training', gnnMemoryTerms(architecture, data.numNodes, data.numFeatures, loaded.edgeIndex.shape[1]!));
    const build = () => new GNN({ ...architecture, inChannels: data.numFeatures, outChannels: data.numClasses });
    const exportPlan = gnnExportPlan(values, build);
    // The model of the seed --export keeps: the best validation accuracy (training accuracy without validation nodes).
    let latest: GNN | undefined;
    let kept: { model: GNN; seed: number; score: number; testAccuracy: number } | undefined;
    const parameters = build().numParameters();
    const epochs = training.epochs ?? TRAINING_DEFAULTS.epochs;

    ctx.log(
      `${loaded.name}: ${loaded.numNodes} nodes, ${loaded.edgeIndex.shape[1]} edge-index columns, ` +
        `${loaded.numFeatures} features${recipe.normalizeFeatures ? ' (row-normalised)' : ''}${sparseNote}, ` +
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
    const running = () => seeds[histories.length];
    const result = stopNamingSeed(
      () =>
        runSeeds(() => (latest = build()), data, seeds, {
          ...training,
          onNonFinite,
          onWarning: nonFiniteWarnings(ctx.log),
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
            const score = hasVal ? run.valAccuracy : run.trainAccuracy;
            if (exportPlan !== undefined && (kept === undefined || score > kept.score))
              kept = { model: latest!, seed: run.seed, score, testAccuracy: run.testAccuracy };
            if (ctx.stderr.isTTY && lastEpoch < epochs) ctx.stderr.write('\n');
            histories.push(run.history);
            // Under --json the per-seed lines still reach the log (stderr).
            (ctx.json ? ctx.log : ctx.print)(
              `seed ${run.seed}: test ${percent(run.testAccuracy)}  ` +
                `${hasVal ? `val ${percent(run.valAccuracy)}  best epoch` : 'epoch'} ${run.bestEpoch}/${run.epochs}` +
                `${run.stoppedEarly ? ' (stopped early)' : ''}  ${run.msPerEpoch.toFixed(1)} ms/epoch  ${(run.ms / 1000).toFixed(1)} s`,
            );
            const next = seeds[position + 1];
            if (next !== undefined) {
              progress = new Progress(ctx.stderr, epochs, `seed ${next}`, logEvery);
              seedStarted = performance.now();
            }
          },
        }),
      running,
      'no files were written',
      'lower --lr',
    );
    const seconds = (performance.now() - started) / 1000;
    const n = seeds.length;
    ctx.print(`test accuracy: ${percent(result.mean)} ± ${percent(result.std)} (mean ± sample std over ${n} seed${n === 1 ? '' : 's'})`);
    if (hasVal) ctx.print(`val accuracy:  ${percent(result.val.mean)} ± ${percent(result.val.std)}`);
    ctx.print(`epoch time: ${result.msPerEpoch.toFixed(1)} ms (training step + evaluation); ${seconds.toFixed(1)} s in all`);

    const files = writeReportFiles({ plotPath, csvPath, histories, seeds, name: loaded.name, model, hasVal, result });
    if (Object.keys(files).length > 0) ctx.log(`wrote ${Object.values(files).join(' and ')}`);
    let exported: Record<string, unknown> | undefined;
    if (exportPlan !== undefined && kept !== undefined) {
      const input = { features: data.numFeatures, normalizeFeatures: recipe.normalizeFeatures };
      const metadata = { dataset: loaded.name, seed: kept.seed, testAccuracy: kept.testAccuracy, input };
      const note = recipe.normalizeFeatures ? '; its input is row-normalised features' : '';
      ctx.log(`--export: seed ${kept.seed} (test ${percent(kept.testAccuracy)})${note}`);
      exported = { seed: kept.seed, ...(await exportGnn(kept.model, exportPlan, metadata, ctx)) };
    }
    return gnnTrainResult({
      ...{ loaded, model, seeds, result, epochs, seconds, parameters, architecture, training, recipe, files },
      criterion: training.criterion ?? TRAINING_DEFAULTS.criterion,
      ...(exported === undefined ? {} : { exported }),
    });
  },
};

/** The recipe's architecture and training options, with the parts the flags give replaced. */
function withOverrides(
  recipe: NodeClassificationRecipe,
  given: Partial<SettingsOf<typeof RECIPE_SETTINGS>>,
): { architecture: GNNArchitecture; training: TrainNodeClassifierOptions } {
  const architecture: GNNArchitecture = { ...recipe.architecture };
  const training: TrainNodeClassifierOptions = { ...recipe.training };
  if (given.hidden !== undefined) architecture.hiddenChannels = given.hidden;
  if (given.layers !== undefined) architecture.numLayers = given.layers;
  if (given.dropout !== undefined) {
    architecture.dropout = given.dropout;
    delete architecture.inputDropout;
  }
  if (architecture.conv === 'gat' || architecture.conv === 'gatv2') {
    if (given.heads !== undefined) architecture.heads = given.heads;
    if (given.attentionDropout !== undefined) architecture.attentionDropout = given.attentionDropout;
  }
  if (architecture.conv === 'gat') {
    if (given.dropoutPlacement !== undefined) architecture.dropoutPlacement = given.dropoutPlacement;
    if (given.attentionBias !== undefined) architecture.attentionBias = given.attentionBias;
  }
  if (given.criterion !== undefined) training.criterion = given.criterion;
  if (given.epochs !== undefined) training.epochs = given.epochs;
  if (given.lr !== undefined) training.lr = given.lr;
  if (given.weightDecay !== undefined) training.weightDecay = given.weightDecay;
  if (given.patience !== undefined) training.patience = given.patience;
  return { architecture, training };
}

function describeArchitecture(a: GNNArchitecture): string {
  const d = ARCHITECTURE_DEFAULTS;
  const attention = a.conv === 'gat' || a.conv === 'gatv2';
  const hidden = attention
    ? `${a.heads ?? d.heads} heads × ${a.hiddenChannels} hidden, ` +
      `${a.outHeads ?? d.outHeads} output head${(a.outHeads ?? d.outHeads) === 1 ? '' : 's'}`
    : `${a.hiddenChannels} hidden`;
  const perHead = a.conv === 'gat' && a.dropoutPlacement === 'per-head' ? ' per head' : '';
  const attentionDropout = attention ? ` (attention ${a.attentionDropout ?? d.attentionDropout})` : '';
  const biases = a.conv === 'gat' && a.attentionBias === true ? ', attention score biases' : '';
  const aggregation = a.conv === 'sage' ? `, ${a.aggr ?? d.aggr} aggregation` : '';
  const dropout = `dropout ${a.dropout ?? d.dropout}${perHead}${attentionDropout}`;
  return `${a.numLayers ?? d.numLayers} layers, ${hidden}, ${a.act ?? d.act}, ${dropout}${biases}${aggregation}`;
}

/** One line for a recipe: `2 layers, 16 hidden, relu, dropout 0.5; Adam lr 0.01, L2 0.0005 on the first layer, 200 epochs, …`. */
function describeRecipe(recipe: { architecture: GNNArchitecture; training: TrainNodeClassifierOptions }): string {
  const t = recipe.training;
  const d = TRAINING_DEFAULTS;
  const patience = t.patience === undefined || t.patience === Infinity ? '' : ` (patience ${t.patience})`;
  return (
    `${describeArchitecture(recipe.architecture)}; Adam lr ${t.lr ?? d.lr}, ` +
    `L2 ${t.weightDecay ?? d.weightDecay} on ${t.weightDecayFilter === undefined ? 'all' : 'the first layer'}, ` +
    `${patience ? 'up to ' : ''}${t.epochs ?? d.epochs} epochs${patience}, best val ${t.criterion ?? d.criterion}`
  );
}

function formatSeeds(seeds: readonly number[]): string {
  const consecutive = seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1);
  return consecutive && seeds.length > 2 ? `${seeds[0]}..${seeds[seeds.length - 1]}` : seeds.join(',');
}

/** What a GNN's training holds, by the flags that size it: per layer, N × hidden × heads activations and E × heads attention. */
function gnnMemoryTerms(a: GNNArchitecture, nodes: number, features: number, edges: number): MemoryTerm[] {
  const heads = a.conv === 'gat' || a.conv === 'gatv2' ? (a.heads ?? ARCHITECTURE_DEFAULTS.heads) : 1;
  const layers = a.numLayers ?? ARCHITECTURE_DEFAULTS.numLayers;
  const width = a.hiddenChannels * heads;
  return [
    {
      what: 'activations (forward and backward)',
      flags: [`--hidden ${a.hiddenChannels}`, ...(heads > 1 ? [`--heads ${heads}`] : []), `--layers ${layers}`, `${nodes} nodes`],
      elements: 2 * layers * (4 * nodes * width + 3 * (edges + nodes) * heads),
      largestTensor: Math.max(nodes * width, (edges + nodes) * heads),
    },
    {
      what: 'parameters (weights, gradients, Adam moments)',
      flags: [`--hidden ${a.hiddenChannels}`, ...(heads > 1 ? [`--heads ${heads}`] : []), `${features} features`],
      elements: 4 * (features * width + (layers - 1) * width * width),
      largestTensor: Math.max(features * width, width * width),
    },
  ];
}
