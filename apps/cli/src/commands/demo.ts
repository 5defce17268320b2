/**
 * `tensorloom demo`: the README's main job, in two parts. A character-level LSTM learns Moby-Dick
 * (embedded) for a bounded time and writes greedy and tempered sentences and a prompt completion;
 * then GCN and GAT learn Zachary's karate club from its two leaders.
 */
import { Generator } from '@tensorloom/core-tensor';
import { loadMobyDick } from '@tensorloom/datasets';
import {
  DEFAULT_VALIDATION_FRACTION,
  TextGenerationModel,
  Trainer,
  UnknownCharacterError,
  generate,
  prepareCorpus,
  saveCheckpoint,
} from '@tensorloom/textgen';
import { UsageError, stringOption, type Command, type CommandContext } from '../cli.js';
import { float, int, resolveSettings, settingOptions } from '../settings.js';
import { runGraphDemo, type GraphDemoResult } from './demo-graph.js';
import {
  TrainingProgressLine,
  courseSamples,
  formatSeconds,
  describeBackend,
  describeUnknown,
  formatCourseSamples,
  grouped,
  percent,
} from './textgen-common.js';
import { checkMemory } from '../memory.js';
import { textgenMemoryTerms } from './textgen-run.js';
import { checkOutputFolder } from '../output-paths.js';

const outputFolder = (out: string | undefined) => {
  if (out !== undefined) checkOutputFolder(out, 'out');
  return out;
};

/** The demo's default training budget, in minutes. */
export const DEMO_MAX_MINUTES = 2;

/** Validation batches (of 128 windows of 30 characters) the demo measures: about 61,000 characters. */
const DEMO_EVAL_BATCHES = 16;

/** The demo's flags: its own sizes and budget, chosen to get far in two minutes (not textgen's defaults). */
export const DEMO_SETTINGS = {
  maxMinutes: {
    flag: 'max-minutes',
    description: 'Training time of the text model',
    valueName: 'M',
    default: DEMO_MAX_MINUTES,
    parse: float({ above: 0 }),
  },
  steps: {
    flag: 'steps',
    description: 'Train the text model for this many steps instead of --max-minutes',
    valueName: 'N',
    default: undefined as number | undefined,
    parse: int({ min: 1 }),
  },
  embedding: { flag: 'embedding', description: 'Character embedding size', valueName: 'N', default: 64, parse: int({ min: 1 }) },
  hidden: { flag: 'hidden', description: 'LSTM hidden units', valueName: 'N', default: 128, parse: int({ min: 1 }) },
  layers: { flag: 'layers', description: 'Stacked LSTM layers', valueName: 'N', default: 1, parse: int({ min: 1 }) },
  batch: { flag: 'batch', description: 'Windows of 30 characters per step', valueName: 'N', default: 64, parse: int({ min: 1 }) },
  lr: { flag: 'lr', description: 'Adam learning rate', valueName: 'RATE', default: 0.01, parse: float({ above: 0 }) },
  prompt: {
    flag: 'prompt',
    description: 'Text for the model to complete',
    valueName: 'TEXT',
    default: 'The whale ',
    parse: (raw: string | boolean, flag: string) => {
      if (raw === '') throw new UsageError(`--${flag} must not be empty`);
      return String(raw);
    },
  },
  seed: {
    flag: 'seed',
    description: 'Seed of the weights, the data order and the samples',
    valueName: 'N',
    default: 0,
    parse: int({ min: 0 }),
  },
  graphEpochs: {
    flag: 'graph-epochs',
    description: 'Training epochs of GCN and GAT (0 skips part 2)',
    valueName: 'N',
    default: 100,
    parse: int({ min: 0 }),
  },
};

export interface TextDemoOptions {
  maxSeconds: number | undefined;
  steps: number | undefined;
  embedding: number;
  hidden: number;
  layers: number;
  batch: number;
  lr: number;
  seed: number;
  prompt: string;
  out: string | undefined;
}

/** The text part of the demo; prints through `ctx` and returns its figures. */
export async function runTextDemo(ctx: CommandContext, options: TextDemoOptions) {
  const text = await loadMobyDick();
  const { tokenizer, train, validation } = prepareCorpus(text, { seqLength: 30 });
  try {
    tokenizer.encode(options.prompt);
  } catch (error) {
    if (error instanceof UnknownCharacterError) throw new UsageError(`--prompt: ${describeUnknown(error, options.prompt, 'the prompt')}`);
    throw error;
  }
  const model = new TextGenerationModel({
    vocabSize: tokenizer.vocabSize,
    embeddingDim: options.embedding,
    hiddenSize: options.hidden,
    numLayers: options.layers,
    generator: new Generator(options.seed),
  });
  const trainer = new Trainer({
    model,
    tokenizer,
    train,
    ...(validation ? { validation } : {}),
    batchSize: options.batch,
    lr: options.lr,
    seed: options.seed,
    evalMaxBatches: DEMO_EVAL_BATCHES,
  });
  const budget = options.steps !== undefined ? `${options.steps} steps` : `${formatSeconds(options.maxSeconds!)}`;
  ctx.print(`== 1. A character-level LSTM reads Moby-Dick (${budget}) ==`);
  ctx.log(
    `Moby-Dick: ${grouped(text.length)} characters, ${tokenizer.vocabSize} distinct; ` +
      `embedding ${options.embedding} → LSTM ${options.hidden}×${options.layers} → linear, ` +
      `${grouped(model.numParameters())} parameters; Adam lr ${options.lr}, batch ${options.batch}×30; ${describeBackend()}`,
  );
  const progress = new TrainingProgressLine(ctx.stderr);
  let result;
  try {
    result = await trainer.run({
      ...(options.steps !== undefined ? { steps: options.steps } : {}),
      ...(options.maxSeconds !== undefined ? { maxSeconds: options.maxSeconds } : {}),
      evalEvery: 0,
      onProgress: (p) => {
        const fraction = Math.max(
          options.steps ? p.step / options.steps : 0,
          options.maxSeconds ? p.elapsedSeconds / options.maxSeconds : 0,
        );
        progress.update(p, fraction, {});
      },
    });
  } finally {
    progress.finish();
  }
  const v = result.validation!;
  ctx.print(
    `after ${result.step} steps (${formatSeconds(result.seconds)}, ${grouped(result.charsPerSecond)} characters/s): ` +
      `validation ${v.bitsPerChar.toFixed(2)} bits/char, ${percent(v.accuracy)} of next characters right (loss ${v.loss.toFixed(3)})`,
  );
  const samples = courseSamples(trainer, { count: 5, length: 50 });
  formatCourseSamples(samples, '')
    .slice(1)
    .forEach((line) => ctx.print(line));
  const completion = generate(model, tokenizer, {
    prompt: options.prompt,
    length: 80,
    sampling: { strategy: 'temperature', temperature: 0.5 },
    generator: new Generator(options.seed),
  });
  ctx.print(`completing ${JSON.stringify(options.prompt)} (temperature 0.5 = the sheet's τ 2):`);
  ctx.print(`  ${JSON.stringify(completion.text)}`);
  if (options.out !== undefined) {
    await saveCheckpoint(options.out, {
      model,
      tokenizer,
      trainer,
      metadata: { corpus: 'moby-dick', encoding: 'utf-8', validationFraction: DEFAULT_VALIDATION_FRACTION },
    });
    ctx.print(`checkpoint: ${options.out} (try: tensorloom textgen sample --checkpoint ${options.out} --prompt "The whale")`);
  }
  return {
    corpus: 'moby-dick',
    steps: result.step,
    seconds: result.seconds,
    charsPerSecond: result.charsPerSecond,
    parameters: model.numParameters(),
    valLoss: v.loss,
    valAccuracy: v.accuracy,
    valBitsPerChar: v.bitsPerChar,
    greedy: samples.greedy.map((s) => s.text),
    tempered: samples.tempered.map((t) => ({ inverseTemperature: t.inverseTemperature, texts: t.samples.map((s) => s.text) })),
    completion: completion.text,
    ...(options.out !== undefined ? { checkpoint: options.out } : {}),
  };
}

const DEMO_DEFAULTS = resolveSettings({}, DEMO_SETTINGS);

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'Train a character-level LSTM on Moby-Dick for two minutes and print what it writes; then GCN and GAT on the karate club.',
  details: [
    `Part 1 trains embedding → LSTM → linear on the embedded Moby-Dick (Adam, batch ${DEMO_DEFAULTS.batch} windows of 30`,
    'characters) for --max-minutes, measures bits per character on the held-out end of the book, and',
    "prints greedy sentences from five random first characters, the same sampled at the course sheet's",
    'τ ∈ {0.5, 1, 2} (τ multiplies the logits: τ = 0.5 is temperature 2) and a completion of --prompt.',
    `The defaults (one LSTM layer of ${DEMO_DEFAULTS.hidden}, lr ${DEMO_DEFAULTS.lr}) get further in two minutes than the course's two`,
    "layers at lr 2e-3 (2.4 against 2.5 bits/char here); textgen train runs the course's model.",
    "Part 2 trains GCN and GAT on Zachary's karate club from its two leaders and prints their accuracy",
    'on the other 32 members. --steps, or a small --max-minutes, shortens part 1; --graph-epochs part 2.',
  ].join('\n'),
  options: {
    ...settingOptions(DEMO_SETTINGS),
    out: { type: 'string', description: 'Also save the text model as a checkpoint here (for textgen sample).', valueName: 'DIR' },
  },
  async run(values, ctx) {
    const { maxMinutes, steps, graphEpochs, ...sizes } = resolveSettings(values, DEMO_SETTINGS);
    // Moby-Dick's vocabulary is under 128 characters.
    checkMemory('the demo', textgenMemoryTerms({ ...sizes, seq: 30 }, 128));
    const options: TextDemoOptions = {
      ...sizes,
      steps,
      maxSeconds: steps === undefined ? maxMinutes * 60 : undefined,
      out: outputFolder(stringOption(values, 'out')),
    };
    const text = await runTextDemo(ctx, options);
    let graph: GraphDemoResult | undefined;
    if (graphEpochs > 0) {
      ctx.print('');
      ctx.print("== 2. Graph neural networks sort Zachary's karate club from its two leaders ==");
      graph = runGraphDemo(ctx, { epochs: graphEpochs, seed: options.seed });
    }
    return { text, ...(graph ? { graph } : {}) };
  },
};
