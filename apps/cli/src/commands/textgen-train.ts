/**
 * `tensorloom textgen train`: the course's Part 2 experiment. Trains the character-level LSTM on a
 * book (Moby-Dick embedded, or any text file) with periodic validation, checkpoints and the
 * course's samples after ⅓, ⅔ and all of training, then writes the curves as CSV and SVG.
 *
 * The flags are two settings tables (`settings.ts`): the model and training settings, which a
 * resumed run keeps, with their defaults from `@tensorloom/textgen`; and this run's options.
 * `run` is five steps: plan the run, read the text, build the trainer, train, write the files.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, NonFiniteError } from '@tensorloom/core-tensor';
import {
  TextGenerationModel,
  Trainer,
  UnknownCharacterError,
  prepareCorpus,
  writeRunManifest,
  type Corpus,
  type TrainRunResult,
} from '@tensorloom/textgen';
import { signalExitCode, watchInterrupts, type StopSignal } from '../interrupt.js';
import { type Command, type CommandContext } from '../cli.js';
import { settingOptions } from '../settings.js';
import { BOUND_SETTINGS, DEFAULT_MAX_MINUTES, RUN_SETTINGS, TRAIN_SETTINGS, formatDecay } from './textgen-settings.js';
import { curvesCsv, curvesSvg } from './textgen-curves.js';
import { checkMemory } from '../memory.js';
import { nonFiniteWarnings, stoppedOnNonFinite } from '../non-finite.js';
import { corpusLabel, planRun, textgenMemoryTerms, type RunPlan } from './textgen-run.js';
import {
  CORPUS_HELP,
  DEFAULT_CORPUS,
  TrainingProgressLine,
  bookText,
  courseSamples,
  describeBackend,
  describeUnknown,
  formatCourseSamples,
  formatSeconds,
  grouped,
  percent,
  readCorpus,
} from './textgen-common.js';

export { curvesCsv, curvesSvg } from './textgen-curves.js';
export { parseLrDecay, TRAIN_SETTINGS, type TextgenTrainSettings } from './textgen-settings.js';

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

/** Step 2: the text, read once and encoded; the string is let go once the ids hold the corpus. */
async function readData(plan: RunPlan, ctx: CommandContext): Promise<Corpus> {
  const { corpus, settings, loaded } = plan;
  const text = bookText(await readCorpus(corpus, plan.encoding), plan.metadata.keepGutenberg, (line) => ctx.log(line), corpusLabel(corpus));
  return buildCorpus(text, corpus, {
    lowercase: settings.lowercase,
    unknown: settings.unknownToken ? 'token' : 'error',
    seqLength: settings.seq,
    validationFraction: settings.valFraction,
    ...(loaded ? { tokenizer: loaded.tokenizer } : {}),
    onWarning: (warning) => ctx.log(`warning: ${warning.message}`),
  });
}

/** Step 3: a fresh trainer from the settings, or the checkpoint's, continued. */
function buildTrainer(plan: RunPlan, data: Corpus): Trainer {
  const { settings, loaded } = plan;
  const { tokenizer, train, validation } = data;
  const { onNonFinite } = plan.run;
  if (loaded !== undefined) return Trainer.fromCheckpoint(loaded, { train, ...(validation ? { validation } : {}), onNonFinite });
  const model = new TextGenerationModel({
    vocabSize: tokenizer.vocabSize,
    embeddingDim: settings.embedding,
    hiddenSize: settings.hidden,
    numLayers: settings.layers,
    dropout: settings.dropout,
    generator: new Generator(settings.seed),
  });
  return new Trainer({
    model,
    tokenizer,
    train,
    ...(validation ? { validation } : {}),
    batchSize: settings.batch,
    lr: settings.lr,
    maxNorm: settings.clip,
    lrDecay: settings.lrDecay,
    seed: settings.seed,
    onNonFinite,
  });
}

interface TrainingRecord {
  result: TrainRunResult;
  /** The stop signal that ended the run early (SIGINT, SIGTERM, SIGHUP), or null. */
  interruptedBy: StopSignal | null;
  validations: { step: number; seconds: number; loss: number; accuracy: number; bitsPerChar: number }[];
  sampleSets: ReturnType<typeof courseSamples>[];
}

/**
 * Step 4: trains with a progress line, validations, the course's samples after ⅓, ⅔ and all of
 * training, and checkpoints into the run folder (the trainer's). SIGINT (Ctrl-C), SIGTERM or SIGHUP
 * stops after the current step and still writes the checkpoint and the samples; a second quits.
 */
async function trainWithProgress(trainer: Trainer, plan: RunPlan, ctx: CommandContext): Promise<TrainingRecord> {
  const { run, bounds, out } = plan;
  mkdirSync(out, { recursive: true });
  const samplesPath = join(out, 'samples.txt');
  const maxSeconds = bounds.maxMinutes === undefined ? undefined : bounds.maxMinutes * 60;
  const stepTarget = trainer.targetStep(bounds);
  const progress = new TrainingProgressLine(ctx.stderr);
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const record: Omit<TrainingRecord, 'result' | 'interruptedBy'> = { validations: [], sampleSets: [] };
  const fractionAt = (step: number, seconds: number) =>
    Math.max(stepTarget === undefined ? 0 : step / stepTarget, maxSeconds === undefined ? 0 : seconds / maxSeconds);
  const pendingThirds = [1 / 3, 2 / 3].filter((f) => f > fractionAt(trainer.step, 0) + 1e-9);

  const takeSamples = (what: string) => {
    if (run.samples === 0) return;
    const set = courseSamples(trainer, { count: run.samples, length: run.sampleLength });
    record.sampleSets.push(set);
    const lines = formatCourseSamples(set, `== samples at step ${set.step} (${what}, ${formatSeconds(elapsed())} into this run) ==`);
    appendFileSync(samplesPath, `${lines.join('\n')}\n\n`);
    if (ctx.json) progress.log(`samples at step ${set.step} (${what}) written to ${samplesPath}`);
    else {
      progress.clear();
      lines.forEach((line) => ctx.print(line));
    }
  };

  const interrupts = watchInterrupts((line) => progress.log(line));
  let result: TrainRunResult;
  // The newest checkpoint: a NaN stops the run without writing one, so this one stays.
  let kept = plan.loaded ? { step: plan.loaded.step, dir: plan.loaded.dir } : undefined;
  try {
    let lastVal: string | undefined;
    result = await trainer.run({
      ...(bounds.steps !== undefined ? { steps: bounds.steps } : {}),
      ...(bounds.epochs !== undefined ? { epochs: bounds.epochs } : {}),
      ...(maxSeconds !== undefined ? { maxSeconds } : {}),
      signal: interrupts.signal,
      evalEvery: trainer.validation === undefined ? 0 : run.evalEvery,
      checkpointDir: out,
      checkpointEvery: run.checkpointEvery,
      keepCheckpoints: run.keep,
      checkpointMetadata: { ...plan.metadata },
      onProgress: (p) => {
        const fraction = fractionAt(p.step, p.elapsedSeconds);
        progress.update(p, fraction, lastVal === undefined ? {} : { 'val bpc': lastVal });
        while (pendingThirds.length > 0 && fraction + 1e-9 >= pendingThirds[0]!) {
          takeSamples(`${pendingThirds.shift()! < 0.5 ? '⅓' : '⅔'} of training`);
        }
      },
      onEvaluation: (v) => {
        const seconds = elapsed();
        record.validations.push({ step: v.step, seconds, loss: v.loss, accuracy: v.accuracy, bitsPerChar: v.bitsPerChar });
        lastVal = v.bitsPerChar.toFixed(3);
        progress.log(
          `validation at step ${v.step} (epoch ${v.epoch.toFixed(2)}, ${formatSeconds(seconds)}): ` +
            `loss ${v.loss.toFixed(4)}  accuracy ${percent(v.accuracy)}  ${v.bitsPerChar.toFixed(3)} bits/char`,
        );
      },
      onCheckpoint: ({ step, dir }) => {
        kept = { step, dir: join(out, 'latest') };
        progress.log(`checkpoint: step ${step} → ${dir} and ${join(out, 'latest')}`);
      },
      onWarning: nonFiniteWarnings((line) => progress.log(line)),
    });
  } catch (error) {
    if (!(error instanceof NonFiniteError)) throw error;
    const what = kept ? `the last good checkpoint at ${kept.dir} (step ${kept.step}) was kept` : 'no checkpoint had been written';
    throw stoppedOnNonFinite(error, what, 'lower --lr, clip the gradients (--clip)');
  } finally {
    interrupts.dispose();
    progress.finish();
  }
  takeSamples(result.stoppedBy === 'aborted' ? 'when stopped' : 'the end of training');
  return { ...record, result, interruptedBy: interrupts.received() };
}

/** Step 5: curves.csv, curves.svg and result.json; returns the figures (what --json prints). */
function writeRunFiles(trainer: Trainer, plan: RunPlan, record: TrainingRecord) {
  const { settings, out, corpus, loaded, run } = plan;
  const { result } = record;
  const recent = trainer.history.train.slice(-100);
  const trainLoss = recent.length === 0 ? NaN : recent.reduce((s, t) => s + t.loss, 0) / recent.length;
  const trainAccuracy = recent.length === 0 ? NaN : recent.reduce((s, t) => s + t.accuracy, 0) / recent.length;
  const files = {
    csv: join(out, 'curves.csv'),
    svg: join(out, 'curves.svg'),
    samples: run.samples > 0 ? join(out, 'samples.txt') : null,
    json: join(out, 'result.json'),
  };
  writeFileSync(files.csv, curvesCsv(trainer.history));
  writeFileSync(files.svg, curvesSvg(trainer.history, `${corpusLabel(corpus)}, LSTM ${settings.hidden}×${settings.layers}`));
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
    validations: record.validations,
    settings: { ...settings, lrDecay: settings.lrDecay === null ? null : { ...settings.lrDecay } },
    vocabSize: trainer.tokenizer.vocabSize,
    parameters: trainer.model.numParameters(),
    resumedFrom: loaded ? { dir: loaded.dir, step: loaded.step } : null,
    out,
    checkpoint: join(out, 'latest'),
    files,
    samples: record.sampleSets.map((set) => ({
      step: set.step,
      greedy: set.greedy.map((s) => s.text),
      tempered: set.tempered.map((t) => ({
        inverseTemperature: t.inverseTemperature,
        temperature: t.temperature,
        texts: t.samples.map((s) => s.text),
      })),
    })),
  };
  writeFileSync(files.json, `${JSON.stringify(figures, null, 2)}\n`);
  return figures;
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
    '  latest/        the newest checkpoint (what --resume DIR and textgen sample/eval --checkpoint DIR read;',
    '                 when it is damaged they read the newest intact step checkpoint and say so)',
    '  run.json       the run: its id, settings, bounds, corpus and its SHA-256, start and resume times',
    "  curves.csv     step, the training batch's loss/accuracy/bits per char, the validation ones",
    '  curves.svg     loss, accuracy and bits per character over the steps',
    '  samples.txt    the samples',
    '  result.json    the final figures (what --json prints)',
    'A checkpoint holds config.json, vocab.json, model.safetensors (PyTorch names), optimizer.safetensors,',
    'trainer.json and history.json. --resume DIR continues from DIR (a run folder or a checkpoint) with',
    'its settings, bounds, intervals, corpus and data order: giving a model or training flag that differs,',
    'or a corpus whose bytes differ, is an error; the intervals and bounds may be given anew.',
    '',
    'A run folder belongs to one run: training into a folder that holds another run stops (exit 2) unless',
    '--resume continues it or --overwrite replaces it; run.lock keeps two processes from training into one.',
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
    'keep-gutenberg': { type: 'boolean', description: "Keep a Project Gutenberg file's header and licence (left out by default)." },
    ...settingOptions(TRAIN_SETTINGS),
    ...settingOptions(BOUND_SETTINGS),
    ...settingOptions(RUN_SETTINGS),
    out: {
      type: 'string',
      description: 'Run folder for checkpoints, curves and samples (default runs/textgen-<corpus>, or the --resume folder).',
      valueName: 'DIR',
    },
    resume: { type: 'string', description: 'Continue the run saved in DIR (a run folder or one checkpoint).', valueName: 'DIR' },
    overwrite: { type: 'boolean', description: 'Replace the run --out holds (its checkpoints and files) instead of refusing.' },
  },
  async run(values, ctx) {
    const plan = await planRun(values, (line) => ctx.log(line));
    try {
      return await trainRun(plan, ctx);
    } finally {
      plan.claim.release();
    }
  },
};

/** Reads the corpus, builds the trainer, takes the run folder, trains and writes the run's files. */
async function trainRun(plan: RunPlan, ctx: CommandContext) {
  const { settings, corpus, out, loaded, claim } = plan;

  const data = await readData(plan, ctx);
  checkMemory('training', textgenMemoryTerms(settings, data.tokenizer.vocabSize));
  const trainer = buildTrainer(plan, data);
  if (claim.cleaned.length > 0) ctx.log(`${out}: removed what killed checkpoint writers left (${claim.cleaned.join(', ')})`);
  if (claim.others.length > 0) {
    const removed = await claim.clearOthers();
    const previous = claim.previous ? `run ${claim.previous.runId} (started ${claim.previous.startedAt})` : 'the run';
    const list = `${removed.slice(0, 6).join(', ')}${removed.length > 6 ? ', …' : ''}`;
    ctx.log(`--overwrite: removed ${previous} from ${out} (${removed.length} entries: ${list})`);
  }
  const resumed = plan.continuing && loaded ? [{ at: new Date().toISOString(), step: loaded.step }] : [];
  await writeRunManifest(out, { ...plan.manifest, resumed: [...plan.manifest.resumed, ...resumed] });

  const { tokenizer, train, validation } = data;
  const { steps, epochs, maxMinutes } = plan.bounds;
  const bounds = [
    ...(steps !== undefined ? [`to step ${steps}`] : []),
    ...(epochs !== undefined ? [`${epochs} epochs (step ${trainer.targetStep({ epochs })})`] : []),
    ...(maxMinutes !== undefined ? [`${maxMinutes} min`] : []),
  ].join(', or ');
  ctx.log(
    `${corpusLabel(corpus)}: ${grouped(data.dataset.length)} characters, vocabulary ` +
      `${tokenizer.vocabSize}${settings.lowercase ? ' (lower-cased)' : ''}; ` +
      `${grouped(train.length)} train, ${validation ? grouped(validation.length) : 'no'} validation`,
  );
  ctx.log(
    `model: embedding ${settings.embedding}, LSTM ` +
      `${settings.hidden}×${settings.layers}${settings.dropout > 0 ? `, dropout ${settings.dropout}` : ''}, ` +
      `${grouped(trainer.model.numParameters())} parameters; Adam lr ${settings.lr}, lr decay ${formatDecay(settings.lrDecay)}, ` +
      `clip ${settings.clip ?? 'none'}, batch ${settings.batch}×${settings.seq}, seed ${settings.seed}; ${describeBackend()}`,
  );
  ctx.log(`${loaded ? `resuming ${loaded.dir} at step ${trainer.step}; ` : ''}training ${bounds}; run folder ${out}`);

  const record = await trainWithProgress(trainer, plan, ctx);
  const figures = writeRunFiles(trainer, plan, record);
  printSummary(ctx, figures);
  const { csv, svg, json, samples } = figures.files;
  ctx.log(`wrote ${csv}, ${svg}, ${json}${samples !== null ? ` and ${samples}` : ''}`);
  if (record.interruptedBy !== null) {
    ctx.exitCode = signalExitCode(record.interruptedBy);
    ctx.log(`interrupted by ${record.interruptedBy} at step ${trainer.step}, saved in ${join(out, 'latest')}; exit ${ctx.exitCode}`);
  }
  return figures;
}

function printSummary(ctx: CommandContext, f: ReturnType<typeof writeRunFiles>): void {
  ctx.print('');
  ctx.print(
    `step ${f.steps} (epoch ${f.epochs.toFixed(2)}), stopped by ${f.stoppedBy}, ${formatSeconds(f.seconds)}, ` +
      `${grouped(f.charsPerSecond)} chars/s in training steps`,
  );
  ctx.print(
    `train (last 100 batches): loss ${f.trainLoss.toFixed(4)}  accuracy ` +
      `${percent(f.trainAccuracy)}  ${(f.trainLoss / Math.LN2).toFixed(3)} bits/char`,
  );
  if (f.valLoss !== null) {
    ctx.print(
      `validation:               loss ${f.valLoss.toFixed(4)}  accuracy ` +
        `${percent(f.valAccuracy!)}  ${f.valBitsPerChar!.toFixed(3)} bits/char`,
    );
  }
  ctx.print(`checkpoint: ${f.checkpoint}`);
}
