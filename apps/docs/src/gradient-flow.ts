/**
 * The gradient-flow demo's measurement, apart from the worker: `‖∂L_T/∂h_t‖` for a tanh RNN, an
 * LSTM and a GRU on the same probe batch, built as `tensorloom rnn gradients` builds them
 * (apps/cli/src/commands/rnn-gradients.ts) with its default sizes, so the page shows what the
 * command prints for fresh models.
 *
 * The CLI's classifier construction and its first-symbol task are not exported by a package (they
 * live in the CLI command, which imports `node:fs`), so they are restated here from the packages'
 * public API.
 */
import { Generator, nn, oneHot, randint, select, type Tensor } from '@tensorloom/core-tensor';
import { LSTM } from '@tensorloom/lstm';
import { DEFAULT_GRADIENT_FLOW, GRU, RNN, gradientNormsOverTime, type GradientFlowModel } from '@tensorloom/rnn';
import { GRADIENT_FLOW_MODELS, type GradientFlowModelName, type GradientNorms } from './gradient-flow-protocol.js';

/** The CLI's defaults for `rnn gradients` (its `GRADIENT_SETTINGS`). */
export const GRADIENT_FLOW_SETTINGS = Object.freeze({
  hidden: 128,
  batch: 8,
  symbols: 8,
  seed: 0,
  forgetBias: 1,
  recurrentScale: DEFAULT_GRADIENT_FLOW.recurrentScale,
});

export type GradientFlowSettings = typeof GRADIENT_FLOW_SETTINGS;

/** A recurrent layer with the linear read-out of its last state. */
interface Classifier {
  model: GradientFlowModel;
  readout: { weight: Tensor; bias: Tensor | null };
}

function buildClassifier(name: GradientFlowModelName, settings: GradientFlowSettings, generator: Generator): Classifier {
  const { symbols, hidden, forgetBias } = settings;
  const options = { inputSize: symbols, hiddenSize: hidden, batchFirst: true, generator };
  const model =
    name === 'lstm'
      ? new LSTM({ ...options, forgetBias })
      : name === 'gru'
        ? new GRU(options)
        : new RNN({ ...options, nonlinearity: 'tanh' });
  const head = new nn.Linear({ inFeatures: hidden, outFeatures: symbols, generator });
  return { model, readout: { weight: head.weight, bias: head.bias } };
}

/**
 * The CLI's toy task: random one-hot symbols `x` `[B, T, V]`; the class `y` int32 `[B]` is the
 * first symbol, so the loss at the last step depends on the first input.
 */
export function firstSymbolProbe(batch: number, length: number, symbols: number, generator: Generator): { x: Tensor; y: Tensor } {
  const ids = randint(0, symbols, [batch, length], { dtype: 'int32', generator });
  return { x: oneHot(ids, symbols).to('float32'), y: select(ids, 1, 0) };
}

/**
 * `norms[model][t − 1] = ‖∂L_T/∂h_t‖` for t = 1..T, each model fresh from the seed (as the CLI:
 * every model from `Generator(seed)`, the probe from `Generator(seed + 1)`).
 */
export function measureGradientFlow(length: number, settings: GradientFlowSettings = GRADIENT_FLOW_SETTINGS): GradientNorms {
  const { batch, symbols, seed, recurrentScale } = settings;
  const probe = firstSymbolProbe(batch, length, symbols, new Generator(seed + 1));
  const norms = {} as GradientNorms;
  for (const name of GRADIENT_FLOW_MODELS) {
    const { model, readout } = buildClassifier(name, settings, new Generator(seed));
    norms[name] = gradientNormsOverTime(model, { input: probe.x, target: probe.y, readout, recurrentScale }).norms;
  }
  return norms;
}
