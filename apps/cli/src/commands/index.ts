import type { Command } from '../cli.js';
import { demoCommand } from './demo.js';
import { exportCommands } from './export.js';
import { gnnForecastCommand } from './gnn-forecast.js';
import { gnnTrainCommand } from './gnn-train.js';
import { graphCommands } from './graph.js';
import { rnnGradientsCommand } from './rnn-gradients.js';
import { seqTrainCommand } from './seq-train.js';
import { textgenEvalCommand } from './textgen-eval.js';
import { textgenSampleCommand } from './textgen-sample.js';
import { textgenTrainCommand } from './textgen-train.js';

/** Every `tensorloom` command. */
export const commands: readonly Command[] = [
  demoCommand,
  seqTrainCommand,
  rnnGradientsCommand,
  gnnTrainCommand,
  gnnForecastCommand,
  ...graphCommands,
  textgenTrainCommand,
  textgenSampleCommand,
  textgenEvalCommand,
  ...exportCommands,
];
