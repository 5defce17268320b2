/** Every handler of the PyTorch exporter, the more specific classes first. */
import type { PytorchHandler } from '../spec.js';
import { GNN_HANDLERS } from './gnn.js';
import { LEAF_HANDLERS } from './leaves.js';
import { RECURRENT_HANDLERS } from './recurrent.js';
import { TEXT_GENERATION_HANDLER } from './textgen.js';

export const PYTORCH_HANDLERS: readonly PytorchHandler[] = [
  TEXT_GENERATION_HANDLER,
  ...GNN_HANDLERS,
  ...RECURRENT_HANDLERS,
  ...LEAF_HANDLERS,
];
