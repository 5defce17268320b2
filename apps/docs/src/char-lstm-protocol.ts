/**
 * What the character-LSTM page and its worker say to each other. No package imports: the page
 * bundles this file, the worker bundles the packages.
 */
import type { BackendInfo } from './backend.js';

/** Where the page finds the training text, under the site's base (see `char-lstm.ts` for its source). */
export const CHAR_LSTM_TEXT_PATH = '/demos/tiny-shakespeare.txt';

/**
 * The demo's configuration: small enough to learn visibly in well under a minute on two cores
 * (one LSTM layer instead of the course's two, windows of 64 instead of 30, a larger lr).
 */
export const CHAR_LSTM_SETTINGS = Object.freeze({
  embeddingDim: 32,
  hiddenSize: 128,
  numLayers: 1,
  seqLength: 64,
  batchSize: 32,
  lr: 1e-2,
  maxNorm: 5,
  /** Steps of one press of Train: the default run ends on its own after these. */
  steps: 500,
  seed: 0,
});

export type CharLstmSettings = typeof CHAR_LSTM_SETTINGS;

/** Generation modes: `sampled` draws from softmax(logits / T). */
export const GENERATION_MODES = ['greedy', 'sampled', 'beam'] as const;
export type GenerationMode = (typeof GENERATION_MODES)[number];

/** Beams kept by the demo's beam search. */
export const DEMO_BEAM_WIDTH = 4;

export interface GenerationRequest {
  prompt: string;
  /** Characters to generate after the prompt. */
  length: number;
  mode: GenerationMode;
  /** T of `sampled`: divides the logits (the course sheet's τ multiplies them: τ = 1/T). */
  temperature: number;
  /** Seeds the draws of `sampled`. */
  seed: number;
}

export type CharLstmRequest =
  /** Train to the next multiple of `CHAR_LSTM_SETTINGS.steps` (loading the text first, the first time). */
  | { type: 'train'; textUrl: string }
  | { type: 'stop' }
  /** A fresh model (the text stays loaded). */
  | { type: 'reset' }
  | ({ type: 'generate' } & GenerationRequest);

export type CharLstmReply =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'corpus'; characters: number; vocabSize: number; parameters: number }
  | { type: 'progress'; step: number; loss: number; totalSteps: number; stepsPerSecond: number; elapsedSeconds: number }
  | { type: 'trained'; step: number; stoppedBy: string; seconds: number }
  | { type: 'reset' }
  | { type: 'text'; text: string }
  | { type: 'generated'; characters: number; seconds: number }
  /** A request the worker cannot serve now (a prompt with unknown characters, generating mid-training): not a failure. */
  | { type: 'rejected'; message: string }
  | { type: 'error'; message: string };
