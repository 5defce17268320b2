/**
 * Training the character-level model as the course does: random windows, teacher forcing, mean
 * cross-entropy over all steps, Adam, max-norm clipping and an optional step decay of the learning
 * rate; with validation, samples and checkpoints along the way, and exact resumption.
 */
import { Generator, NonFiniteGuard, ValueError, optim } from '@tensorloom/core-tensor';
import type { LoadedCheckpoint } from './checkpoint.js';
import { DEFAULT_KEEP_CHECKPOINTS, saveRunCheckpoint } from './run-folder.js';
import type { TextDataset } from './dataset.js';
import { DEFAULT_EVAL_BATCH_SIZE, evaluate, windowLoss, type EvaluationResult } from './evaluate.js';
import type { TextGenerationModel } from './model.js';
import { generate, type GenerateResult } from './sampling/generate.js';
import type { CharTokenizer } from './tokenizer.js';
import type {
  StepBounds,
  StopReason,
  TrainRunOptions,
  TrainRunResult,
  TrainStepResult,
  TrainerOptions,
  TrainerSettings,
  TrainerState,
  TrainingHistory,
  TrainingSampleOptions,
  ValidationPoint,
} from './trainer-types.js';

/** The trainer's settings when its options leave them out: the course's (no learning-rate decay). */
export const DEFAULT_TRAINER_SETTINGS: Readonly<TrainerSettings> = Object.freeze({
  batchSize: 64,
  lr: 2e-3,
  maxNorm: 5,
  lrDecay: null,
  seed: 0,
  evalBatchSize: DEFAULT_EVAL_BATCH_SIZE,
  evalMaxBatches: null,
});

/** `Trainer.run`'s intervals when left out: validation with validation data, checkpoints with `checkpointDir`. */
export const DEFAULT_RUN_INTERVALS = Object.freeze({ evalEvery: 1000, checkpointEvery: 1000 });

/** The course's samples during training: 5 sentences of 30 characters after a random first one. */
export const DEFAULT_TRAINING_SAMPLES = Object.freeze({ count: 5, length: 30 });

/** How often a long run lets other tasks (timers, signals, I/O) run, in ms. */
const YIELD_INTERVAL_MS = 50;

/**
 * Trains a `TextGenerationModel` on random windows of a text, as the course does, and can stop and
 * resume bit for bit.
 *
 * Each step (`trainStep()`): draw `batchSize` window offsets from the data generator (seeded by
 * `seed`), run the windows from the zero state with teacher forcing, take the mean cross-entropy
 * over all B·T predictions (core-tensor's fused cross-entropy on `[T·B, V]`), back-propagate,
 * clip the global gradient norm to `maxNorm`, step Adam, then the lr schedule.
 *
 * - Options (defaults): `model`, `tokenizer`, `train`, `validation` (none), `batchSize` 64,
 *   `lr` 2e-3, `maxNorm` 5, `lrDecay` none (`COURSE_LR_DECAY` = ×0.96 every 5000 steps),
 *   `seed` 0, `evalBatchSize` 128, `evalMaxBatches` all, `onNonFinite` 'stop' (or 'skip',
 *   'halve-lr': what a NaN or an infinity in the loss, a gradient or the weights does).
 * - `run({ steps | epochs | maxSeconds | signal, … })` loops with callbacks for progress (loss,
 *   accuracy, bits/char, lr, chars/s, ETA), validation, samples and checkpoints; bounds are
 *   absolute for steps and epochs (a resumed run continues to the same target) and per run for time.
 * - `evaluate(data?)`: loss, accuracy, bits/char on the validation text (or any text or dataset).
 * - `stateDict()` / `loadStateDict()`: optimizer, lr schedule, the three generators (data order,
 *   samples, the model's dropout), the step and the history. `saveCheckpoint(dir, { model,
 *   tokenizer, trainer })` writes them with the weights; `Trainer.fromCheckpoint(loaded, { train })`
 *   continues the run: the same losses, to the last bit, as without the interruption.
 *
 * @example
 * const { tokenizer, train, validation } = prepareCorpus(await loadMobyDick()); // @tensorloom/datasets
 * const model = new TextGenerationModel({ vocabSize: tokenizer.vocabSize, generator: new Generator(0) });
 * const trainer = new Trainer({ model, tokenizer, train, validation, lrDecay: COURSE_LR_DECAY });
 * await trainer.run({ steps: 20000, evalEvery: 1000, checkpointDir: 'runs/moby', onProgress: (p) => console.log(p.step, p.loss) });
 */
export class Trainer {
  readonly model: TextGenerationModel;
  readonly tokenizer: CharTokenizer;
  readonly train: TextDataset;
  readonly validation: TextDataset | undefined;
  readonly settings: Readonly<TrainerSettings>;
  readonly optimizer: optim.Adam;
  readonly scheduler: optim.StepLR | undefined;
  /** Draws the window offsets. */
  dataGenerator: Generator;
  /** Draws the samples taken during training. */
  readonly sampleGenerator: Generator;
  /** Steps taken (resumed ones included). */
  step = 0;
  readonly history: TrainingHistory = { train: [], validation: [] };
  /** Checks every step for NaN and infinities (`onNonFinite`); counts the skipped updates and halvings. */
  readonly nonFiniteGuard: NonFiniteGuard;

  constructor(options: TrainerOptions) {
    const { model, tokenizer, train, validation } = options;
    const d = DEFAULT_TRAINER_SETTINGS;
    const settings: TrainerSettings = {
      batchSize: options.batchSize ?? d.batchSize,
      lr: options.lr ?? d.lr,
      maxNorm:
        options.maxNorm === undefined ? d.maxNorm : options.maxNorm === null || options.maxNorm === Infinity ? null : options.maxNorm,
      lrDecay: options.lrDecay ?? d.lrDecay,
      seed: options.seed ?? d.seed,
      evalBatchSize: options.evalBatchSize ?? d.evalBatchSize,
      evalMaxBatches: options.evalMaxBatches ?? d.evalMaxBatches,
    };
    checkSettings(settings);
    if (model.vocabSize !== tokenizer.vocabSize) {
      throw new ValueError(`Trainer: the model predicts ${model.vocabSize} ids but the tokenizer has ${tokenizer.vocabSize}`);
    }
    if (train.numWindows === 0)
      throw new ValueError(`Trainer: the training text has ${train.length} characters, fewer than seqLength + 1 = ${train.seqLength + 1}`);
    if (validation !== undefined && validation.seqLength !== train.seqLength) {
      throw new ValueError(`Trainer: the validation windows have T = ${validation.seqLength}, the training ones ${train.seqLength}`);
    }
    this.model = model;
    this.tokenizer = tokenizer;
    this.train = train;
    this.validation = validation;
    this.settings = Object.freeze({ ...settings, lrDecay: settings.lrDecay === null ? null : { ...settings.lrDecay } });
    this.optimizer = new optim.Adam(model.parameters(), { lr: settings.lr });
    this.scheduler =
      settings.lrDecay === null
        ? undefined
        : new optim.StepLR(this.optimizer, { stepSize: settings.lrDecay.every, gamma: settings.lrDecay.gamma });
    this.dataGenerator = new Generator(settings.seed);
    // A stream of its own, so taking samples never shifts the data order.
    this.sampleGenerator = new Generator(settings.seed + 0x5eed);
    this.nonFiniteGuard = new NonFiniteGuard({
      namedParameters: model.namedParameters(),
      optimizer: this.optimizer,
      ...(this.scheduler ? { scheduler: this.scheduler } : {}),
      policy: options.onNonFinite ?? 'stop',
      op: 'Trainer',
    });
  }

  /**
   * A trainer that continues a checkpoint's run: the saved settings, then the saved state
   * (optimizer, schedule, generators, step, history). The datasets must be the same texts, rebuilt
   * with the checkpoint's tokenizer and T. `options` may override settings; the learning rate and
   * Adam's other hyper-parameters come back from the optimizer state (as PyTorch's
   * `load_state_dict`), and a different `lrDecay` presence is a ValueError.
   *
   * @example
   * const checkpoint = await loadCheckpoint('runs/moby');
   * const { train, validation } = prepareCorpus(text, { tokenizer: checkpoint.tokenizer, seqLength: checkpoint.config.seqLength ?? 30 });
   * await Trainer.fromCheckpoint(checkpoint, { train, validation }).run({ steps: 20000 });
   */
  static fromCheckpoint(checkpoint: LoadedCheckpoint, options: Omit<TrainerOptions, 'model' | 'tokenizer'>): Trainer {
    const state = checkpoint.trainerState;
    if (state === undefined)
      throw new ValueError(`Trainer.fromCheckpoint: the checkpoint at ${checkpoint.dir} holds no trainer state (saved without a trainer)`);
    const trainer = new Trainer({
      ...state.settings,
      ...stripUndefined(options),
      train: options.train,
      model: checkpoint.model,
      tokenizer: checkpoint.tokenizer,
    });
    trainer.loadStateDict(state);
    return trainer;
  }

  /** Passes over the training text so far (step·B·T / N_train). */
  get epoch(): number {
    return (this.step * this.settings.batchSize * this.train.seqLength) / this.train.length;
  }

  /** The learning rate of the next step. */
  get lr(): number {
    return this.optimizer.paramGroups[0]!.lr;
  }

  /**
   * One training step (see the class description). The model is left in training mode. A NaN or an
   * infinity in the loss, a gradient or the updated weights throws `NonFiniteError` (`onNonFinite`
   * 'stop'), or skips the update (`nonFinite` in the result; the step still counts).
   */
  trainStep(): TrainStepResult {
    const { model, optimizer, settings } = this;
    model.train();
    const batch = this.train.randomBatch(settings.batchSize, this.dataGenerator);
    const lr = this.lr;
    optimizer.zeroGrad();
    const { loss, correct, count } = windowLoss(model, batch.inputs, batch.targets, 'mean');
    loss.backward();
    const lossValue = loss.item();
    let gradNorm = NaN;
    const nonFinite = this.nonFiniteGuard.update(this.step + 1, lossValue, () => {
      gradNorm = optim.clipGradNorm(model.parameters(), settings.maxNorm ?? Infinity);
      optimizer.step();
    });
    this.scheduler?.step();
    this.step++;
    const accuracy = correct / count;
    if (nonFinite === undefined) this.history.train.push({ step: this.step, loss: lossValue, accuracy });
    return { step: this.step, loss: lossValue, accuracy, bitsPerChar: lossValue / Math.LN2, gradNorm, lr, nonFinite };
  }

  /**
   * Loss, accuracy and bits/char of the model (see `evaluate`) on `data`, by default the
   * validation text limited to `evalMaxBatches` batches.
   */
  evaluate(data?: TextDataset | string): EvaluationResult {
    const target = data ?? this.validation;
    if (target === undefined) throw new ValueError('Trainer.evaluate: there is no validation data; pass a dataset or text');
    const { evalBatchSize, evalMaxBatches } = this.settings;
    return evaluate(this.model, target, {
      // Under 'skip' and 'halve-lr' a diverged model's NaN figures are reported, not refused.
      allowNonFinite: this.nonFiniteGuard.policy !== 'stop',
      batchSize: evalBatchSize,
      tokenizer: this.tokenizer,
      seqLength: this.train.seqLength,
      ...(data === undefined && evalMaxBatches !== null ? { maxBatches: evalMaxBatches } : {}),
    });
  }

  /** Samples as the course takes them: `count` sentences from random first characters (or prompts). */
  sample(options: TrainingSampleOptions = {}): GenerateResult[] {
    const {
      count = DEFAULT_TRAINING_SAMPLES.count,
      length = DEFAULT_TRAINING_SAMPLES.length,
      sampling = { strategy: 'greedy' },
      prompts,
    } = options;
    const starts = prompts ?? Array.from({ length: count }, () => undefined);
    return starts.map((prompt) =>
      generate(this.model, this.tokenizer, {
        length,
        sampling,
        generator: this.sampleGenerator,
        allowNonFinite: this.nonFiniteGuard.policy !== 'stop',
        ...(prompt === undefined ? {} : { prompt }),
      }),
    );
  }

  /**
   * Trains until a bound is reached: `steps` or `epochs` (absolute: a resumed trainer continues
   * to the same target), `maxSeconds` for this run, or `signal` aborted. At least one is needed.
   * Validates every `evalEvery` steps and at the end, samples every `sampleEvery` steps and at
   * `sampleAt`, checkpoints to `checkpointDir` every `checkpointEvery` steps and at the end, and
   * reports each through its callback (awaited). A `NonFiniteError` (`onNonFinite` 'stop') ends the
   * run at once: no checkpoint is written after it, so the last good one stays `latest`.
   */
  async run(options: TrainRunOptions): Promise<TrainRunResult> {
    const {
      steps,
      epochs,
      maxSeconds,
      signal,
      finalEvaluation = true,
      sampleEvery = 0,
      sampleAt = [],
      progressEvery = 1,
      checkpointDir,
    } = options;
    const evalEvery = options.evalEvery ?? (this.validation === undefined ? 0 : DEFAULT_RUN_INTERVALS.evalEvery);
    const checkpointEvery = options.checkpointEvery ?? (checkpointDir === undefined ? 0 : DEFAULT_RUN_INTERVALS.checkpointEvery);
    const { keepCheckpoints = DEFAULT_KEEP_CHECKPOINTS } = options;
    if (steps === undefined && epochs === undefined && maxSeconds === undefined && signal === undefined) {
      throw new ValueError('Trainer.run: give a bound: steps, epochs, maxSeconds or signal');
    }
    for (const [name, value] of [
      ['steps', steps],
      ['epochs', epochs],
      ['maxSeconds', maxSeconds],
    ] as const) {
      if (value !== undefined && !(value >= 0)) throw new ValueError(`Trainer.run: ${name} must be ≥ 0, got ${value}`);
    }
    for (const [name, value] of [
      ['evalEvery', evalEvery],
      ['sampleEvery', sampleEvery],
      ['checkpointEvery', checkpointEvery],
      ['keepCheckpoints', keepCheckpoints],
      ['progressEvery', progressEvery],
    ] as const) {
      if (!Number.isInteger(value) || value < 0) throw new ValueError(`Trainer.run: ${name} must be an integer ≥ 0, got ${value}`);
    }
    if (evalEvery > 0 && this.validation === undefined) throw new ValueError('Trainer.run: evalEvery needs validation data');

    const charsPerStep = this.charsPerStep;
    const epochTarget = this.targetStep({ ...(epochs === undefined ? {} : { epochs }) });
    const stepTarget = this.targetStep(options);
    const sampleSteps = new Set(sampleAt);
    const startStep = this.step;
    const { skippedSteps: startSkipped, lrHalvings: startHalvings } = this.nonFiniteGuard;
    const started = performance.now();
    let lastYield = started;
    const elapsed = (): number => (performance.now() - started) / 1000;
    const recentLosses: number[] = [];
    let stoppedBy: StopReason | undefined;
    let checkpointed = -1;
    // Speed counts training steps only; the ETA uses the wall clock (evaluations, samples included).
    let trainSeconds = 0;

    for (;;) {
      if (steps !== undefined && this.step >= steps) stoppedBy = 'steps';
      else if (epochTarget !== undefined && this.step >= epochTarget) stoppedBy = 'epochs';
      else if (maxSeconds !== undefined && elapsed() >= maxSeconds) stoppedBy = 'time';
      else if (signal?.aborted) stoppedBy = 'aborted';
      if (stoppedBy !== undefined) break;

      const stepStart = performance.now();
      const result = this.trainStep();
      trainSeconds += (performance.now() - stepStart) / 1000;
      if (result.nonFinite === undefined) recentLosses.push(result.loss);
      else await options.onWarning?.(result.nonFinite);
      if (recentLosses.length > 100) recentLosses.shift();
      const seconds = elapsed();
      const done = this.step - startStep;
      const stepsPerSecond = done / trainSeconds;
      const last = stepTarget !== undefined && this.step >= stepTarget;
      if (options.onProgress && progressEvery > 0 && (done % progressEvery === 0 || last)) {
        const etaSteps = stepTarget === undefined ? undefined : ((stepTarget - this.step) * seconds) / done;
        const etaTime = maxSeconds === undefined ? undefined : Math.max(0, maxSeconds - seconds);
        await options.onProgress({
          ...result,
          epoch: this.epoch,
          totalSteps: stepTarget,
          charsPerSecond: stepsPerSecond * charsPerStep,
          stepsPerSecond,
          elapsedSeconds: seconds,
          etaSeconds: minDefined(etaSteps, etaTime),
        });
      }
      if (evalEvery > 0 && this.step % evalEvery === 0) await this.validate(options);
      if ((sampleEvery > 0 && this.step % sampleEvery === 0) || sampleSteps.has(this.step)) {
        await options.onSamples?.({ step: this.step, samples: this.sample(options.samples) });
      }
      if (checkpointEvery > 0 && this.step % checkpointEvery === 0) {
        await this.checkpoint(options);
        checkpointed = this.step;
      }
      if (performance.now() - lastYield >= YIELD_INTERVAL_MS) {
        // Let timers, signal handlers and I/O run (a step is synchronous work).
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
    }

    let validation: ValidationPoint | undefined;
    if (this.validation !== undefined && finalEvaluation) {
      const previous = this.history.validation.at(-1);
      validation = previous?.step === this.step ? previous : await this.validate(options);
    }
    if ((checkpointDir !== undefined || checkpointEvery > 0) && checkpointed !== this.step) await this.checkpoint(options);
    const seconds = elapsed();
    const stepsRun = this.step - startStep;
    return {
      stoppedBy,
      stepsRun,
      step: this.step,
      epoch: this.epoch,
      seconds,
      charsPerSecond: trainSeconds > 0 ? (stepsRun * charsPerStep) / trainSeconds : 0,
      trainLoss: recentLosses.length === 0 ? NaN : recentLosses.reduce((a, b) => a + b, 0) / recentLosses.length,
      skippedSteps: this.nonFiniteGuard.skippedSteps - startSkipped,
      lrHalvings: this.nonFiniteGuard.lrHalvings - startHalvings,
      validation,
    };
  }

  /** Characters per training step: batch size × window length (B·T). */
  get charsPerStep(): number {
    return this.settings.batchSize * this.train.seqLength;
  }

  /**
   * The step a run with these bounds stops at (the nearer of `steps` and the step that completes
   * `epochs` passes over the training text), or undefined without either.
   * @example trainer.targetStep({ epochs: 2 }) // ⌈2 · N_train / (B·T)⌉
   */
  targetStep(bounds: StepBounds): number | undefined {
    const { steps, epochs } = bounds;
    const epochTarget = epochs === undefined ? undefined : Math.ceil((epochs * this.train.length) / this.charsPerStep);
    return minDefined(steps, epochTarget);
  }

  /** The state to resume from (see `TrainerState`); a snapshot: later steps do not change it. */
  stateDict(): TrainerState {
    return {
      format: 'tensorloom.textgen-trainer',
      version: 1,
      step: this.step,
      settings: { ...this.settings, lrDecay: this.settings.lrDecay === null ? null : { ...this.settings.lrDecay } },
      optimizer: this.optimizer.stateDict(),
      scheduler: this.scheduler?.stateDict() ?? null,
      generators: {
        data: this.dataGenerator.getState(),
        sample: this.sampleGenerator.getState(),
        model: this.model.generator.getState(),
        dataIsModel: this.dataGenerator === this.model.generator,
      },
      history: { train: this.history.train.map((e) => ({ ...e })), validation: this.history.validation.map((e) => ({ ...e })) },
    };
  }

  /** Restores `stateDict()` output (ValueError on a foreign or inconsistent state). */
  loadStateDict(state: TrainerState): void {
    if (state?.format !== 'tensorloom.textgen-trainer' || state.version !== 1) {
      throw new ValueError(
        `Trainer.loadStateDict: expected a 'tensorloom.textgen-trainer' state ` +
          `of version 1, got ${String(state?.format)} ${String(state?.version)}`,
      );
    }
    if (!Number.isInteger(state.step) || state.step < 0)
      throw new ValueError(`Trainer.loadStateDict: step must be an integer ≥ 0, got ${state.step}`);
    if ((state.scheduler === null) !== (this.scheduler === undefined)) {
      throw new ValueError(
        `Trainer.loadStateDict: the state ${state.scheduler === null ? 'has no' : 'has an'} ` +
          `lr schedule, this trainer ${this.scheduler === undefined ? 'has none' : 'has one'}`,
      );
    }
    this.optimizer.loadStateDict(state.optimizer);
    if (state.scheduler !== null) this.scheduler!.loadStateDict(state.scheduler);
    this.model.generator.setState(state.generators.model);
    if (state.generators.dataIsModel) this.dataGenerator = this.model.generator;
    else this.dataGenerator.setState(state.generators.data);
    this.sampleGenerator.setState(state.generators.sample);
    this.step = state.step;
    const history = state.history ?? { train: [], validation: [] };
    this.history.train.splice(0, this.history.train.length, ...history.train.map((e) => ({ ...e })));
    this.history.validation.splice(0, this.history.validation.length, ...history.validation.map((e) => ({ ...e })));
  }

  private async validate(options: TrainRunOptions): Promise<ValidationPoint> {
    const point: ValidationPoint = { step: this.step, epoch: this.epoch, ...this.evaluate() };
    this.history.validation.push(point);
    await options.onEvaluation?.(point);
    return point;
  }

  private async checkpoint(options: TrainRunOptions): Promise<void> {
    let dir: string | undefined;
    if (options.checkpointDir !== undefined) {
      const checkpoint = {
        model: this.model,
        tokenizer: this.tokenizer,
        trainer: this,
        ...(options.checkpointMetadata ? { metadata: options.checkpointMetadata } : {}),
      };
      dir = (await saveRunCheckpoint(options.checkpointDir, checkpoint, { keep: options.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS }))
        .stepDir;
    }
    await options.onCheckpoint?.({ step: this.step, dir });
  }
}

function checkSettings(s: TrainerSettings): void {
  if (!Number.isInteger(s.batchSize) || s.batchSize < 1)
    throw new ValueError(`Trainer: batchSize must be a positive integer, got ${s.batchSize}`);
  if (!(s.lr > 0) || !Number.isFinite(s.lr)) throw new ValueError(`Trainer: lr must be a positive number, got ${s.lr}`);
  if (s.maxNorm !== null && !(s.maxNorm > 0))
    throw new ValueError(`Trainer: maxNorm must be positive (null or Infinity disables clipping), got ${s.maxNorm}`);
  if (s.lrDecay !== null) {
    const { gamma, every } = s.lrDecay;
    if (!(gamma > 0) || !Number.isFinite(gamma)) throw new ValueError(`Trainer: lrDecay.gamma must be a positive number, got ${gamma}`);
    if (!Number.isInteger(every) || every < 1) throw new ValueError(`Trainer: lrDecay.every must be a positive integer, got ${every}`);
  }
  if (!Number.isInteger(s.seed)) throw new ValueError(`Trainer: seed must be an integer, got ${s.seed}`);
  if (!Number.isInteger(s.evalBatchSize) || s.evalBatchSize < 1)
    throw new ValueError(`Trainer: evalBatchSize must be a positive integer, got ${s.evalBatchSize}`);
  if (s.evalMaxBatches !== null && (!Number.isInteger(s.evalMaxBatches) || s.evalMaxBatches < 1)) {
    throw new ValueError(`Trainer: evalMaxBatches must be a positive integer or null, got ${s.evalMaxBatches}`);
  }
}

function minDefined(...values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length === 0 ? undefined : Math.min(...defined);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
