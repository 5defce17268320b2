// @tensorloom/rnn: recurrent cells and layers on @tensorloom/core-tensor.
export type { CellKind, CellDims } from './cell-kind.js';
export { unroll, type UnrollOptions, type UnrollResult } from './unroll.js';
export {
  RecurrentLayer,
  type RecurrentInit,
  type RecurrentLayerOptions,
  type RecurrentForwardOptions,
  type RecurrentOutput,
  type LayerState,
} from './recurrent-layer.js';
