/**
 * `tensorloom rnn gradients`: the course's vanishing-gradient measurement. For each model it
 * prints `‖∂L_T/∂h_t‖` over the steps t of a length-T sequence (the loss read at the last step
 * only) and plots them on a log scale, fresh or after a short training on a toy task.
 */
import { writeFileSync } from 'node:fs';
import { Generator, crossEntropy, linear, nn, noGrad, oneHot, optim, randint, select, type Tensor } from '@tensorloom/core-tensor';
import { LSTM } from '@tensorloom/lstm';
import { GRU, RNN, VanillaRNN, gradientNormsOverTime, type GradientFlowModel } from '@tensorloom/rnn';
import { UsageError, floatOption, intOption, stringOption, type Command } from '../cli.js';
import { lineChartSvg } from '../plot.js';
import { Progress } from '../progress.js';

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

function parseModels(text: string): GradientModelName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new UsageError(`--models expects a comma-separated list of ${GRADIENT_MODELS.join(', ')}, got '${text}'`);
  for (const n of names) {
    if (!(GRADIENT_MODELS as readonly string[]).includes(n))
      throw new UsageError(`--models: unknown model '${n}' (choose from ${GRADIENT_MODELS.join(', ')})`);
  }
  return [...new Set(names)] as GradientModelName[];
}

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
    length: { type: 'string', description: 'Sequence length T.', default: '100', valueName: 'T' },
    models: { type: 'string', description: 'Comma-separated models to compare.', default: 'rnn,lstm,gru', valueName: 'LIST' },
    hidden: { type: 'string', description: 'Hidden units of every model.', default: '128', valueName: 'N' },
    batch: { type: 'string', description: 'Sequences in the measured (and each training) batch.', default: '8', valueName: 'N' },
    symbols: { type: 'string', description: 'Symbols of the toy task (input size and classes).', default: '8', valueName: 'N' },
    seed: { type: 'string', description: 'Random seed for initialisation and data.', default: '0', valueName: 'N' },
    scale: {
      type: 'string',
      description: 'Multiply the recurrent weights by this for the measurement (>1 shows explosion).',
      default: '1',
      valueName: 'S',
    },
    'forget-bias': { type: 'string', description: 'Forget-gate bias of the LSTM.', default: '1', valueName: 'B' },
    'trained-steps': {
      type: 'string',
      description: 'Train each model this many Adam steps on the toy task first (0 = fresh).',
      default: '0',
      valueName: 'N',
    },
    lr: { type: 'string', description: 'Adam learning rate for --trained-steps.', default: '0.001', valueName: 'RATE' },
    every: { type: 'string', description: 'Print every k-th step in the table (default: about 10 rows).', valueName: 'K' },
    out: { type: 'string', description: 'Write the log-scale plot to this SVG file.', valueName: 'FILE' },
  },
  async run(values, ctx) {
    const length = intOption(values, 'length', 100, { min: 1 });
    const models = parseModels(stringOption(values, 'models') ?? 'rnn,lstm,gru');
    const hidden = intOption(values, 'hidden', 128, { min: 1 });
    const batch = intOption(values, 'batch', 8, { min: 1 });
    const symbols = intOption(values, 'symbols', 8, { min: 2 });
    const seed = intOption(values, 'seed', 0);
    const scale = floatOption(values, 'scale', 1);
    const forgetBias = floatOption(values, 'forget-bias', 1);
    const trainedSteps = intOption(values, 'trained-steps', 0, { min: 0 });
    const lr = floatOption(values, 'lr', 0.001, { min: 0, exclusiveMin: true });
    const every = intOption(values, 'every', Math.max(1, Math.round(length / 10)), { min: 1 });
    const out = stringOption(values, 'out');

    // The same measured batch for every model.
    const probe = firstSymbolTask(batch, length, symbols, new Generator(seed + 1));
    const results: Partial<Record<GradientModelName, number[]>> = {};
    const training: Partial<Record<GradientModelName, { loss: number; accuracy: number }>> = {};
    ctx.log(
      `‖∂L_T/∂h_t‖ for T = ${length}, hidden ${hidden}, batch ${batch}${scale !== 1 ? `, recurrent weights ×${scale}` : ''}, ${trainedSteps > 0 ? `after ${trainedSteps} training steps` : 'fresh models'}`,
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
      ctx.print(
        `${m}: ‖∂L_T/∂h_1‖ / ‖∂L_T/∂h_T‖ = ${fmt(norms[0]! / norms[length - 1]!)}${training[m] ? ` (trained: loss ${training[m].loss.toFixed(3)}, accuracy ${(training[m].accuracy * 100).toFixed(1)}%)` : ''}`,
      );
    }

    if (out) {
      writeFileSync(
        out,
        lineChartSvg({
          logY: true,
          title: `‖∂L_T/∂h_t‖ over t (T = ${length}, ${trainedSteps > 0 ? `trained ${trainedSteps} steps` : 'fresh'}${scale !== 1 ? `, W_hh ×${scale}` : ''})`,
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
