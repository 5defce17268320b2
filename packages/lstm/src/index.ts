// @tensorloom/lstm: LSTM cells and layers, the peephole LSTM and the parameter count.
export { lstmKind } from './lstm-kind.js';
export { peepholeLstmKind } from './peephole-lstm-kind.js';
export { LSTM, type LSTMOptions } from './lstm.js';
export { LSTMCell, type LSTMCellOptions, type LSTMState } from './lstm-cell.js';
export { PeepholeLSTM, type PeepholeLSTMOptions } from './peephole-lstm.js';
export { PeepholeLSTMCell } from './peephole-lstm-cell.js';
export { lstmParameterCount, type LSTMParameterCountOptions } from './parameter-count.js';
