/** Handlers of the recurrent layers: rnn's `RNN` and `GRU`, lstm's `LSTM` → `torch.nn.RNN`, `GRU`, `LSTM`. */
import { GRU, RNN, type RecurrentLayer } from '@tensorloom/rnn';
import { LSTM } from '@tensorloom/lstm';
import { handler, pythonReturn } from './leaves.js';
import type { PytorchHandler } from '../spec.js';

/** The options every recurrent layer shares (tensorloom's names; `init` and `forgetBias` only shape the initial weights). */
function layerOptions(layer: RecurrentLayer<string>): Record<string, unknown> {
  return {
    inputSize: layer.inputSize,
    hiddenSize: layer.hiddenSize,
    numLayers: layer.numLayers,
    bias: layer.hasBias,
    batchFirst: layer.batchFirst,
    dropout: layer.dropout,
    bidirectional: layer.bidirectional,
  };
}

// nn.RNN & co. warn about a dropout with one layer (it would act on nothing, as in tensorloom).
const COMMON_ARGS = [
  "options['inputSize']",
  "options['hiddenSize']",
  "num_layers=options['numLayers']",
  "bias=options['bias']",
  "batch_first=options['batchFirst']",
  "dropout=options['dropout'] if options['numLayers'] > 1 else 0.0",
  "bidirectional=options['bidirectional']",
];

export const RECURRENT_HANDLERS: readonly PytorchHandler[] = [
  handler(
    'RNN',
    RNN,
    (m) => ({ ...layerOptions(m), nonlinearity: m.nonlinearity }),
    pythonReturn('nn.RNN', [...COMMON_ARGS, "nonlinearity=options['nonlinearity']"]),
  ),
  handler('GRU', GRU, (m) => layerOptions(m), pythonReturn('nn.GRU', COMMON_ARGS)),
  handler(
    'LSTM',
    LSTM,
    (m) => ({ ...layerOptions(m), projSize: m.projSize }),
    pythonReturn('nn.LSTM', [...COMMON_ARGS, "proj_size=options['projSize']"]),
  ),
];
