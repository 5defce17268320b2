/**
 * What the gradient-flow page and its worker say to each other. No package imports: the page
 * bundles this file, the worker bundles the packages.
 */
import type { BackendInfo } from './backend.js';

/** The models compared, in the chart's order. */
export const GRADIENT_FLOW_MODELS = ['rnn', 'lstm', 'gru'] as const;
export type GradientFlowModelName = (typeof GRADIENT_FLOW_MODELS)[number];

/** The chart's legend for each model. */
export const GRADIENT_FLOW_LABELS: Record<GradientFlowModelName, string> = { rnn: 'RNN (tanh)', lstm: 'LSTM', gru: 'GRU' };

/** `‖∂L_T/∂h_t‖` for t = 1..T, per model. */
export type GradientNorms = Record<GradientFlowModelName, number[]>;

/** The page's slider: sequence lengths T it offers. */
export const GRADIENT_FLOW_LENGTHS = Object.freeze({ min: 10, max: 200, step: 10 });

/** Measure at sequence length `length`, or at `gradientNormsOverTime`'s default (`DEFAULT_GRADIENT_FLOW`) without one. */
export type GradientFlowRequest = { type: 'measure'; id: number; length?: number };

export type GradientFlowReply =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'norms'; id: number; length: number; norms: GradientNorms; seconds: number }
  | { type: 'error'; id?: number; message: string };
