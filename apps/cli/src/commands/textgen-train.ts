/**
 * `tensorloom textgen train`: the course's Part 2 experiment. Trains the character-level LSTM on a
 * book (Moby-Dick embedded, or any text file) with periodic validation, checkpoints and the
 * course's samples after ⅓, ⅔ and all of training, then writes the curves as CSV and SVG.
 */
import { appendFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { Generator } from '@tensorloom/core-tensor';
import {
  COURSE_LR_DECAY,
  TextGenerationModel,
  Trainer,
  UnknownCharacterError,
  prepareCorpus,
  saveCheckpoint,
  type Corpus,
  type LoadedCheckpoint,
  type LrDecay,
  type TrainingHistory,
} from '@tensorloom/textgen';
import { UsageError, floatOption, intOption, stringOption, type Command, type CommandContext, type OptionValues } from '../cli.js';
import { stackedChartsSvg } from '../plot-panels.js';
import {
  CORPUS_HELP,
  DEFAULT_CORPUS,
  TrainingProgressLine,
  bookText,
  formatSeconds,
  courseSamples,
  describeBackend,
  describeUnknown,
  encodingOption,
  findCheckpointDir,
  formatCourseSamples,
  grouped,
  loadCheckpointFlag,
  percent,
  readCorpus,
} from './textgen-common.js';

/** The model and training settings of a run (what a resumed run must keep). */
export interface TextgenTrainSettings {
  embedding: number;
  hidden: number;
  layers: number;
  seq: number;
  batch: number;
  lr: number;
  lrDecay: LrDecay | null;
  /** Max-norm clipping, or null for none. */
  clip: number | null;
  dropout: number;
  seed: number;
  valFraction: number;
  lowercase: boolean;
  /** Whether the vocabulary has an `<unk>` entry for characters it lacks. */
  unknownToken: boolean;
}

/** The course's settings (the code skeleton's defaults): the defaults of the flags. */
export const TEXTGEN_TRAIN_DEFAULTS: Readonly<TextgenTrainSettings> = Object.freeze({
  embedding: 64,
  hidden: 128,
  layers: 2,
  seq: 30,
  batch: 64,
  lr: 2e-3,
  lrDecay: { ...COURSE_LR_DECAY },
  clip: 5,
  dropout: 0,
  seed: 0,
  valFraction: 0.1,
  lowercase: false,
  unknownToken: false,
});

/** The training budget when no --steps, --epochs or --max-minutes is given. */
export const DEFAULT_MAX_MINUTES = 15;

/** What `textgen train` keeps in each checkpoint's metadata, to resume and to evaluate later. */
export interface TextgenRunMetadata {
  corpus: string;
  encoding: string;
  validationFraction: number;
  /** Whether the Project Gutenberg header and licence were kept (see `stripGutenberg`). */
  keepGutenberg: boolean;
}

/** Parses `--lr-decay`: `GAMMA@EVERY` (×GAMMA every EVERY steps) or `none`. */
export function parseLrDecay(text: string, flag = 'lr-decay'): LrDecay | null {
  if (text === 'none') return null;
  const match = /^\s*([0-9.eE+-]+)\s*@\s*(\d+)\s*$/.exec(text);
  const gamma = Number(match?.[1]);
  const every = Number(match?.[2]);
  if (!match || !(gamma > 0) || !Number.isFinite(gamma) || !(every >= 1)) {
    throw new UsageError(`--${flag} expects GAMMA@STEPS (for example 0.96@5000: ×0.96 every 5000 steps) or none, got '${text}'`);
  }
  return { gamma, every };
}

const formatDecay = (d: LrDecay | null) => (d === null ? 'none' : `${d.gamma}@${d.every}`);

/** The settings flags that were given (undefined where the flag is absent). */
function givenSettings(values: OptionValues): Partial<TextgenTrainSettings> {
  const given: Partial<TextgenTrainSettings> = {};
  const d = TEXTGEN_TRAIN_DEFAULTS;
  const has = (name: string) => values[name] !== undefined;
  if (has('embedding')) given.embedding = intOption(values, 'embedding', d.embedding, { min: 1 });
  if (has('hidden')) given.hidden = intOption(values, 'hidden', d.hidden, { min: 1 });
  if (has('layers')) given.layers = intOption(values, 'layers', d.layers, { min: 1 });
  if (has('seq')) given.seq = intOption(values, 'seq', d.seq, { min: 1 });
  if (has('batch')) given.batch = intOption(values, 'batch', d.batch, { min: 1 });
  if (has('lr')) given.lr = floatOption(values, 'lr', d.lr, { min: 0, exclusiveMin: true });
  if (has('lr-decay')) given.lrDecay = parseLrDecay(String(values['lr-decay']));
  if (has('clip')) given.clip = values.clip === 'none' ? null : floatOption(values, 'clip', 5, { min: 0, exclusiveMin: true });
  if (has('dropout')) {
    given.dropout = floatOption(values, 'dropout', 0, { min: 0 });
    if (given.dropout >= 1) throw new UsageError(`--dropout must be below 1, got ${given.dropout}`);
  }
  if (has('seed')) given.seed = intOption(values, 'seed', 0, { min: 0 });
  if (has('val-fraction')) {
    given.valFraction = floatOption(values, 'val-fraction', 0.1, { min: 0 });
    if (given.valFraction >= 0.5) throw new UsageError(`--val-fraction must be below 0.5, got ${given.valFraction}`);
  }
  if (values.lowercase === true) given.lowercase = true;
  if (values['unknown-token'] === true) given.unknownToken = true;
  return given;
}

const FLAG_OF: Record<keyof TextgenTrainSettings, string> = {
  embedding: 'embedding',
  hidden: 'hidden',
  layers: 'layers',
  seq: 'seq',
  batch: 'batch',
  lr: 'lr',
  lrDecay: 'lr-decay',
  clip: 'clip',
  dropout: 'dropout',
  seed: 'seed',
  valFraction: 'val-fraction',
  lowercase: 'lowercase',
  unknownToken: 'unknown-token',
};

/** The settings a checkpoint was trained with. */
function checkpointSettings(loaded: LoadedCheckpoint): TextgenTrainSettings {
  const state = loaded.trainerState!;
  const meta = loaded.metadata as Partial<TextgenRunMetadata>;
  return {
    embedding: loaded.config.model.embeddingDim,
    hidden: loaded.config.model.hiddenSize,
    layers: loaded.config.model.numLayers,
    seq: loaded.config.seqLength ?? TEXTGEN_TRAIN_DEFAULTS.seq,
    batch: state.settings.batchSize,
    lr: state.settings.lr,
    lrDecay: state.settings.lrDecay,
    clip: state.settings.maxNorm,
    dropout: loaded.config.model.dropout,
    seed: state.settings.seed,
    valFraction: meta.validationFraction ?? TEXTGEN_TRAIN_DEFAULTS.valFraction,
    lowercase: loaded.tokenizer.lowercase,
    unknownToken: loaded.tokenizer.unknownId !== undefined,
  };
}

/** A resumed run keeps the checkpoint's settings: a flag that asks for another value is a usage error. */
function checkResumeConflicts(given: Partial<TextgenTrainSettings>, saved: TextgenTrainSettings): void {
  for (const key of Object.keys(given) as (keyof TextgenTrainSettings)[]) {
    const want = given[key];
    const have = saved[key];
    const same = key === 'lrDecay' ? formatDecay(want as LrDecay | null) === formatDecay(have as LrDecay | null) : want === have;
    if (!same) {
      const show = (v: unknown) => (key === 'lrDecay' ? formatDecay(v as LrDecay | null) : String(v ?? 'none'));
      throw new UsageError(
        `--${FLAG_OF[key]} ${show(want)} differs from the checkpoint's ${show(have)}: a resumed run keeps the checkpoint's model and training settings`,
      );
    }
  }
}

/** `step-000500`: one directory per checkpoint, sorting by step. */
export const stepDirName = (step: number): string => `step-${String(step).padStart(6, '0')}`;

/** Removes all but the newest `keep` step-directories of a run folder (keep 0: keep all). */
function pruneCheckpoints(out: string, keep: number): void {
  if (keep <= 0) return;
  const steps = readdirSync(out)
    .filter((name) => /^step-\d+$/.test(name))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  for (const name of steps.slice(0, Math.max(0, steps.length - keep))) rmSync(join(out, name), { recursive: true, force: true });
}

/** Mean of `values` over consecutive buckets of `size`, at the bucket's last x. */
function bucketMeans(points: readonly (readonly [number, number])[], size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size);
    out.push([bucket[bucket.length - 1]![0], bucket.reduce((s, p) => s + p[1], 0) / bucket.length]);
  }
  return out;
}

/** The curves as CSV: every training step's batch figures, the validation figures where there was one. */
export function curvesCsv(history: TrainingHistory): string {
  const validation = new Map(history.validation.map((v) => [v.step, v]));
  const steps = [...new Set([...history.train.map((t) => t.step), ...validation.keys()])].sort((a, b) => a - b);
  const train = new Map(history.train.map((t) => [t.step, t]));
  const rows = ['step,train_loss,train_accuracy,train_bits_per_char,val_loss,val_accuracy,val_bits_per_char'];
  for (const step of steps) {
    const t = train.get(step);
    const v = validation.get(step);
    rows.push(
      [step, t?.loss, t?.accuracy, t === undefined ? undefined : t.loss / Math.LN2, v?.loss, v?.accuracy, v?.bitsPerChar]
        .map((x) => (x === undefined ? '' : String(x)))
        .join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}

/** Loss, accuracy and bits/char panels (training smoothed over buckets of steps, validation as measured). */
export function curvesSvg(history: TrainingHistory, title: string): string {
  const size = Math.max(1, Math.ceil(history.train.length / 300));
  const train = (f: (t: TrainingHistory['train'][number]) => number) =>
    bucketMeans(
      history.train.map((t) => [t.step, f(t)] as const),
      size,
    );
  const val = (f: (v: TrainingHistory['validation'][number]) => number) => history.validation.map((v) => [v.step, f(v)] as const);
  const trainName = size > 1 ? `training batches (mean of ${size} steps)` : 'training batches';
  const panel = (yLabel: string, t: [number, number][], v: (readonly [number, number])[]) => ({
    title: `${title}: ${yLabel}`,
    xLabel: 'step',
    yLabel,
    series: [{ name: trainName, points: t }, ...(v.length > 0 ? [{ name: 'validation', points: v }] : [])],
  });
  return stackedChartsSvg({
    charts: [
      panel(
        'loss (nats/char)',
        train((t) => t.loss),
        val((v) => v.loss),
      ),
      panel(
        'accuracy',
        train((t) => t.accuracy),
        val((v) => v.accuracy),
      ),
      panel(
        'bits per character',
        train((t) => t.loss / Math.LN2),
        val((v) => v.bitsPerChar),
      ),
    ],
  });
}

function corpusLabel(corpus: string): string {
  return corpus === DEFAULT_CORPUS ? corpus : basename(corpus, extname(corpus));
}

/** Builds the datasets, turning a character the checkpoint's tokenizer lacks into an error that says what happened. */
function buildCorpus(text: string, corpus: string, options: Parameters<typeof prepareCorpus>[1]): Corpus {
  try {
    return prepareCorpus(text, options);
  } catch (error) {
    if (error instanceof UnknownCharacterError) {
      throw new Error(`${describeUnknown(error, text, `the corpus '${corpus}'`)}; resume with the corpus the checkpoint was trained on`);
    }
    throw error;
  }
}

export const textgenTrainCommand: Command = {
  path: ['textgen', 'train'],
  summary: "Train the character-level LSTM on a book (the course's Part 2), with validation, checkpoints and samples.",
  details: [
    'The model: embedding → stacked LSTM → linear, predicting the next character at every step.',
    'Training as the course: random windows of --seq characters, teacher forcing, mean cross-entropy,',
    'Adam, max-norm clipping, the lr ×GAMMA every N steps. The last --val-fraction of the text validates',
    '(every --eval-every steps and at the end). Without --steps, --epochs or --max-minutes the run',
    `lasts ${DEFAULT_MAX_MINUTES} minutes; --steps and --epochs count resumed steps too. Ctrl-C stops after the`,
    'current step and still writes the checkpoint, curves and samples.',
    '',
    'A Project Gutenberg file is cut to the book: the header before "*** START OF THIS PROJECT GUTENBERG',
    'EBOOK" and the footer from "End of [the] Project Gutenberg" on (the licence) are left out, unless',
    '--keep-gutenberg. (The validation part is the end of the text: the licence would be a third of it.)',
    '',
    'Samples: after ⅓, ⅔ and all of training (of the nearest bound), --samples greedy sentences of',
    '--sample-length characters from different random first characters, then sentences from the same',
    "characters sampled at the sheet's τ ∈ {0.5, 1, 2}. τ is the sheet's INVERSE temperature: it multiplies",
    'the logits, softmax(τ·logits), so τ = 0.5 is temperature 2 in the dividing convention of PyTorch and',
    'most libraries (flatter), and τ = 2 is temperature 0.5 (sharper). Printed and appended to samples.txt.',
    '',
    'Files in --out (default runs/textgen-<corpus>):',
    '  step-NNNNNN/   a checkpoint every --checkpoint-every steps and at the end (the newest --keep kept)',
    '  latest/        the newest checkpoint (what --resume DIR and textgen sample/eval --checkpoint DIR read)',
    "  curves.csv     step, the training batch's loss/accuracy/bits per char, the validation ones",
    '  curves.svg     loss, accuracy and bits per character over the steps',
    '  samples.txt    the samples',
    '  result.json    the final figures (what --json prints)',
    'A checkpoint holds config.json, vocab.json, model.safetensors (PyTorch names), optimizer.safetensors,',
    'trainer.json and history.json. --resume DIR continues from DIR (a run folder or a checkpoint) with',
    'its settings, corpus and data order: giving a model or training flag that differs is an error.',
  ].join('\n'),
  options: {
    corpus: {
      type: 'string',
      description: `${CORPUS_HELP} (default: ${DEFAULT_CORPUS}; with --resume, the checkpoint's).`,
      valueName: 'FILE',
    },
    encoding: {
      type: 'string',
      description: "The corpus file's encoding: utf-8 (strict), latin1, utf-16le, … (default: utf-8).",
      valueName: 'NAME',
    },
    lowercase: { type: 'boolean', description: 'Lower-case the corpus (a smaller vocabulary).' },
    'unknown-token': {
      type: 'boolean',
      description: 'Give the vocabulary an <unk> entry, so texts with characters the corpus lacks can be evaluated and prompted later.',
    },
    'keep-gutenberg': { type: 'boolean', description: "Keep a Project Gutenberg file's header and licence (left out by default)." },
    embedding: { type: 'string', description: 'Character embedding size (default: 64).', valueName: 'N' },
    hidden: { type: 'string', description: 'LSTM hidden units (default: 128).', valueName: 'N' },
    layers: { type: 'string', description: 'Stacked LSTM layers (default: 2).', valueName: 'N' },
    seq: { type: 'string', description: 'Characters per training window, T (default: 30).', valueName: 'T' },
    batch: { type: 'string', description: 'Windows per step (default: 64).', valueName: 'N' },
    lr: { type: 'string', description: 'Adam learning rate (default: 2e-3).', valueName: 'RATE' },
    'lr-decay': { type: 'string', description: 'Learning-rate decay GAMMA@STEPS or none (default: 0.96@5000).', valueName: 'G@N' },
    clip: { type: 'string', description: 'Max-norm gradient clipping, or none (default: 5).', valueName: 'NORM' },
    dropout: { type: 'string', description: 'Dropout between LSTM layers and before the output layer (default: 0).', valueName: 'P' },
    seed: { type: 'string', description: 'Seed of the initial weights, the data order and the samples (default: 0).', valueName: 'N' },
    'val-fraction': {
      type: 'string',
      description: 'Fraction of the text, at its end, held out for validation; 0 for none (default: 0.1).',
      valueName: 'F',
    },
    steps: { type: 'string', description: 'Train until this step (resumed steps included).', valueName: 'N' },
    epochs: { type: 'string', description: 'Train until this many passes over the training text.', valueName: 'N' },
    'max-minutes': {
      type: 'string',
      description: `Wall-clock budget of this run (default: ${DEFAULT_MAX_MINUTES} when no bound is given).`,
      valueName: 'M',
    },
    'eval-every': { type: 'string', description: 'Validate every N steps (0: only at the end).', default: '500', valueName: 'N' },
    'checkpoint-every': { type: 'string', description: 'Checkpoint every N steps (0: only at the end).', default: '1000', valueName: 'N' },
    keep: { type: 'string', description: 'Step checkpoints kept (the newest); 0 keeps all.', default: '5', valueName: 'N' },
    samples: { type: 'string', description: 'Sentences per sample set (0: no samples).', default: '5', valueName: 'N' },
    'sample-length': { type: 'string', description: 'Characters generated after the first in each sample.', default: '30', valueName: 'N' },
    out: {
      type: 'string',
      description: 'Run folder for checkpoints, curves and samples (default runs/textgen-<corpus>, or the --resume folder).',
      valueName: 'DIR',
    },
    resume: { type: 'string', description: 'Continue the run saved in DIR (a run folder or one checkpoint).', valueName: 'DIR' },
  },
  async run(values, ctx) {
    const given = givenSettings(values);
    const evalEveryFlag = intOption(values, 'eval-every', 500, { min: 0 });
    const checkpointEvery = intOption(values, 'checkpoint-every', 1000, { min: 0 });
    const keep = intOption(values, 'keep', 5, { min: 0 });
    const sampleCount = intOption(values, 'samples', 5, { min: 0 });
    const sampleLength = intOption(values, 'sample-length', 30, { min: 1 });
    const steps = values.steps === undefined ? undefined : intOption(values, 'steps', 1, { min: 1 });
    const epochs = values.epochs === undefined ? undefined : floatOption(values, 'epochs', 1, { min: 0, exclusiveMin: true });
    let maxMinutes =
      values['max-minutes'] === undefined
        ? undefined
        : floatOption(values, 'max-minutes', DEFAULT_MAX_MINUTES, { min: 0, exclusiveMin: true });
    if (steps === undefined && epochs === undefined && maxMinutes === undefined) maxMinutes = DEFAULT_MAX_MINUTES;
    const maxSeconds = maxMinutes === undefined ? undefined : maxMinutes * 60;
    if (values.encoding !== undefined) encodingOption(values);
    const resumeFrom = stringOption(values, 'resume');

    // ---- the settings, corpus and run folder: from the flags, or from the checkpoint to resume -----------
    let loaded: LoadedCheckpoint | undefined;
    let settings: TextgenTrainSettings;
    let corpus = stringOption(values, 'corpus');
    let encoding = stringOption(values, 'encoding');
    let out = stringOption(values, 'out');
    let keepGutenberg = values['keep-gutenberg'] === true;
    if (resumeFrom !== undefined) {
      const found = await findCheckpointDir(resumeFrom);
      loaded = await loadCheckpointFlag(resumeFrom, 'resume');
      if (loaded.trainerState === undefined)
        throw new UsageError(`--resume: the checkpoint at '${found}' holds no training state (it was saved for sampling only)`);
      settings = checkpointSettings(loaded);
      checkResumeConflicts(given, settings);
      const meta = loaded.metadata as Partial<TextgenRunMetadata>;
      if (keepGutenberg && meta.keepGutenberg === false)
        throw new UsageError("--keep-gutenberg differs from the checkpoint's run, which left the Project Gutenberg header and licence out");
      keepGutenberg = meta.keepGutenberg ?? false;
      corpus ??= meta.corpus ?? DEFAULT_CORPUS;
      encoding ??= meta.encoding;
      out ??= found === resumeFrom ? dirname(resumeFrom) : resumeFrom;
    } else {
      settings = { ...TEXTGEN_TRAIN_DEFAULTS, ...given };
    }
    corpus ??= DEFAULT_CORPUS;
    encoding ??= 'utf-8';
    out ??= join('runs', `textgen-${corpusLabel(corpus)}`);

    const text = bookText(await readCorpus(corpus, encoding), keepGutenberg, (line) => ctx.log(line), corpusLabel(corpus));
    const data = buildCorpus(text, corpus, {
      lowercase: settings.lowercase,
      unknown: settings.unknownToken ? 'token' : 'error',
      seqLength: settings.seq,
      validationFraction: settings.valFraction,
      ...(loaded ? { tokenizer: loaded.tokenizer } : {}),
    });
    const { tokenizer, train, validation } = data;
    const evalEvery = validation === undefined ? 0 : evalEveryFlag;

    let trainer: Trainer;
    if (loaded !== undefined) {
      trainer = Trainer.fromCheckpoint(loaded, { train, ...(validation ? { validation } : {}) });
    } else {
      const model = new TextGenerationModel({
        vocabSize: tokenizer.vocabSize,
        embeddingDim: settings.embedding,
        hiddenSize: settings.hidden,
        numLayers: settings.layers,
        dropout: settings.dropout,
        generator: new Generator(settings.seed),
      });
      trainer = new Trainer({
        model,
        tokenizer,
        train,
        ...(validation ? { validation } : {}),
        batchSize: settings.batch,
        lr: settings.lr,
        maxNorm: settings.clip,
        lrDecay: settings.lrDecay,
        seed: settings.seed,
      });
    }
    const { model } = trainer;
    const metadata: TextgenRunMetadata & Record<string, unknown> = {
      corpus,
      encoding,
      validationFraction: settings.valFraction,
      keepGutenberg,
    };

    const charsPerStep = settings.batch * settings.seq;
    const epochTarget = epochs === undefined ? undefined : Math.ceil((epochs * train.length) / charsPerStep);
    const stepTarget = [steps, epochTarget].filter((s): s is number => s !== undefined).reduce((a, b) => Math.min(a, b), Infinity);
    const bounds = [
      ...(steps !== undefined ? [`to step ${steps}`] : []),
      ...(epochs !== undefined ? [`${epochs} epochs (step ${epochTarget})`] : []),
      ...(maxMinutes !== undefined ? [`${maxMinutes} min`] : []),
    ].join(', or ');

    ctx.log(
      `${corpusLabel(corpus)}: ${grouped(text.length)} characters, vocabulary ${tokenizer.vocabSize}${settings.lowercase ? ' (lower-cased)' : ''}; ` +
        `${grouped(train.length)} train, ${validation ? grouped(validation.length) : 'no'} validation`,
    );
    ctx.log(
      `model: embedding ${settings.embedding}, LSTM ${settings.hidden}×${settings.layers}${settings.dropout > 0 ? `, dropout ${settings.dropout}` : ''}, ` +
        `${grouped(model.numParameters())} parameters; Adam lr ${settings.lr}, lr decay ${formatDecay(settings.lrDecay)}, clip ${settings.clip ?? 'none'}, ` +
        `batch ${settings.batch}×${settings.seq}, seed ${settings.seed}; ${describeBackend()}`,
    );
    ctx.log(`${loaded ? `resuming ${loaded.dir} at step ${trainer.step}; ` : ''}training ${bounds}; run folder ${out}`);

    mkdirSync(out, { recursive: true });
    const samplesPath = join(out, 'samples.txt');
    const progress = new TrainingProgressLine(ctx.stderr);
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    const validations: { step: number; seconds: number; loss: number; accuracy: number; bitsPerChar: number }[] = [];
    const sampleSets: ReturnType<typeof courseSamples>[] = [];
    let lastCheckpoint: number | undefined;

    const fractionAt = (step: number, seconds: number) =>
      Math.max(Number.isFinite(stepTarget) ? step / stepTarget : 0, maxSeconds === undefined ? 0 : seconds / maxSeconds);
    const initialFraction = fractionAt(trainer.step, 0);
    const pendingThirds = [1 / 3, 2 / 3].filter((f) => f > initialFraction + 1e-9);

    const takeSamples = (what: string) => {
      if (sampleCount === 0) return;
      const set = courseSamples(trainer, { count: sampleCount, length: sampleLength });
      sampleSets.push(set);
      const lines = formatCourseSamples(set, `== samples at step ${set.step} (${what}, ${formatSeconds(elapsed())} into this run) ==`);
      appendFileSync(samplesPath, `${lines.join('\n')}\n\n`);
      if (ctx.json) progress.log(`samples at step ${set.step} (${what}) written to ${samplesPath}`);
      else {
        progress.clear();
        lines.forEach((line) => ctx.print(line));
      }
    };

    const saveBoth = async (step: number) => {
      const options = { model, tokenizer, trainer, metadata };
      await saveCheckpoint(join(out, stepDirName(step)), options);
      await saveCheckpoint(join(out, 'latest'), options);
      pruneCheckpoints(out, keep);
      lastCheckpoint = step;
      progress.log(`checkpoint: step ${step} → ${join(out, stepDirName(step))} and ${join(out, 'latest')}`);
    };

    // Ctrl-C: finish the step, then write the checkpoint, curves and samples; a second Ctrl-C quits.
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130);
      controller.abort();
      progress.log('stopping after this step (Ctrl-C again to quit at once)');
    };
    process.on('SIGINT', onSigint);
    let result;
    try {
      let lastVal: string | undefined;
      result = await trainer.run({
        ...(steps !== undefined ? { steps } : {}),
        ...(epochs !== undefined ? { epochs } : {}),
        ...(maxSeconds !== undefined ? { maxSeconds } : {}),
        signal: controller.signal,
        evalEvery,
        checkpointEvery,
        onProgress: (p) => {
          const fraction = fractionAt(p.step, p.elapsedSeconds);
          progress.update(p, fraction, lastVal === undefined ? {} : { 'val bpc': lastVal });
          while (pendingThirds.length > 0 && fraction + 1e-9 >= pendingThirds[0]!) {
            const third = pendingThirds.shift()!;
            takeSamples(`${third < 0.5 ? '⅓' : '⅔'} of training`);
          }
        },
        onEvaluation: (v) => {
          const seconds = elapsed();
          validations.push({ step: v.step, seconds, loss: v.loss, accuracy: v.accuracy, bitsPerChar: v.bitsPerChar });
          lastVal = v.bitsPerChar.toFixed(3);
          progress.log(
            `validation at step ${v.step} (epoch ${v.epoch.toFixed(2)}, ${formatSeconds(seconds)}): loss ${v.loss.toFixed(4)}  accuracy ${percent(v.accuracy)}  ${v.bitsPerChar.toFixed(3)} bits/char`,
          );
        },
        onCheckpoint: ({ step }) => saveBoth(step),
      });
    } finally {
      process.off('SIGINT', onSigint);
      progress.finish();
    }
    if (lastCheckpoint !== trainer.step) await saveBoth(trainer.step);
    takeSamples(result.stoppedBy === 'aborted' ? 'when stopped' : 'the end of training');

    // ---- the curves and the figures ------------------------------------------------------------------------
    const recent = trainer.history.train.slice(-100);
    const trainLoss = recent.length === 0 ? NaN : recent.reduce((s, t) => s + t.loss, 0) / recent.length;
    const trainAccuracy = recent.length === 0 ? NaN : recent.reduce((s, t) => s + t.accuracy, 0) / recent.length;
    const csvPath = join(out, 'curves.csv');
    const svgPath = join(out, 'curves.svg');
    const jsonPath = join(out, 'result.json');
    writeFileSync(csvPath, curvesCsv(trainer.history));
    writeFileSync(svgPath, curvesSvg(trainer.history, `${corpusLabel(corpus)}, LSTM ${settings.hidden}×${settings.layers}`));
    const final = result.validation;
    const figures = {
      corpus,
      steps: trainer.step,
      stepsRun: result.stepsRun,
      epochs: trainer.epoch,
      stoppedBy: result.stoppedBy,
      seconds: result.seconds,
      charsPerSecond: result.charsPerSecond,
      trainLoss,
      trainAccuracy,
      trainBitsPerChar: trainLoss / Math.LN2,
      valLoss: final?.loss ?? null,
      valAccuracy: final?.accuracy ?? null,
      valBitsPerChar: final?.bitsPerChar ?? null,
      validations,
      settings: { ...settings, lrDecay: settings.lrDecay === null ? null : { ...settings.lrDecay } },
      vocabSize: tokenizer.vocabSize,
      parameters: model.numParameters(),
      resumedFrom: loaded ? { dir: loaded.dir, step: loaded.step } : null,
      out,
      checkpoint: join(out, 'latest'),
      files: { csv: csvPath, svg: svgPath, samples: sampleCount > 0 ? samplesPath : null, json: jsonPath },
      samples: sampleSets.map((set) => ({
        step: set.step,
        greedy: set.greedy.map((s) => s.text),
        tempered: set.tempered.map((t) => ({
          inverseTemperature: t.inverseTemperature,
          temperature: t.temperature,
          texts: t.samples.map((s) => s.text),
        })),
      })),
    };
    writeFileSync(jsonPath, `${JSON.stringify(figures, null, 2)}\n`);
    printSummary(ctx, figures);
    ctx.log(`wrote ${csvPath}, ${svgPath}, ${jsonPath}${sampleCount > 0 ? ` and ${samplesPath}` : ''}`);
    return figures;
  },
};

function printSummary(
  ctx: CommandContext,
  f: {
    steps: number;
    epochs: number;
    seconds: number;
    charsPerSecond: number;
    stoppedBy: string;
    trainLoss: number;
    trainAccuracy: number;
    valLoss: number | null;
    valAccuracy: number | null;
    valBitsPerChar: number | null;
    checkpoint: string;
  },
): void {
  ctx.print('');
  ctx.print(
    `step ${f.steps} (epoch ${f.epochs.toFixed(2)}), stopped by ${f.stoppedBy}, ${formatSeconds(f.seconds)}, ${grouped(f.charsPerSecond)} chars/s in training steps`,
  );
  ctx.print(
    `train (last 100 batches): loss ${f.trainLoss.toFixed(4)}  accuracy ${percent(f.trainAccuracy)}  ${(f.trainLoss / Math.LN2).toFixed(3)} bits/char`,
  );
  if (f.valLoss !== null)
    ctx.print(
      `validation:               loss ${f.valLoss.toFixed(4)}  accuracy ${percent(f.valAccuracy!)}  ${f.valBitsPerChar!.toFixed(3)} bits/char`,
    );
  ctx.print(`checkpoint: ${f.checkpoint}`);
}
