import {
  DTypeError,
  Generator,
  IndexError,
  ShapeError,
  Tensor,
  ValueError,
  manualSeed,
  nn,
  tensor,
  type Tensor as TensorType,
} from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import {
  ModelSelector,
  SELECTION_CRITERIA,
  evaluate,
  trainNodeClassifier,
  type NodeClassificationData,
  type NodeClassificationEpoch,
  type SelectionCriterion,
} from './node-classification.js';

/** Two noisy Gaussian classes in 4-D, 40 train / 40 val / 40 test nodes; no edges are needed. */
function blobs(seed: number, options: { n?: number; noise?: number } = {}): NodeClassificationData {
  const { n = 120, noise = 1.6 } = options;
  const g = new Generator(seed);
  const x = new Float32Array(n * 4);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let k = 0; k < 4; k++) x[i * 4 + k] = (y[i] === 1 ? 1 : -1) * (k < 2 ? 1 : 0) + g.normal(0, noise);
  }
  const rows = (from: number, to: number) =>
    new Tensor(
      Int32Array.from({ length: to - from }, (_, i) => from + i),
      [to - from],
      'int32',
    );
  return {
    x: new Tensor(x, [n, 4], 'float32'),
    y: new Tensor(y, [n], 'int32'),
    edgeIndex: new Tensor(new Int32Array(0), [2, 0], 'int32'),
    trainIndex: rows(0, n / 3),
    valIndex: rows(n / 3, (2 * n) / 3),
    testIndex: rows((2 * n) / 3, n),
  };
}

/** An MLP that ignores the edges: enough to exercise the training loop. */
class Mlp extends nn.Module<[TensorType, TensorType], TensorType> {
  readonly net: nn.Sequential;
  constructor(options: { hidden?: number; dropout?: number } = {}) {
    super();
    const { hidden = 32, dropout = 0.5 } = options;
    this.net = this.registerModule(
      'net',
      new nn.Sequential(
        new nn.Linear({ inFeatures: 4, outFeatures: hidden }),
        new nn.ReLU(),
        new nn.Dropout({ p: dropout }),
        new nn.Linear({ inFeatures: hidden, outFeatures: 2 }),
      ),
    );
  }
  forward(x: TensorType): TensorType {
    return this.net.call(x);
  }
}

function withoutTimes(history: readonly NodeClassificationEpoch[]): Omit<NodeClassificationEpoch, 'ms'>[] {
  return history.map(({ ms: _ms, ...rest }) => rest);
}

describe('trainNodeClassifier', () => {
  it('learns separable classes and reports every epoch', () => {
    const data = blobs(0, { noise: 0.5 });
    manualSeed(1);
    const seen: NodeClassificationEpoch[] = [];
    const result = trainNodeClassifier(new Mlp(), data, { epochs: 60, lr: 0.02, onEpoch: (e) => seen.push(e) });
    expect(result.epochs).toBe(60);
    expect(result.history).toHaveLength(60);
    expect(seen).toEqual(result.history);
    expect(result.history.map((h) => h.epoch)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(result.history.at(-1)!.loss).toBeLessThan(result.history[0]!.loss / 2);
    expect(result.testAccuracy).toBeGreaterThan(0.9);
    expect(result.stoppedEarly).toBe(false);
    expect(result.msPerEpoch).toBeGreaterThan(0);
    expect(result.ms).toBeGreaterThanOrEqual(result.msPerEpoch * result.epochs);
  });

  it('restores the weights of the best validation epoch and reports test there', () => {
    const data = blobs(2);
    manualSeed(3);
    const model = new Mlp({ hidden: 64, dropout: 0 });
    // A large learning rate on noisy classes overfits: the validation accuracy peaks, then falls.
    const result = trainNodeClassifier(model, data, { epochs: 150, lr: 0.05, weightDecay: 0 });
    const best = result.history[result.bestEpoch - 1]!;
    const maxAccuracy = Math.max(...result.history.map((h) => h.valAccuracy));
    expect(best.valAccuracy).toBe(maxAccuracy);
    // Among the epochs at the best accuracy, the lowest validation loss wins the tie.
    const tied = result.history.filter((h) => h.valAccuracy === maxAccuracy);
    expect(best.valLoss).toBe(Math.min(...tied.map((h) => h.valLoss)));
    expect(result.bestEpoch).toBeLessThan(result.epochs);
    expect(result.history.at(-1)!.valAccuracy).toBeLessThan(maxAccuracy);
    // The model now holds the best epoch's weights: its validation figures are that epoch's.
    const now = evaluate(model, data);
    expect(now.val.accuracy).toBe(best.valAccuracy);
    expect(now.val.loss).toBeCloseTo(best.valLoss, 6);
    expect(result.valAccuracy).toBe(best.valAccuracy);
    expect(result.testAccuracy).toBe(now.test.accuracy);
  });

  it('keeps the last weights with restoreBest: false', () => {
    const data = blobs(2);
    manualSeed(3);
    const model = new Mlp({ hidden: 64, dropout: 0 });
    const result = trainNodeClassifier(model, data, { epochs: 150, lr: 0.05, weightDecay: 0, restoreBest: false });
    expect(result.valAccuracy).toBe(result.history.at(-1)!.valAccuracy);
    expect(result.valAccuracy).toBeLessThan(result.history[result.bestEpoch - 1]!.valAccuracy);
  });

  it('stops when the validation accuracy has not improved for `patience` epochs', () => {
    const data = blobs(2);
    manualSeed(3);
    const result = trainNodeClassifier(new Mlp({ hidden: 64, dropout: 0 }), data, { epochs: 500, lr: 0.05, weightDecay: 0, patience: 20 });
    expect(result.stoppedEarly).toBe(true);
    expect(result.epochs).toBe(result.bestEpoch + 20);
  });

  it("follows the GAT rule with criterion 'accuracy-and-loss'", () => {
    const data = blobs(4);
    manualSeed(5);
    const result = trainNodeClassifier(new Mlp({ hidden: 64, dropout: 0 }), data, {
      epochs: 400,
      lr: 0.05,
      weightDecay: 0,
      patience: 15,
      criterion: 'accuracy-and-loss',
    });
    // Replay the rule on the history: keep when both reach their best, wait while neither does.
    let bestAccuracy = -Infinity;
    let bestLoss = Infinity;
    let kept = 0;
    let waiting = 0;
    for (const h of result.history) {
      const up = h.valAccuracy >= bestAccuracy;
      const down = h.valLoss <= bestLoss;
      if (up && down) kept = h.epoch;
      waiting = up || down ? 0 : waiting + 1;
      bestAccuracy = Math.max(bestAccuracy, h.valAccuracy);
      bestLoss = Math.min(bestLoss, h.valLoss);
    }
    expect(result.bestEpoch).toBe(kept);
    expect(result.stoppedEarly).toBe(true);
    expect(waiting).toBe(15);
  });

  it("keeps the latest epoch at the best accuracy with criterion 'latest-accuracy'", () => {
    const data = blobs(4);
    manualSeed(5);
    const result = trainNodeClassifier(new Mlp({ hidden: 64, dropout: 0 }), data, {
      epochs: 400,
      lr: 0.005,
      weightDecay: 0,
      patience: 15,
      criterion: 'latest-accuracy',
    });
    const accuracies = result.history.map((h) => h.valAccuracy);
    const best = Math.max(...accuracies);
    // Ties go to the later epoch, and each tie restarts the patience.
    expect(result.bestEpoch).toBe(accuracies.lastIndexOf(best) + 1);
    expect(result.valAccuracy).toBe(best);
    expect(result.stoppedEarly).toBe(true);
    expect(result.epochs).toBe(result.bestEpoch + 15);
    expect(accuracies.filter((a) => a === best).length).toBeGreaterThan(1); // a tie was there to break
  });

  it('exports the selection rule it uses (ModelSelector) and accepts exactly SELECTION_CRITERIA', () => {
    const selector = new ModelSelector('accuracy-and-loss');
    expect(selector.offer(0.5, 1.0)).toEqual({ keep: true, progress: true });
    expect(selector.offer(0.6, 1.1)).toEqual({ keep: false, progress: true }); // accuracy up, loss not
    expect(selector.offer(0.55, 1.2)).toEqual({ keep: false, progress: false });
    const data = blobs(2);
    for (const criterion of SELECTION_CRITERIA) expect(() => trainNodeClassifier(new Mlp(), data, { epochs: 1, criterion })).not.toThrow();
    expect(() => trainNodeClassifier(new Mlp(), data, { epochs: 1, criterion: 'f1' as SelectionCriterion })).toThrow(ValueError);
  });

  it("selects the lowest validation loss with criterion 'loss'", () => {
    const data = blobs(2);
    manualSeed(3);
    const result = trainNodeClassifier(new Mlp({ hidden: 64, dropout: 0 }), data, {
      epochs: 120,
      lr: 0.05,
      weightDecay: 0,
      criterion: 'loss',
    });
    const losses = result.history.map((h) => h.valLoss);
    expect(result.bestEpoch).toBe(losses.indexOf(Math.min(...losses)) + 1);
    expect(result.valLoss).toBeCloseTo(Math.min(...losses), 6);
  });

  it('is reproducible: the same seeds give the same history', () => {
    const data = blobs(6);
    const run = () => {
      manualSeed(7);
      const model = new Mlp({ dropout: 0.5 });
      return trainNodeClassifier(model, data, { epochs: 25, seed: 8 });
    };
    const a = run();
    const b = run();
    expect(withoutTimes(a.history)).toEqual(withoutTimes(b.history));
    expect(a.testAccuracy).toBe(b.testAccuracy);
    // A different dropout seed changes the run.
    manualSeed(7);
    const c = trainNodeClassifier(new Mlp({ dropout: 0.5 }), data, { epochs: 25, seed: 9 });
    expect(withoutTimes(c.history)).not.toEqual(withoutTimes(a.history));
  });

  it('applies weight decay only to the parameters the filter picks', () => {
    // Two parameters that reach the loss with a zero gradient: only weight decay can move them.
    class WithIdle extends Mlp {
      constructor() {
        super({ dropout: 0 });
        this.registerParameter('idleA', tensor([1, -2, 3]));
        this.registerParameter('idleB', tensor([1, -2, 3]));
      }
      override forward(x: TensorType): TensorType {
        const idle = this.getParameter('idleA')!.sum().add(this.getParameter('idleB')!.sum()).mul(0);
        return super.forward(x).add(idle);
      }
    }
    const model = new WithIdle();
    trainNodeClassifier(model, blobs(0), { epochs: 3, weightDecay: 0.1, weightDecayFilter: (name) => name === 'idleA' });
    expect(Array.from(model.getParameter('idleB')!.data)).toEqual([1, -2, 3]);
    const decayed = Array.from(model.getParameter('idleA')!.data);
    // Adam moves each decayed element against its sign by about lr per step.
    expect(decayed[0]).toBeLessThan(1);
    expect(decayed[1]).toBeGreaterThan(-2);
    expect(decayed[2]).toBeLessThan(3);
    const all = new WithIdle();
    trainNodeClassifier(all, blobs(0), { epochs: 3, weightDecay: 0.1 });
    expect(Array.from(all.getParameter('idleB')!.data)).toEqual(decayed);
  });

  it('leaves the model in training mode', () => {
    const model = new Mlp();
    model.eval();
    trainNodeClassifier(model, blobs(0), { epochs: 2 });
    expect(model.training).toBe(true);
  });

  it('rejects bad options and data with typed errors', () => {
    const data = blobs(0);
    const model = new Mlp();
    expect(() => trainNodeClassifier(model, data, { epochs: 0 })).toThrow(ValueError);
    expect(() => trainNodeClassifier(model, data, { lr: -1 })).toThrow(ValueError);
    expect(() => trainNodeClassifier(model, data, { patience: 0 })).toThrow(ValueError);
    expect(() => trainNodeClassifier(model, data, { criterion: 'f1' as never })).toThrow(ValueError);
    expect(() => trainNodeClassifier(model, { ...data, trainIndex: tensor([0.5]) })).toThrow(DTypeError);
    expect(() => trainNodeClassifier(model, { ...data, trainIndex: tensor([500], { dtype: 'int32' }) })).toThrow(IndexError);
    expect(() => trainNodeClassifier(model, { ...data, trainIndex: tensor([], { dtype: 'int32' }) })).toThrow(ValueError);
    const unlabelled = new Int32Array(data.y.data as Int32Array);
    unlabelled[0] = -1;
    expect(() => trainNodeClassifier(model, { ...data, y: new Tensor(unlabelled, [120], 'int32') })).toThrow(IndexError);
    expect(() => trainNodeClassifier(model, { ...data, y: tensor([1, 0], { dtype: 'int32' }) })).toThrow(ShapeError);
    expect(() => trainNodeClassifier(model, { ...data, edgeIndex: tensor([[0, 1]], { dtype: 'int32' }) })).toThrow(ShapeError);
  });

  it('rejects a model whose output is not one row of logits per node', () => {
    class Wrong extends nn.Module<[TensorType, TensorType], TensorType> {
      readonly lin = this.registerModule('lin', new nn.Linear({ inFeatures: 4, outFeatures: 2 }));
      forward(x: TensorType): TensorType {
        return this.lin.call(x).sum(0, { keepdim: true });
      }
    }
    expect(() => trainNodeClassifier(new Wrong(), blobs(0), { epochs: 1 })).toThrow(ShapeError);
  });
});

describe('evaluate', () => {
  it('reports loss and accuracy per split from one eval-mode pass, restoring the mode', () => {
    const data = blobs(0, { noise: 0.5 });
    manualSeed(1);
    const model = new Mlp();
    trainNodeClassifier(model, data, { epochs: 40, lr: 0.02 });
    const a = evaluate(model, data);
    const b = evaluate(model, data);
    expect(a).toEqual(b); // dropout is off in evaluation
    expect(model.training).toBe(true);
    for (const split of [a.train, a.val, a.test]) {
      expect(split.accuracy).toBeGreaterThan(0.8);
      expect(split.loss).toBeGreaterThan(0);
    }
  });

  it('gives NaN for an empty split', () => {
    const data = blobs(0);
    const result = evaluate(new Mlp(), { ...data, testIndex: tensor([], { dtype: 'int32' }) });
    expect(result.test.accuracy).toBeNaN();
    expect(result.test.loss).toBeNaN();
  });
});
