import type { Command } from '../cli.js';
import { demoCommand } from './demo.js';
import { rnnGradientsCommand } from './rnn-gradients.js';
import { seqTrainCommand } from './seq-train.js';

/** Every `tensorloom` command. */
export const commands: readonly Command[] = [demoCommand, seqTrainCommand, rnnGradientsCommand];
