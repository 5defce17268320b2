/**
 * The course's training loop for the toy sequence tasks: Adam, max-norm gradient clipping, fresh
 * batches every step, accuracy on fresh batches every few steps.
 */
import {
  Generator,
  NonFiniteGuard,
  ValueError,
  argmax,
  crossEntropy,
  defaultGenerator,
  eq,
  noGrad,
  optim,
  type NonFiniteEvent,
  type NonFinitePolicy,
  type Tensor,
  type nn,
} from '@tensorloom/core-tensor';
import type { SequenceTask } from './tasks/sequence-task.js';

export interface TrainSequenceOptions {
  /** The task that draws the batches. */
  task: SequenceTask;
  /** A model from int32 `[B, T]` symbols to `[B, numClasses]` logits (a `SequenceClassifier`). */
  model: nn.Module<[Tensor], Tensor>;
  /** Parameter updates. Default 2000. */
  steps?: number;
  /** Examples per update. Default 128. */
  batchSize?: number;
  /** Adam learning rate. Default 1e-3. */
  lr?: number;
  /** Max-norm gradient clipping (total 2-norm); `Infinity` disables it. Default 10 (the course's). */
  maxNorm?: number;
  /** Evaluate on a fresh batch every this many steps (and at step 0). Default 100. */
  evalEvery?: number;
  /** Examples of each periodic evaluation. Default 512. */
  evalBatchSize?: number;
  /** Examples of the final evaluation, run in chunks of `evalBatchSize`. Default 2048. */
  finalEvalSize?: number;
  /** Stop once periodic evaluations reach this accuracy (in [0, 1]). Default: never stop early. */
  stopAtAccuracy?: number;
  /** How many consecutive periodic evaluations must reach `stopAtAccuracy`. Default 1. */
  stopPatience?: number;
  /** Generator of the training batches. Default: the global one. */
  generator?: Generator;
  /** Generator of the evaluation batches. Default: one seeded from `generator`'s next draw. */
  evalGenerator?: Generator;
  /** Called after every update, with `evalAccuracy` on the steps that evaluated. */
  onProgress?: (progress: TrainSequenceProgress) => void;
  /**
   * What a NaN or an infinity in the loss, a gradient or (after the update) a weight does: `'stop'`
   * throws `NonFiniteError` naming the step and the parameter; `'skip'` skips the update; `'halve-lr'`
   * skips it and halves the learning rate, stopping after 20 halvings in a row (`NonFiniteGuard`).
   * Default 'stop'.
   */
  onNonFinite?: NonFinitePolicy;
  /** Each skipped update (`onNonFinite` 'skip' or 'halve-lr'), with its one-line `message`. */
  onWarning?: (event: NonFiniteEvent) => void;
}

export interface TrainSequenceProgress {
  /** Updates done so far (1..steps). */
  step: number;
  /** The planned number of updates. */
  steps: number;
  /** This update's training loss (mean cross-entropy of the batch). */
  loss: number;
  /** This update's training-batch accuracy (before the update). */
  trainAccuracy: number;
  /** Set on evaluation steps: accuracy on a fresh batch. */
  evalAccuracy?: number;
  /** Set when this update was skipped (`onNonFinite` 'skip' or 'halve-lr'). */
  nonFinite?: NonFiniteEvent;
}

/** One point of the accuracy curve. */
export interface SequenceCurvePoint {
  /** Updates done when it was measured (0 = before training). */
  step: number;
  /** Mean training loss over the updates taken since the previous point (at step 0: the loss of a fresh batch). */
  loss: number;
  /** Mean training-batch accuracy over the updates since the previous point (at step 0: as `evalAccuracy`). */
  trainAccuracy: number;
  /** Accuracy on a fresh batch of `evalBatchSize` examples. */
  evalAccuracy: number;
}

export interface TrainSequenceResult {
  /** Evaluation points at step 0, every `evalEvery` steps and at the last step. */
  curve: SequenceCurvePoint[];
  /** Accuracy of the trained model on `finalEvalSize` fresh examples. */
  accuracy: number;
  /** Mean cross-entropy on those examples. */
  loss: number;
  /** Updates done (fewer than planned when stopped early), skipped ones included. */
  steps: number;
  /** Updates skipped because the loss, a gradient or the update was not finite (`onNonFinite`). */
  skippedSteps: number;
  /** Halvings of the learning rate (`onNonFinite: 'halve-lr'`). */
  lrHalvings: number;
  /** Whether `stopAtAccuracy` ended training. */
  stoppedEarly: boolean;
  /** Wall-clock seconds of training and evaluation. */
  seconds: number;
}

/** `trainSequenceTask`'s defaults for clipping and evaluation (the course's max-norm 10). */
export const DEFAULT_SEQUENCE_TRAINING = Object.freeze({ maxNorm: 10, evalEvery: 100, evalBatchSize: 512, finalEvalSize: 2048 });

/**
 * Trains `model` on fresh batches of `task` with Adam and max-norm clipping, as the course does:
 * each step draws `batchSize` examples, minimises the mean cross-entropy of the logits, clips the
 * gradients' total 2-norm to `maxNorm` (`optim.clipGradNorm`) and takes an Adam step.
 *
 * - Options (defaults): `steps` 2000, `batchSize` 128, `lr` 1e-3, `maxNorm` 10, `evalEvery` 100,
 *   `evalBatchSize` 512, `finalEvalSize` 2048, `stopAtAccuracy` none, `stopPatience` 1, `generator`
 *   the global one,
 *   `evalGenerator` seeded from `generator`, `onProgress`, `onNonFinite` 'stop' (or 'skip',
 *   'halve-lr': what a NaN or an infinity in the loss, a gradient or the weights does), `onWarning`.
 * - Evaluations run in `eval()` mode without gradients, on batches from `evalGenerator`, so the
 *   training stream does not depend on how often one evaluates. The model is left in `train()` mode.
 * - Returns the curve, the final accuracy and loss on `finalEvalSize` fresh examples, the steps
 *   done and the wall time.
 *
 * @example
 * const task = randomCombinationTask({ length: 4 });
 * const generator = new Generator(0);
 * const model = new SequenceClassifier({
 *   numInputSymbols: task.numInputSymbols,
 *   numClasses: task.numClasses,
 *   embeddingDim: 8,
 *   recurrent: ({ inputSize }) => new GRU({ inputSize, hiddenSize: 32, batchFirst: true, init: 'kaimingNormal', generator }),
 *   generator,
 * });
 * const { accuracy, curve } = trainSequenceTask({ task, model, steps: 300, lr: 1e-2, generator });
 */
export function trainSequenceTask(options: TrainSequenceOptions): TrainSequenceResult {
  const {
    task,
    model,
    steps = 2000,
    batchSize = 128,
    lr = 1e-3,
    maxNorm = DEFAULT_SEQUENCE_TRAINING.maxNorm,
    evalEvery = DEFAULT_SEQUENCE_TRAINING.evalEvery,
    evalBatchSize = DEFAULT_SEQUENCE_TRAINING.evalBatchSize,
    finalEvalSize = DEFAULT_SEQUENCE_TRAINING.finalEvalSize,
    stopAtAccuracy,
    stopPatience = 1,
    generator = defaultGenerator,
    onProgress,
    onWarning,
  } = options;
  for (const [name, value, min] of [
    ['steps', steps, 0],
    ['batchSize', batchSize, 1],
    ['evalEvery', evalEvery, 1],
    ['evalBatchSize', evalBatchSize, 1],
    ['finalEvalSize', finalEvalSize, 1],
    ['stopPatience', stopPatience, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min)
      throw new ValueError(`trainSequenceTask: ${name} must be an integer ≥ ${min}, got ${value}`);
  }
  if (!(lr > 0)) throw new ValueError(`trainSequenceTask: lr must be positive, got ${lr}`);
  if (!(maxNorm > 0)) throw new ValueError(`trainSequenceTask: maxNorm must be positive (Infinity disables clipping), got ${maxNorm}`);
  if (stopAtAccuracy !== undefined && !(stopAtAccuracy >= 0 && stopAtAccuracy <= 1)) {
    throw new ValueError(`trainSequenceTask: stopAtAccuracy must be in [0, 1], got ${stopAtAccuracy}`);
  }
  const evalGenerator = options.evalGenerator ?? new Generator(generator.nextUint32());
  const parameters = model.parameters();
  const optimizer = new optim.Adam(parameters, { lr });
  const guard = new NonFiniteGuard({
    namedParameters: model.namedParameters(),
    optimizer,
    policy: options.onNonFinite ?? 'stop',
    op: 'trainSequenceTask',
  });
  const started = performance.now();

  const evaluate = (size: number): { accuracy: number; loss: number } => {
    model.eval();
    let correct = 0;
    let lossSum = 0;
    noGrad(() => {
      for (let done = 0; done < size; done += evalBatchSize) {
        const n = Math.min(evalBatchSize, size - done);
        const { inputs, targets } = task.sample(n, evalGenerator);
        const logits = model.call(inputs);
        correct += countCorrect(logits, targets);
        lossSum += crossEntropy(logits, targets).item() * n;
      }
    });
    model.train();
    return { accuracy: correct / size, loss: lossSum / size };
  };

  const initial = evaluate(evalBatchSize);
  const curve: SequenceCurvePoint[] = [{ step: 0, loss: initial.loss, trainAccuracy: initial.accuracy, evalAccuracy: initial.accuracy }];
  let intervalLoss = 0;
  let intervalAccuracy = 0;
  let intervalSteps = 0;
  let step = 0;
  // Consecutive evaluations (the one at step 0 included) that reached stopAtAccuracy.
  let streak = stopAtAccuracy !== undefined && initial.accuracy >= stopAtAccuracy ? 1 : 0;
  let stoppedEarly = streak >= stopPatience;
  model.train();
  while (step < steps && !stoppedEarly) {
    step++;
    const { inputs, targets } = task.sample(batchSize, generator);
    optimizer.zeroGrad();
    const logits = model.call(inputs);
    const loss = crossEntropy(logits, targets);
    loss.backward();
    const lossValue = loss.item();
    const nonFinite = guard.update(step, lossValue, () => {
      if (maxNorm !== Infinity) optim.clipGradNorm(parameters, maxNorm);
      optimizer.step();
    });
    const trainAccuracy = countCorrect(logits, targets) / batchSize;
    if (nonFinite === undefined) {
      intervalLoss += lossValue;
      intervalAccuracy += trainAccuracy;
      intervalSteps++;
    } else {
      onWarning?.(nonFinite);
    }
    let evalAccuracy: number | undefined;
    if (step % evalEvery === 0 || step === steps) {
      evalAccuracy = evaluate(evalBatchSize).accuracy;
      curve.push({ step, loss: intervalLoss / intervalSteps, trainAccuracy: intervalAccuracy / intervalSteps, evalAccuracy });
      intervalLoss = intervalAccuracy = intervalSteps = 0;
      streak = stopAtAccuracy !== undefined && evalAccuracy >= stopAtAccuracy ? streak + 1 : 0;
      if (streak >= stopPatience) stoppedEarly = true;
    }
    onProgress?.({
      step,
      steps,
      loss: lossValue,
      trainAccuracy,
      ...(evalAccuracy === undefined ? {} : { evalAccuracy }),
      ...(nonFinite === undefined ? {} : { nonFinite }),
    });
  }
  const final = evaluate(finalEvalSize);
  const { skippedSteps, lrHalvings } = guard;
  const seconds = (performance.now() - started) / 1000;
  return { curve, accuracy: final.accuracy, loss: final.loss, steps: step, skippedSteps, lrHalvings, stoppedEarly, seconds };
}

function countCorrect(logits: Tensor, targets: Tensor): number {
  return noGrad(() => eq(argmax(logits.detach(), 1), targets).sum().item());
}
