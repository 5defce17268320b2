/**
 * The character-LSTM demo's model and training, apart from the worker so that Node can run the
 * same code path (to compare speeds): textgen's tokenizer, model and `Trainer`, and its sampling.
 *
 * The text is `public/demos/tiny-shakespeare.txt`: the first 32,614 characters (to a blank line) of
 * Karpathy's tiny-shakespeare (char-rnn `data/tinyshakespeare/input.txt`, as embedded in
 * `@tensorloom/datasets`' `loadTinyShakespeare()`): Shakespeare, public domain. It is shipped as
 * a small static file so the page does not load the 1.1 MB book.
 */
import { Generator } from '@tensorloom/core-tensor';
import {
  TextGenerationModel,
  Trainer,
  beamSearch,
  prepareCorpus,
  streamGenerate,
  type CharTokenizer,
  type SamplingStrategy,
  type TrainProgress,
  type TrainRunResult,
} from '@tensorloom/textgen';
import { CHAR_LSTM_SETTINGS, DEMO_BEAM_WIDTH, type CharLstmSettings, type GenerationRequest } from './char-lstm-protocol.js';

/** A model with its tokenizer and trainer. */
export interface CharLstmSession {
  model: TextGenerationModel;
  tokenizer: CharTokenizer;
  trainer: Trainer;
  settings: CharLstmSettings;
}

/** A fresh model and trainer on `text` (the whole text trains: the demo shows training loss only). */
export function createSession(text: string, settings: CharLstmSettings = CHAR_LSTM_SETTINGS): CharLstmSession {
  const { tokenizer, train } = prepareCorpus(text, { seqLength: settings.seqLength, validationFraction: 0 });
  const model = new TextGenerationModel({
    vocabSize: tokenizer.vocabSize,
    embeddingDim: settings.embeddingDim,
    hiddenSize: settings.hiddenSize,
    numLayers: settings.numLayers,
    generator: new Generator(settings.seed),
  });
  const trainer = new Trainer({
    model,
    tokenizer,
    train,
    batchSize: settings.batchSize,
    lr: settings.lr,
    maxNorm: settings.maxNorm,
    seed: settings.seed,
  });
  return { model, tokenizer, trainer, settings };
}

/** The step a press of Train runs to: the next multiple of `settings.steps` (a stopped run finishes its round). */
export function nextTarget(session: CharLstmSession): number {
  const { steps } = session.settings;
  return (Math.floor(session.trainer.step / steps) + 1) * steps;
}

/** Trains with textgen's `Trainer.run` up to the absolute step `toStep` (or until `signal` aborts), reporting every step. */
export function train(
  session: CharLstmSession,
  toStep: number,
  options: { signal?: AbortSignal; onStep?: (progress: TrainProgress) => void } = {},
): Promise<TrainRunResult> {
  return session.trainer.run({
    steps: toStep,
    progressEvery: 1,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onStep ? { onProgress: options.onStep } : {}),
  });
}

/**
 * The characters of a completion as they come: greedy and sampled stream one character per step
 * (textgen's `streamGenerate`); beam search can only answer at the end (the best beam's prefix
 * changes as it goes), so it yields its whole completion once.
 */
export async function* generateText(session: CharLstmSession, request: GenerationRequest): AsyncGenerator<string, void, undefined> {
  const { model, tokenizer } = session;
  const { prompt, length, mode, temperature, seed } = request;
  if (mode === 'beam') {
    yield beamSearch(model, tokenizer, { prompt, length, beamWidth: DEMO_BEAM_WIDTH }).completion;
    return;
  }
  const sampling: SamplingStrategy = mode === 'greedy' ? { strategy: 'greedy' } : { strategy: 'temperature', temperature };
  yield* streamGenerate(model, tokenizer, { prompt, length, sampling, generator: new Generator(seed) });
}

/** The prompt's characters that the model has never seen (empty when it can run). */
export function unknownCharacters(tokenizer: CharTokenizer, prompt: string): string[] {
  return [...new Set(prompt)].filter((char) => !tokenizer.covers(char));
}
