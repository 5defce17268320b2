/**
 * Planetoid node-classification accuracy of the paper models, over several seeds.
 *
 *   node --conditions=@tensorloom/source --import tsx packages/gnn/scripts/planetoid-accuracy.ts [dataset] [model] [seeds] [flags]
 *
 * - dataset: cora (default), citeseer, pubmed (from @tensorloom/datasets; random features unless --features), or a Planetoid-style folder;
 * - model: gcn (default), gat, gatv2, sage, gin (the paper recipe of `recipeFor`);
 * - seeds: a count k (the seeds 0..k−1, default 10) or a comma list (`3,5,8`).
 *
 * Flags (each overrides the recipe): --features file|identity|random, --epochs N, --patience N,
 * --criterion accuracy|loss|accuracy-and-loss|latest-accuracy, --weight-decay X, --decay-on all|first, --lr X,
 * --dropout-placement layer-input|per-head, --no-normalize, --dense-features (keep x dense; by default a
 * feature matrix with ≤ 10% non-zeros is passed as a SparseCSR), --backend auto|js|wasm (default auto), --threads N, --log-every
 * N (epochs).
 *
 * Prints each seed's test accuracy (at the selected epoch), then mean ± std (the sample standard
 * deviation, n − 1) and the mean time per epoch (a training step plus the evaluation pass).
 * These are runs, not tests.
 */
import { parseArgs } from 'node:util';
import { getBackend, loadFastestBackend, registerWasmBackend, setBackend, shutdownWasmBackend } from '@tensorloom/core-tensor';
import { GRAPH_DATASETS, loadGraphDataset, type GraphDatasetName } from '@tensorloom/datasets';
import { normalizeFeatures, type PlanetoidFeatures } from '@tensorloom/graph';
import { loadPlanetoid } from '@tensorloom/graph/node';
import { firstLayerOnly, recipeFor } from '../src/model-recipes.js';
import { preferSparse } from '../src/node-features.js';
import { GNN, type ConvKind, type DropoutPlacement } from '../src/models.js';
import { runSeeds } from '../src/node-classification-seeds.js';
import type { SelectionCriterion, TrainNodeClassifierOptions } from '../src/node-classification.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    features: { type: 'string' },
    epochs: { type: 'string' },
    patience: { type: 'string' },
    criterion: { type: 'string' },
    'weight-decay': { type: 'string' },
    'decay-on': { type: 'string' },
    lr: { type: 'string' },
    'dropout-placement': { type: 'string' },
    'no-normalize': { type: 'boolean', default: false },
    'dense-features': { type: 'boolean', default: false },
    backend: { type: 'string', default: 'auto' },
    threads: { type: 'string', default: '1' },
    'log-every': { type: 'string', default: '0' },
  },
});

const [dataset = 'cora', modelName = 'gcn', seedArg = '10'] = positionals;
const model = modelName.toLowerCase() as ConvKind;
const seeds = seedArg.includes(',') ? seedArg.split(',').map(Number) : Number(seedArg);

const threads = Number(values.threads);
if (values.backend === 'js') setBackend('js');
else if (values.backend === 'wasm') {
  await registerWasmBackend({ threads });
  setBackend('wasm');
} else await loadFastestBackend({ threads });

const recipe = recipeFor(model, dataset);
const features = values.features as PlanetoidFeatures | undefined;
const loaded =
  dataset in GRAPH_DATASETS
    ? await loadGraphDataset(dataset as GraphDatasetName, { features: features ?? (dataset === 'pubmed' ? 'random' : 'file') })
    : loadPlanetoid(dataset, { features, onNotice: (message) => console.log(`note: ${message}`) });
// Row-normalising is for the non-negative bag-of-words files; random normal rows can sum to ~0.
const fileFeatures = (values.features ?? 'file') === 'file' && loaded.x.data.every((v) => v >= 0);
const normalize = recipe.normalizeFeatures && !values['no-normalize'] && fileFeatures;
if (recipe.normalizeFeatures && !fileFeatures) console.log('note: features are not the non-negative bag-of-words file: not row-normalised');
const denseX = normalize ? normalizeFeatures(loaded.x) : loaded.x;
const data = { ...loaded, x: values['dense-features'] ? denseX : preferSparse(denseX) };

const training: TrainNodeClassifierOptions = { ...recipe.training };
const number = (flag: string | undefined): number | undefined => (flag === undefined ? undefined : Number(flag));
if (values.epochs !== undefined) training.epochs = number(values.epochs);
if (values.patience !== undefined) training.patience = values.patience === 'Infinity' ? Infinity : number(values.patience);
if (values.criterion !== undefined) training.criterion = values.criterion as SelectionCriterion;
if (values['weight-decay'] !== undefined) training.weightDecay = number(values['weight-decay']);
if (values.lr !== undefined) training.lr = number(values.lr);
if (values['decay-on'] === 'all') delete training.weightDecayFilter;
else if (values['decay-on'] === 'first') training.weightDecayFilter = firstLayerOnly;

const architecture =
  recipe.architecture.conv === 'gat' && values['dropout-placement'] !== undefined
    ? { ...recipe.architecture, dropoutPlacement: values['dropout-placement'] as DropoutPlacement }
    : recipe.architecture;
const logEvery = Number(values['log-every']);
const describe = { ...training, weightDecayFilter: training.weightDecayFilter === undefined ? 'all' : 'first layer' };
console.log(
  `${loaded.name}: ${loaded.numNodes} nodes, ${loaded.edgeIndex.shape[1]} directed ` +
    `edges, ${loaded.numFeatures} features${normalize ? ' (row-normalised)' : ''}, ` +
    `${loaded.numClasses} classes, split ${loaded.trainIndex.size}/${loaded.valIndex.size}/${loaded.testIndex.size}`,
);
console.log(`model ${model}: ${JSON.stringify(architecture)}`);
console.log(`training: ${JSON.stringify(describe)}`);
console.log(`backend ${getBackend().name}, seeds ${Array.isArray(seeds) ? seeds.join(',') : `0..${seeds - 1}`}`);

const result = runSeeds(() => new GNN({ ...architecture, inChannels: data.numFeatures, outChannels: data.numClasses }), data, seeds, {
  ...training,
  onEpoch:
    logEvery > 0
      ? (e) => {
          if (e.epoch % logEvery === 0) {
            console.log(
              `  epoch ${e.epoch}: loss ${e.loss.toFixed(4)} train ${pct(e.trainAccuracy)} val ` +
                `${pct(e.valAccuracy)} val loss ${e.valLoss.toFixed(4)} (${e.ms.toFixed(0)} ms)`,
            );
          }
        }
      : undefined,
  onSeed: (run) => {
    console.log(
      `seed ${run.seed}: test ${pct(run.testAccuracy)}  val ${pct(run.valAccuracy)}  best epoch ` +
        `${run.bestEpoch}/${run.epochs}${run.stoppedEarly ? ' (stopped early)' : ''} ` +
        ` ${run.msPerEpoch.toFixed(1)} ms/epoch  ${(run.ms / 1000).toFixed(1)} s`,
    );
  },
});

console.log(
  `${loaded.name} ${model}: test ${pct(result.mean)} ± ${pct(result.std)} (mean ± sample std ` +
    `over ${result.perSeed.length} seeds; val ${pct(result.val.mean)} ± ${pct(result.val.std)})`,
);
console.log(`per seed: ${result.perSeed.map((r) => pct(r.testAccuracy)).join(' ')}`);
console.log(`time: ${result.msPerEpoch.toFixed(1)} ms/epoch (train step + evaluation), ${(result.ms / 1000).toFixed(1)} s in all`);
await shutdownWasmBackend();

function pct(value: number): string {
  return `${(100 * value).toFixed(2)}%`;
}
