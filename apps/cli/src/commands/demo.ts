/**
 * `tensorloom demo`: the README's main job, in two parts. A character-level LSTM learns Moby-Dick
 * (embedded) for a bounded time and writes greedy and tempered sentences and a prompt completion;
 * then GCN and GAT learn Zachary's karate club from its two leaders.
 */
import { Generator } from '@tensorloom/core-tensor';
import { loadMobyDick } from '@tensorloom/datasets';
import { TextGenerationModel, Trainer, UnknownCharacterError, generate, prepareCorpus, saveCheckpoint } from '@tensorloom/textgen';
import { UsageError, floatOption, intOption, stringOption, type Command, type CommandContext } from '../cli.js';
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

/** The demo's default training budget, in minutes. */
export const DEMO_MAX_MINUTES = 2;

/** Validation batches (of 128 windows of 30 characters) the demo measures: about 61,000 characters. */
const DEMO_EVAL_BATCHES = 16;

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
    `Moby-Dick: ${grouped(text.length)} characters, ${tokenizer.vocabSize} distinct; embedding ${options.embedding} → LSTM ${options.hidden}×${options.layers} → linear, ` +
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
      metadata: { corpus: 'moby-dick', encoding: 'utf-8', validationFraction: 0.1 },
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

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'Train a character-level LSTM on Moby-Dick for two minutes and print what it writes; then GCN and GAT on the karate club.',
  details: [
    'Part 1 trains embedding → LSTM → linear on the embedded Moby-Dick (Adam, batch 64 windows of 30',
    'characters) for --max-minutes, measures bits per character on the held-out end of the book, and',
    "prints greedy sentences from five random first characters, the same sampled at the course sheet's",
    'τ ∈ {0.5, 1, 2} (τ multiplies the logits: τ = 0.5 is temperature 2) and a completion of --prompt.',
    "The defaults (one LSTM layer of 128, lr 0.01) get further in two minutes than the course's two",
    "layers at lr 2e-3 (2.4 against 2.5 bits/char here); textgen train runs the course's model.",
    "Part 2 trains GCN and GAT on Zachary's karate club from its two leaders and prints their accuracy",
    'on the other 32 members. --steps, or a small --max-minutes, shortens part 1; --graph-epochs part 2.',
  ].join('\n'),
  options: {
    'max-minutes': { type: 'string', description: 'Training time of the text model.', default: String(DEMO_MAX_MINUTES), valueName: 'M' },
    steps: { type: 'string', description: 'Train the text model for this many steps instead of --max-minutes.', valueName: 'N' },
    embedding: { type: 'string', description: 'Character embedding size.', default: '64', valueName: 'N' },
    hidden: { type: 'string', description: 'LSTM hidden units.', default: '128', valueName: 'N' },
    layers: { type: 'string', description: 'Stacked LSTM layers.', default: '1', valueName: 'N' },
    batch: { type: 'string', description: 'Windows of 30 characters per step.', default: '64', valueName: 'N' },
    lr: { type: 'string', description: 'Adam learning rate.', default: '0.01', valueName: 'RATE' },
    prompt: { type: 'string', description: 'Text for the model to complete.', default: 'The whale ', valueName: 'TEXT' },
    seed: { type: 'string', description: 'Seed of the weights, the data order and the samples.', default: '0', valueName: 'N' },
    'graph-epochs': { type: 'string', description: 'Training epochs of GCN and GAT (0 skips part 2).', default: '100', valueName: 'N' },
    out: { type: 'string', description: 'Also save the text model as a checkpoint here (for textgen sample).', valueName: 'DIR' },
  },
  async run(values, ctx) {
    const steps = values.steps === undefined ? undefined : intOption(values, 'steps', 1, { min: 1 });
    const maxMinutes = floatOption(values, 'max-minutes', DEMO_MAX_MINUTES, { min: 0, exclusiveMin: true });
    const prompt = stringOption(values, 'prompt') ?? 'The whale ';
    if (prompt === '') throw new UsageError('--prompt must not be empty');
    const options: TextDemoOptions = {
      steps,
      maxSeconds: steps === undefined ? maxMinutes * 60 : undefined,
      embedding: intOption(values, 'embedding', 64, { min: 1 }),
      hidden: intOption(values, 'hidden', 128, { min: 1 }),
      layers: intOption(values, 'layers', 1, { min: 1 }),
      batch: intOption(values, 'batch', 64, { min: 1 }),
      lr: floatOption(values, 'lr', 0.01, { min: 0, exclusiveMin: true }),
      seed: intOption(values, 'seed', 0, { min: 0 }),
      prompt,
      out: stringOption(values, 'out'),
    };
    const graphEpochs = intOption(values, 'graph-epochs', 100, { min: 0 });
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
