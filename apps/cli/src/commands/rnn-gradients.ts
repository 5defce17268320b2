/**
 * `tensorloom rnn gradients`: the course's vanishing-gradient measurement. For each model it
 * prints `‖∂L_T/∂h_t‖` over the steps t of a length-T sequence (the loss read at the last step
 * only) and plots them on a log scale, fresh or after a short training on a toy task.
 */
import { writeFileSync } from 'node:fs';
import { Generator, crossEntropy, linear, nn, noGrad, oneHot, optim, randint, select, type Tensor } from '@tensorloom/core-tensor';
import { LSTM } from '@tensorloom/lstm';
import { DEFAULT_GRADIENT_FLOW, GRU, RNN, VanillaRNN, gradientNormsOverTime, type GradientFlowModel } from '@tensorloom/rnn';
import { UsageError, stringOption, type Command } from '../cli.js';
import { lineChartSvg } from '../plot.js';
import { Progress } from '../progress.js';
import { float, int, resolveSettings, settingOptions } from '../settings.js';
import { checkMemory } from '../memory.js';
import { checkOutputFile } from '../output-paths.js';

/** The models `--models` accepts. */
export const GRADIENT_MODELS = ['rnn', 'rnn-relu', 'gru', 'lstm', 'vanilla'] as const;
export type GradientModelName = (typeof GRADIENT_MODELS)[number];

const DESCRIPTIONS: Record<GradientModelName, string> = {
  rnn: 'RNN (tanh)',
  'rnn-relu': 'RNN (relu)',
  gru: 'GRU',
  lstm: 'LSTM',
  vanilla: "the course's VanillaRNN",
};

/** A recurrent model with the linear read-out of its last state. */
interface Classifier {
  model: GradientFlowModel;
  readout: { weight: Tensor; bias: Tensor | null };
  parameters: Tensor[];
  /** Logits `[B, C]` from the last step of `x` `[B, T, I]`. */
  logits(x: Tensor): Tensor;
}

function buildClassifier(
  name: GradientModelName,
  sizes: { symbols: number; hidden: number; forgetBias: number },
  generator: Generator,
): Classifier {
  const { symbols, hidden, forgetBias } = sizes;
  if (name === 'vanilla') {
    const model = new VanillaRNN({ inputSize: symbols, hiddenSize: hidden, outputSize: symbols, generator });
    return {
      model,
      readout: { weight: model.W_ph, bias: model.b_p },
      parameters: model.parameters(),
      logits: (x) => select(model.forward(x).logits, 1, x.shape[1]! - 1),
    };
  }
  const options = { inputSize: symbols, hiddenSize: hidden, batchFirst: true, generator };
  const layer =
    name === 'lstm'
      ? new LSTM({ ...options, forgetBias })
      : name === 'gru'
        ? new GRU(options)
        : new RNN({ ...options, nonlinearity: name === 'rnn-relu' ? 'relu' : 'tanh' });
  const head = new nn.Linear({ inFeatures: hidden, outFeatures: symbols, generator });
  return {
    model: layer,
    readout: { weight: head.weight, bias: head.bias },
    parameters: [...layer.parameters(), ...head.parameters()],
    logits: (x) => linear(select(layer.forward(x).output, 1, x.shape[1]! - 1), head.weight, head.bias),
  };
}

/**
 * The toy task: a sequence of random symbols (one-hot), and the class to predict at the last step
 * is the first symbol, so the whole length must be bridged. `x` `[B, T, V]`, `y` int32 `[B]`.
 */
export function firstSymbolTask(batch: number, length: number, symbols: number, generator: Generator): { x: Tensor; y: Tensor } {
  const ids = randint(0, symbols, [batch, length], { dtype: 'int32', generator });
  return { x: oneHot(ids, symbols).to('float32'), y: select(ids, 1, 0) };
}

function parseModels(raw: string | boolean, flag: string): GradientModelName[] {
  const text = String(raw);
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new UsageError(`--${flag} expects a comma-separated list of ${GRADIENT_MODELS.join(', ')}, got '${text}'`);
  for (const n of names) {
    if (!(GRADIENT_MODELS as readonly string[]).includes(n))
      throw new UsageError(`--${flag}: unknown model '${n}' (choose from ${GRADIENT_MODELS.join(', ')})`);
  }
  return [...new Set(names)] as GradientModelName[];
}

/** The command's flags; `length` and `scale` are also `gradientNormsOverTime`'s defaults, the rest the command's own. */
export const GRADIENT_SETTINGS = {
  length: {
    flag: 'length',
    description: 'Sequence length T',
    valueName: 'T',
    default: DEFAULT_GRADIENT_FLOW.length,
    parse: int({ min: 1 }),
  },
  models: {
    flag: 'models',
    description: 'Comma-separated models to compare',
    valueName: 'LIST',
    default: ['rnn', 'lstm', 'gru'] as GradientModelName[],
    parse: parseModels,
    format: (models: GradientModelName[]) => models.join(','),
  },
  hidden: { flag: 'hidden', description: 'Hidden units of every model', valueName: 'N', default: 128, parse: int({ min: 1 }) },
  batch: {
    flag: 'batch',
    description: 'Sequences in the measured (and each training) batch',
    valueName: 'N',
    default: 8,
    parse: int({ min: 1 }),
  },
  symbols: {
    flag: 'symbols',
    description: 'Symbols of the toy task (input size and classes)',
    valueName: 'N',
    default: 8,
    parse: int({ min: 2 }),
  },
  seed: { flag: 'seed', description: 'Random seed for initialisation and data', valueName: 'N', default: 0, parse: int() },
  scale: {
    flag: 'scale',
    description: 'Multiply the recurrent weights by this for the measurement (>1 shows explosion)',
    valueName: 'S',
    default: DEFAULT_GRADIENT_FLOW.recurrentScale,
    parse: float(),
  },
  forgetBias: { flag: 'forget-bias', description: 'Forget-gate bias of the LSTM', valueName: 'B', default: 1, parse: float() },
  trainedSteps: {
    flag: 'trained-steps',
    description: 'Train each model this many Adam steps on the toy task first (0 = fresh)',
    valueName: 'N',
    default: 0,
    parse: int({ min: 0 }),
  },
  lr: { flag: 'lr', description: 'Adam learning rate for --trained-steps', valueName: 'RATE', default: 0.001, parse: float({ above: 0 }) },
  every: {
    flag: 'every',
    description: 'Print every k-th step in the table (default: about 10 rows)',
    valueName: 'K',
    default: undefined as number | undefined,
    parse: int({ min: 1 }),
  },
};

/** `lineChartSvg` with a log₁₀ y axis: values are plotted as their base-10 logarithm (zeros are left out). */
const fmt = (v: number): string => (Number.isFinite(v) ? v.toExponential(2) : String(v));

export const rnnGradientsCommand: Command = {
  path: ['rnn', 'gradients'],
  summary: 'Show vanishing and exploding gradients: ‖∂L_T/∂h_t‖ over the steps of a sequence, per model.',
  details: [
    `Models: ${GRADIENT_MODELS.map((m) => `${m} (${DESCRIPTIONS[m]})`).join(', ')}.`,
    'The input is a batch of random one-hot symbol sequences; L_T is the cross-entropy of a linear read-out of the',
    'last state against the first symbol (the toy task --trained-steps trains on). Each norm is the mean over the',
    "batch of one sequence's ‖∂L_T/∂h_t‖₂. --scale multiplies the recurrent weights for the measurement only;",
    'norms past the float32 range print as Infinity (null in the JSON) and are left out of the plot.',
  ].join('\n'),
  options: {
    ...settingOptions(GRADIENT_SETTINGS),
    out: { type: 'string', description: 'Write the log-scale plot to this SVG file.', valueName: 'FILE' },
  },
  async run(values, ctx) {
    const settings = resolveSettings(values, GRADIENT_SETTINGS);
    const { length, models, hidden, batch, symbols, seed, scale, forgetBias, trainedSteps, lr } = settings;
    const every = settings.every ?? Math.max(1, Math.round(length / 10));
    // Per step the unroller keeps the input, the hidden state and the LSTM's four gates and cell, forward and backward.
    checkMemory('the gradient measurement', [
      {
        what: 'activations',
        flags: [`--batch ${batch}`, `--length ${length}`, `--hidden ${hidden}`],
        elements: 2 * batch * length * (symbols + 8 * hidden),
        largestTensor: batch * length * Math.max(symbols, 4 * hidden),
      },
      {
        what: 'parameters',
        flags: [`--hidden ${hidden}`],
        elements: 4 * 4 * hidden * (hidden + symbols + 2),
        largestTensor: 4 * hidden * hidden,
      },
    ]);
    const out = stringOption(values, 'out');
    if (out !== undefined) checkOutputFile(out, 'out');

    // The same measured batch for every model.
    const probe = firstSymbolTask(batch, length, symbols, new Generator(seed + 1));
    const results: Partial<Record<GradientModelName, number[]>> = {};
    const training: Partial<Record<GradientModelName, { loss: number; accuracy: number }>> = {};
    ctx.log(
      `‖∂L_T/∂h_t‖ for T = ${length}, hidden ${hidden}, batch ${batch}${scale !== 1 ? `, recurrent weights ×${scale}` : ''}, ` +
        `${trainedSteps > 0 ? `after ${trainedSteps} training steps` : 'fresh models'}`,
    );
    for (const name of models) {
      const classifier = buildClassifier(name, { symbols, hidden, forgetBias }, new Generator(seed));
      if (trainedSteps > 0)
        training[name] = train(classifier, {
          steps: trainedSteps,
          batch,
          length,
          symbols,
          lr,
          generator: new Generator(seed + 2),
          progress: new Progress(ctx.stderr, trainedSteps, `train ${name}`),
        });
      const { norms } = gradientNormsOverTime(classifier.model, {
        input: probe.x,
        target: probe.y,
        readout: classifier.readout,
        recurrentScale: scale,
      });
      results[name] = norms;
    }

    const header = ['step'.padStart(6), ...models.map((m) => m.padStart(10))].join('  ');
    ctx.print(header);
    const rows = Array.from({ length }, (_, i) => i + 1).filter((t) => (t - 1) % every === 0 || t === length);
    for (const t of rows) ctx.print([String(t).padStart(6), ...models.map((m) => fmt(results[m]![t - 1]!).padStart(10))].join('  '));
    for (const m of models) {
      const norms = results[m]!;
      const trained = training[m];
      const after = trained ? ` (trained: loss ${trained.loss.toFixed(3)}, accuracy ${(trained.accuracy * 100).toFixed(1)}%)` : '';
      ctx.print(`${m}: ‖∂L_T/∂h_1‖ / ‖∂L_T/∂h_T‖ = ${fmt(norms[0]! / norms[length - 1]!)}${after}`);
    }

    if (out) {
      writeFileSync(
        out,
        lineChartSvg({
          logY: true,
          title:
            `‖∂L_T/∂h_t‖ over t (T = ${length}, ${trainedSteps > 0 ? `trained ${trainedSteps} steps` : 'fresh'}` +
            `${scale !== 1 ? `, W_hh ×${scale}` : ''})`,
          xLabel: 'step t',
          yLabel: '‖∂L_T/∂h_t‖',
          series: models.map((m) => ({ name: m, points: results[m]!.map((v, i) => [i + 1, v] as const) })),
        }),
      );
      ctx.log(`wrote ${out}`);
    }
    return {
      length,
      hidden,
      batch,
      seed,
      scale,
      trainedSteps,
      models: results,
      ...(trainedSteps > 0 ? { training } : {}),
      plot: out ?? null,
    };
  },
};

/** Adam with max-norm 10 clipping (the course's settings) on fresh batches of the first-symbol task. */
function train(
  classifier: Classifier,
  options: { steps: number; batch: number; length: number; symbols: number; lr: number; generator: Generator; progress: Progress },
): { loss: number; accuracy: number } {
  const optimizer = new optim.Adam(classifier.parameters, { lr: options.lr });
  let last = { loss: NaN, accuracy: 0 };
  for (let step = 1; step <= options.steps; step++) {
    const { x, y } = firstSymbolTask(options.batch, options.length, options.symbols, options.generator);
    optimizer.zeroGrad();
    const logits = classifier.logits(x);
    const loss = crossEntropy(logits, y);
    loss.backward();
    optim.clipGradNorm(classifier.parameters, 10);
    optimizer.step();
    const accuracy = noGrad(() => logits.argmax(1).eq(y).sum().item() / options.batch);
    last = { loss: loss.item(), accuracy };
    options.progress.update(step, { loss: last.loss.toFixed(4), acc: `${(accuracy * 100).toFixed(1)}%` });
  }
  return last;
}
