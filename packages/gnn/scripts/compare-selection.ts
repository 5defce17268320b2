/**
 * How the model-selection rule changes the reported test accuracy: trains each seed once for a fixed
 * number of epochs, recording the validation accuracy and loss and (for this analysis only) the test
 * accuracy after every epoch, then replays every `SelectionCriterion` with several patiences on
 * those records. This is how the recipes' criteria were chosen; it reads the test split at every
 * epoch, which a real run never does.
 *
 *   node --conditions=@tensorloom/source --import tsx packages/gnn/scripts/compare-selection.ts [dataset] [model] [seeds]
 * [epochs] [placement]
 *
 * Defaults: cora gat 4 600 layer-input (placement: the GNN's `dropoutPlacement`, 'per-head' for the
 * GAT authors' dropout). Backend: wasm where it loads.
 */
import { loadFastestBackend, manualSeed, shutdownWasmBackend } from '@tensorloom/core-tensor';
import { GRAPH_DATASETS, loadGraphDataset, type GraphDatasetName } from '@tensorloom/datasets';
import { normalizeFeatures } from '@tensorloom/graph';
import { loadPlanetoid } from '@tensorloom/graph/node';
import { recipeFor } from '../src/model-recipes.js';
import { GNN, type ConvKind, type DropoutPlacement } from '../src/models.js';
import { meanStd } from '../src/node-classification-seeds.js';
import { ModelSelector, SELECTION_CRITERIA, evaluate, trainNodeClassifier, type SelectionCriterion } from '../src/node-classification.js';

interface EpochRecord {
  epoch: number;
  valAccuracy: number;
  valLoss: number;
  testAccuracy: number;
}

const [dataset = 'cora', model = 'gat', seedCount = '4', epochCount = '600', placement = 'layer-input'] = process.argv.slice(2);
await loadFastestBackend({ threads: 1 });
const recipe = recipeFor(model as ConvKind, dataset);
const loaded =
  dataset in GRAPH_DATASETS
    ? await loadGraphDataset(dataset as GraphDatasetName, dataset === 'pubmed' ? { features: 'random' } : {})
    : loadPlanetoid(dataset);
const data = recipe.normalizeFeatures ? { ...loaded, x: normalizeFeatures(loaded.x) } : loaded;

const traces: EpochRecord[][] = [];
for (let seed = 0; seed < Number(seedCount); seed++) {
  manualSeed(seed);
  const architecture =
    recipe.architecture.conv === 'gat' ? { ...recipe.architecture, dropoutPlacement: placement as DropoutPlacement } : recipe.architecture;
  const net = new GNN({ ...architecture, inChannels: data.numFeatures, outChannels: data.numClasses });
  const records: EpochRecord[] = [];
  const started = performance.now();
  trainNodeClassifier(net, data, {
    ...recipe.training,
    epochs: Number(epochCount),
    patience: Infinity,
    onEpoch: (e) =>
      records.push({ epoch: e.epoch, valAccuracy: e.valAccuracy, valLoss: e.valLoss, testAccuracy: evaluate(net, data).test.accuracy }),
  });
  traces.push(records);
  console.log(`seed ${seed}: ${records.length} epochs in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

for (const criterion of SELECTION_CRITERIA) {
  for (const patience of [100, 200, Infinity]) {
    const picks = traces.map((records) => replay(records, criterion, patience));
    const { mean, std } = meanStd(picks.map((p) => p.testAccuracy));
    const where = picks.map((p) => `${p.epoch}/${p.stoppedAt}`).join(' ');
    console.log(
      `${criterion.padEnd(17)} patience ${String(patience).padStart(8)}: test ` +
        `${(100 * mean).toFixed(2)} ± ${(100 * std).toFixed(2)}%  (selected/stopped: ${where})`,
    );
  }
}
await shutdownWasmBackend();

/** The trainer's selection rule (`ModelSelector`) and patience, replayed on records. */
function replay(
  records: readonly EpochRecord[],
  criterion: SelectionCriterion,
  patience: number,
): { epoch: number; testAccuracy: number; stoppedAt: number } {
  const selector = new ModelSelector(criterion);
  let kept = records[0]!;
  let waiting = 0;
  let stoppedAt = records.length;
  for (const r of records) {
    const { keep, progress } = selector.offer(r.valAccuracy, r.valLoss);
    if (keep) kept = r;
    waiting = progress ? 0 : waiting + 1;
    if (waiting >= patience) {
      stoppedAt = r.epoch;
      break;
    }
  }
  return { epoch: kept.epoch, testAccuracy: kept.testAccuracy, stoppedAt };
}
