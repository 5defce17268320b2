/**
 * Full-batch semi-supervised node classification, as the GCN and GAT papers (and PyG's
 * examples/gcn.py, gat.py) train it: one forward pass over the whole graph per epoch, the
 * cross-entropy of the training nodes, Adam with L2 weight decay, and model selection on the
 * validation nodes (the test nodes are read once, at the end, with the selected weights).
 */
import {
  DTypeError,
  IndexError,
  NonFiniteGuard,
  ShapeError,
  SparseCSR,
  ValueError,
  crossEntropy,
  fmtShape,
  indexSelect,
  manualSeed,
  noGrad,
  optim,
  type NonFiniteEvent,
  type NonFinitePolicy,
  type Tensor,
  type nn,
} from '@tensorloom/core-tensor';
import { ModelSelector, SELECTION_CRITERIA, type SelectionCriterion } from './model-selection.js';
import type { NodeFeatures } from './node-features.js';

/**
 * What node classification needs of a dataset: PyG's `Data` with the Planetoid split as index
 * tensors. `@tensorloom/graph`'s `GraphDataset` (from `loadPlanetoid`, `karateClub`) is one.
 */
export interface NodeClassificationData {
  /**
   * Node features, float `[N, F]`: a tensor, or a `SparseCSR` of sparse (bag-of-words) features,
   * which `GCN`/`GAT`/`GNN` multiply without densifying (`SparseCSR.fromDense(x)` once, before
   * training).
   */
  readonly x: NodeFeatures;
  /** Class of each node, int32 `[N]` (−1 = unlabelled; never read at a split node). */
  readonly y: Tensor;
  /** int32 `[2, E]`: row 0 the sources, row 1 the targets. */
  readonly edgeIndex: Tensor;
  /** int32 node rows of the training nodes. */
  readonly trainIndex: Tensor;
  /** int32 node rows of the validation nodes (model selection and early stopping). */
  readonly valIndex: Tensor;
  /** int32 node rows of the test nodes. */
  readonly testIndex: Tensor;
  /** For messages. */
  readonly name?: string;
}

/**
 * A node classifier: `(x [N, F], edgeIndex [2, E]) → logits [N, C]` (unnormalised scores). A model
 * that takes dense features only serves too, as long as the data's x is a tensor.
 */
export type NodeClassifier = nn.Module<[NodeFeatures, Tensor], Tensor>;

// Kept importable from here, where they used to live (the package's scripts and tests import them so).
export { ModelSelector, SELECTION_CRITERIA, type SelectionCriterion };

/** One epoch, as `onEpoch` receives it and `history` keeps it. */
export interface NodeClassificationEpoch {
  /** 1-based. */
  epoch: number;
  /** Training cross-entropy of this epoch's (training-mode) forward pass, before the update. */
  loss: number;
  /** Accuracy on the training nodes after the update, in evaluation mode. */
  trainAccuracy: number;
  /** Accuracy on the validation nodes after the update, in evaluation mode. */
  valAccuracy: number;
  /** Cross-entropy on the validation nodes after the update, in evaluation mode. */
  valLoss: number;
  /** Wall-clock milliseconds of the epoch (the update and the evaluation). */
  ms: number;
  /** Set when this epoch's update was skipped (`onNonFinite` 'skip' or 'halve-lr'). */
  nonFinite?: NonFiniteEvent;
}

export interface TrainNodeClassifierOptions {
  /** The most epochs to run. Default 200 (Kipf & Welling's). */
  epochs?: number;
  /** Adam's learning rate. Default 0.01. */
  lr?: number;
  /** L2 weight decay λ, added to the gradient as `torch.optim.Adam`'s `weight_decay`. Default 5e-4. */
  weightDecay?: number;
  /**
   * Which parameters (by their `namedParameters()` name) get the weight decay; the rest get 0, in
   * a second Adam parameter group. Default: all. Kipf & Welling's code and PyG's examples/gcn.py
   * decay the first layer only: `(name) => name.startsWith('convs.0.')` for the models here.
   */
  weightDecayFilter?: (parameterName: string) => boolean;
  /** The selection and early-stopping figure (see `SelectionCriterion`). Default 'accuracy'. */
  criterion?: SelectionCriterion;
  /**
   * Stop after this many epochs in a row without an improvement of the criterion. Default
   * Infinity: run every epoch (and still keep the best weights). The GAT paper uses 100.
   * With an empty `valIndex` (the karate club) nothing is selected: every epoch runs and the
   * last weights are kept.
   */
  patience?: number;
  /** Load the selected (best-validation) weights back into the model at the end. Default true. */
  restoreBest?: boolean;
  /**
   * Seeds the global generator (`manualSeed`) before the first epoch: the dropout masks of layers
   * built without their own generator. The initial weights come from whoever built the model
   * (`runSeeds` seeds before building). Default: leave the generator as it is.
   */
  seed?: number;
  /** Called after every epoch. */
  onEpoch?: (epoch: NodeClassificationEpoch) => void;
  /**
   * What a NaN or an infinity in the loss, a gradient or (after the update) a weight does: `'stop'`
   * throws `NonFiniteError` naming the epoch and the parameter; `'skip'` skips the update; `'halve-lr'`
   * skips it and halves the learning rate, stopping after 20 halvings in a row (`NonFiniteGuard`).
   * Default 'stop'.
   */
  onNonFinite?: NonFinitePolicy;
  /** Each skipped update (`onNonFinite` 'skip' or 'halve-lr'), with its one-line `message`. */
  onWarning?: (event: NonFiniteEvent) => void;
}

export interface TrainNodeClassifierResult {
  /** Test accuracy of the selected weights. */
  testAccuracy: number;
  /** Validation accuracy of the selected weights. */
  valAccuracy: number;
  /** Training accuracy of the selected weights. */
  trainAccuracy: number;
  /** Validation cross-entropy of the selected weights. */
  valLoss: number;
  /** Test cross-entropy of the selected weights. */
  testLoss: number;
  /** The epoch (1-based) whose weights were selected. */
  bestEpoch: number;
  /** Epochs run (fewer than `epochs` when early stopping ended training). */
  epochs: number;
  /** Whether the patience ran out. */
  stoppedEarly: boolean;
  /** Epochs whose update was skipped because the loss, a gradient or the update was not finite. */
  skippedEpochs: number;
  /** Halvings of the learning rate (`onNonFinite: 'halve-lr'`). */
  lrHalvings: number;
  /** One entry per epoch run. */
  history: NodeClassificationEpoch[];
  /** Wall-clock milliseconds of the whole run, the final evaluation included. */
  ms: number;
  /** Mean milliseconds per epoch (update and evaluation). */
  msPerEpoch: number;
}

/** Loss and accuracy of one split. */
export interface SplitEvaluation {
  loss: number;
  accuracy: number;
}

/** `evaluate`'s result: every split, from one forward pass. */
export interface NodeClassificationEvaluation {
  train: SplitEvaluation;
  val: SplitEvaluation;
  test: SplitEvaluation;
}

/** The data checked once and the per-split label tensors prepared once. */
interface PreparedData {
  readonly data: NodeClassificationData;
  readonly labels: Int32Array;
  readonly splits: Record<'train' | 'val' | 'test', { index: Tensor; rows: Int32Array; target: Tensor }>;
}

const OP = 'trainNodeClassifier';

/** `trainNodeClassifier`'s defaults: Kipf & Welling's GCN training. */
export const DEFAULT_NODE_CLASSIFIER_TRAINING = Object.freeze({
  epochs: 200,
  lr: 0.01,
  weightDecay: 5e-4,
  criterion: 'accuracy' as SelectionCriterion,
});

/**
 * Trains a node classifier full-batch on the training nodes and selects its weights on the
 * validation nodes, as the GCN/GAT papers and PyG's examples do. Each epoch:
 *
 * ```
 * model.train();  logits = model(x, edgeIndex)
 * loss = crossEntropy(logits[trainIndex], y[trainIndex]);  loss.backward();  adam.step()
 * model.eval();   logits = model(x, edgeIndex)   (no gradients)
 * trainAccuracy, valAccuracy, valLoss from those logits → criterion → keep the weights if better
 * ```
 *
 * The optimizer is `optim.Adam` with `weightDecay` added to the gradient (L2, as
 * `torch.optim.Adam(weight_decay=…)`, not AdamW), on the parameters `weightDecayFilter` picks, the
 * others in a group without decay. After the last epoch (or when `patience` runs out) the selected
 * weights are loaded back (`restoreBest`) and all three splits are evaluated once; the test
 * figures are never read before then. The model is left in training mode.
 *
 * - Options (defaults): `epochs` 200, `lr` 0.01, `weightDecay` 5e-4, `weightDecayFilter` all,
 *   `criterion` 'accuracy', `patience` Infinity, `restoreBest` true, `seed` none, `onEpoch`,
 *   `onNonFinite` 'stop' (or 'skip', 'halve-lr': what a NaN or an infinity does), `onWarning`.
 * - Data: `x` float `[N, F]`, `y` int32 `[N]`, split indices int32 node rows whose labels are set.
 *   Bad shapes or dtypes throw `ShapeError`/`DTypeError`, rows out of range or unlabelled
 *   `IndexError`, bad options `ValueError`.
 * - Model: `(x, edgeIndex) → [N, C]` logits (see `GCN`, `GAT`, `GNN`).
 *
 * @example
 * const data = await loadCora(); // @tensorloom/datasets
 * manualSeed(0);
 * const model = new GCN({ inChannels: data.numFeatures, outChannels: data.numClasses });
 * const { testAccuracy, bestEpoch } = trainNodeClassifier(model, { ...data, x: normalizeFeatures(data.x) }, { epochs: 200 });
 */
export function trainNodeClassifier(
  model: NodeClassifier,
  data: NodeClassificationData,
  options: TrainNodeClassifierOptions = {},
): TrainNodeClassifierResult {
  const {
    epochs = DEFAULT_NODE_CLASSIFIER_TRAINING.epochs,
    lr = DEFAULT_NODE_CLASSIFIER_TRAINING.lr,
    weightDecay = DEFAULT_NODE_CLASSIFIER_TRAINING.weightDecay,
    weightDecayFilter,
    criterion = DEFAULT_NODE_CLASSIFIER_TRAINING.criterion,
    patience = Infinity,
    restoreBest = true,
    seed,
    onEpoch,
    onWarning,
  } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ValueError(`${OP}: epochs must be an integer ≥ 1, got ${epochs}`);
  if (!(lr > 0)) throw new ValueError(`${OP}: lr must be positive, got ${lr}`);
  if (!(weightDecay >= 0)) throw new ValueError(`${OP}: weightDecay must be ≥ 0, got ${weightDecay}`);
  if (!(patience >= 1) || (patience !== Infinity && !Number.isInteger(patience))) {
    throw new ValueError(`${OP}: patience must be an integer ≥ 1 or Infinity, got ${patience}`);
  }
  if (!SELECTION_CRITERIA.includes(criterion)) {
    throw new ValueError(
      `${OP}: criterion must be one of ${SELECTION_CRITERIA.map((c) => `'${c}'`).join(', ')}, got '${String(criterion)}'`,
    );
  }
  const prepared = prepareData(OP, data);
  if (prepared.splits.train.rows.length === 0) throw new ValueError(`${OP}: trainIndex is empty: there is nothing to train on`);
  if (seed !== undefined) manualSeed(seed);

  const optimizer = new optim.Adam(parameterGroups(model, weightDecay, weightDecayFilter), { lr, weightDecay });
  const parameters = model.parameters();
  const guard = new NonFiniteGuard({
    namedParameters: model.namedParameters(),
    optimizer,
    policy: options.onNonFinite ?? 'stop',
    op: OP,
    unit: 'epoch',
  });
  const started = performance.now();
  const history: NodeClassificationEpoch[] = [];
  const selector = new ModelSelector(criterion);
  const hasValidation = prepared.splits.val.rows.length > 0;
  let bestWeights = snapshot(parameters);
  let bestEpoch = 0;
  let sinceImprovement = 0;
  let stoppedEarly = false;

  for (let epoch = 1; epoch <= epochs; epoch++) {
    const epochStart = performance.now();
    model.train();
    optimizer.zeroGrad();
    const logits = model.call(data.x, data.edgeIndex);
    checkLogits(OP, logits, prepared);
    const { index, target } = prepared.splits.train;
    const loss = crossEntropy(indexSelect(logits, 0, index), target);
    loss.backward();
    const lossValue = loss.item();
    const nonFinite = guard.update(epoch, lossValue, () => optimizer.step());
    if (nonFinite !== undefined) onWarning?.(nonFinite);

    const evaluation = evaluatePrepared(model, prepared, ['train', 'val']) as Pick<NodeClassificationEvaluation, 'train' | 'val'>;
    const record: NodeClassificationEpoch = {
      epoch,
      loss: lossValue,
      trainAccuracy: evaluation.train.accuracy,
      valAccuracy: evaluation.val.accuracy,
      valLoss: evaluation.val.loss,
      ms: performance.now() - epochStart,
      ...(nonFinite === undefined ? {} : { nonFinite }),
    };
    history.push(record);
    // Without validation nodes there is nothing to select on: the last epoch's weights are kept.
    const { keep, progress } = hasValidation ? selector.offer(record.valAccuracy, record.valLoss) : { keep: true, progress: true };
    if (keep) {
      bestWeights = snapshot(parameters);
      bestEpoch = epoch;
    }
    sinceImprovement = progress ? 0 : sinceImprovement + 1;
    onEpoch?.(record);
    if (sinceImprovement >= patience) {
      stoppedEarly = true;
      break;
    }
  }

  if (restoreBest) restore(parameters, bestWeights);
  const final = evaluatePrepared(model, prepared, ['train', 'val', 'test']) as NodeClassificationEvaluation;
  model.train();
  const ms = performance.now() - started;
  const epochMs = history.reduce((total, h) => total + h.ms, 0);
  return {
    testAccuracy: final.test.accuracy,
    valAccuracy: final.val.accuracy,
    trainAccuracy: final.train.accuracy,
    valLoss: final.val.loss,
    testLoss: final.test.loss,
    bestEpoch,
    epochs: history.length,
    stoppedEarly,
    skippedEpochs: guard.skippedSteps,
    lrHalvings: guard.lrHalvings,
    history,
    ms,
    msPerEpoch: epochMs / history.length,
  };
}

/**
 * Loss and accuracy of a node classifier on the train, validation and test nodes, from one
 * forward pass in evaluation mode without gradients; the model's mode is restored afterwards.
 * The loss is the mean cross-entropy of the split's nodes (NaN for an empty split, as PyTorch;
 * the accuracy of an empty split is NaN too).
 *
 * @example
 * const { test } = evaluate(model, data);  // { loss, accuracy }
 */
export function evaluate(model: NodeClassifier, data: NodeClassificationData): NodeClassificationEvaluation {
  const prepared = prepareData('evaluate', data);
  return evaluatePrepared(model, prepared, ['train', 'val', 'test']) as NodeClassificationEvaluation;
}

type SplitName = 'train' | 'val' | 'test';

function evaluatePrepared(
  model: NodeClassifier,
  prepared: PreparedData,
  names: readonly SplitName[],
): Partial<NodeClassificationEvaluation> {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const logits = model.call(prepared.data.x, prepared.data.edgeIndex);
      checkLogits('evaluate', logits, prepared);
      const out: Partial<Record<SplitName, SplitEvaluation>> = {};
      for (const name of names) {
        const split = prepared.splits[name];
        out[name] = {
          loss: split.rows.length === 0 ? NaN : crossEntropy(indexSelect(logits, 0, split.index), split.target).item(),
          accuracy: accuracyAt(logits, prepared.labels, split.rows),
        };
      }
      return out;
    });
  } finally {
    if (wasTraining) model.train();
  }
}

/** The share of `rows` whose arg-max logit (the first one on ties) is the label; NaN for no rows. */
function accuracyAt(logits: Tensor, labels: Int32Array, rows: Int32Array): number {
  if (rows.length === 0) return NaN;
  const classes = logits.shape[1]!;
  const values = logits.data;
  let correct = 0;
  for (const row of rows) {
    const base = row * classes;
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[base + c]! > values[base + best]!) best = c;
    if (best === labels[row]) correct++;
  }
  return correct / rows.length;
}

function parameterGroups(
  model: NodeClassifier,
  weightDecay: number,
  filter: ((name: string) => boolean) | undefined,
): optim.ParamsInput<optim.AdamHyperParams> {
  const named = model.namedParameters();
  if (named.length === 0) throw new ValueError(`${OP}: the model has no parameters`);
  if (filter === undefined) return named.map(([, p]) => p);
  const decayed = named.filter(([name]) => filter(name)).map(([, p]) => p);
  const plain = named.filter(([name]) => !filter(name)).map(([, p]) => p);
  const groups: optim.ParamGroupInput<optim.AdamHyperParams>[] = [];
  if (decayed.length > 0) groups.push({ params: decayed, weightDecay });
  if (plain.length > 0) groups.push({ params: plain, weightDecay: 0 });
  return groups;
}

function snapshot(parameters: readonly Tensor[]): Array<Tensor['data']> {
  return parameters.map((p) => p.data.slice());
}

function restore(parameters: readonly Tensor[], weights: ReadonlyArray<Tensor['data']>): void {
  noGrad(() => parameters.forEach((p, i) => p.data.set(weights[i]!)));
}

function checkLogits(op: string, logits: Tensor, prepared: PreparedData): void {
  const n = prepared.labels.length;
  if (logits.ndim !== 2 || logits.shape[0] !== n) {
    throw new ShapeError(`${op}: the model must return logits [${n}, numClasses], got ${fmtShape(logits.shape)}`);
  }
}

/** Validates the dataset and prepares each split's index and label tensors. */
function prepareData(op: string, data: NodeClassificationData): PreparedData {
  const { x, y, edgeIndex } = data;
  if (!(x instanceof SparseCSR) && x.ndim !== 2) throw new ShapeError(`${op}: x must be [numNodes, numFeatures], got ${fmtShape(x.shape)}`);
  if (!(x instanceof SparseCSR) && x.dtype === 'int32') throw new DTypeError(`${op}: x must be float32 or float64, got int32`);
  const n = x.shape[0]!;
  if (y.dtype !== 'int32') throw new DTypeError(`${op}: y must be int32 class indices, got ${y.dtype}`);
  if (y.ndim !== 1 || y.shape[0] !== n) throw new ShapeError(`${op}: y must be [${n}] (one label per row of x), got ${fmtShape(y.shape)}`);
  if (edgeIndex.dtype !== 'int32') throw new DTypeError(`${op}: edgeIndex must be int32, got ${edgeIndex.dtype}`);
  if (edgeIndex.ndim !== 2 || edgeIndex.shape[0] !== 2)
    throw new ShapeError(`${op}: edgeIndex must be [2, numEdges], got ${fmtShape(edgeIndex.shape)}`);
  const labels = y.data as Int32Array;
  const split = (name: SplitName, index: Tensor) => {
    if (index.dtype !== 'int32') throw new DTypeError(`${op}: ${name}Index must be int32 node rows, got ${index.dtype}`);
    if (index.ndim !== 1) throw new ShapeError(`${op}: ${name}Index must be 1-D, got ${fmtShape(index.shape)}`);
    const rows = index.data as Int32Array;
    for (const row of rows) {
      if (!(row >= 0 && row < n)) throw new IndexError(`${op}: ${name}Index holds row ${row}, outside [0, ${n})`);
      if (labels[row]! < 0) throw new IndexError(`${op}: ${name}Index holds row ${row}, which has no label (y = ${labels[row]})`);
    }
    return { index, rows, target: indexSelect(y, 0, index) };
  };
  return {
    data,
    labels,
    splits: { train: split('train', data.trainIndex), val: split('val', data.valIndex), test: split('test', data.testIndex) },
  };
}
