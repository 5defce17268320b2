/**
 * `tensorloom demo`: the README's main job. Until the recurrent and graph models land it trains a
 * two-hidden-layer MLP on the classic two-spirals problem with core-tensor, showing the loss fall
 * and the final accuracy.
 */
import { writeFileSync } from 'node:fs';
import { Generator, argmax, crossEntropy, eq, manualSeed, nn, noGrad, optim, tensor, type Tensor } from '@tensorloom/core-tensor';
import { floatOption, intOption, stringOption, type Command } from '../cli.js';
import { lineChartSvg } from '../plot.js';
import { Progress } from '../progress.js';

/** Two interleaved spirals, one per class: `[x, y]` features in about [−1, 1], labels 0/1. */
export function twoSpirals(pointsPerClass: number, options: { noise?: number; turns?: number; generator: Generator }): { x: Tensor; y: Tensor } {
  const { noise = 0.02, turns = 1.5, generator } = options;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < pointsPerClass; i++) {
      const t = 0.05 + (0.95 * i) / Math.max(1, pointsPerClass - 1);
      const angle = t * turns * 2 * Math.PI + c * Math.PI;
      xs.push(t * Math.cos(angle) + generator.normal(0, noise), t * Math.sin(angle) + generator.normal(0, noise));
      ys.push(c);
    }
  }
  return { x: tensor(xs, { shape: [2 * pointsPerClass, 2] }), y: tensor(ys, { dtype: 'int32' }) };
}

function accuracy(logits: Tensor, y: Tensor): number {
  return noGrad(() => eq(argmax(logits, 1), y).sum().item() / y.size);
}

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'Train a small MLP on two spirals and print the loss falling and the final accuracy.',
  options: {
    epochs: { type: 'string', description: 'Full-batch training steps.', default: '600', valueName: 'N' },
    hidden: { type: 'string', description: 'Units in each of the two hidden layers.', default: '64', valueName: 'N' },
    points: { type: 'string', description: 'Points per spiral (class).', default: '200', valueName: 'N' },
    lr: { type: 'string', description: 'Adam learning rate.', default: '0.01', valueName: 'RATE' },
    seed: { type: 'string', description: 'Random seed for data and initialisation.', default: '0', valueName: 'N' },
    plot: { type: 'string', description: 'Write the loss and accuracy curves to this SVG file.', valueName: 'FILE' },
  },
  async run(values, ctx) {
    const epochs = intOption(values, 'epochs', 600, { min: 1 });
    const hidden = intOption(values, 'hidden', 64, { min: 1 });
    const points = intOption(values, 'points', 200, { min: 2 });
    const lr = floatOption(values, 'lr', 0.01, { min: 0, exclusiveMin: true });
    const seed = intOption(values, 'seed', 0);
    const plotPath = stringOption(values, 'plot');

    manualSeed(seed);
    const generator = new Generator(seed);
    const train = twoSpirals(points, { generator });
    const test = twoSpirals(points, { generator });
    const model = new nn.Sequential(
      new nn.Linear({ inFeatures: 2, outFeatures: hidden, generator }),
      new nn.Tanh(),
      new nn.Linear({ inFeatures: hidden, outFeatures: hidden, generator }),
      new nn.Tanh(),
      new nn.Linear({ inFeatures: hidden, outFeatures: 2, generator }),
    );
    const optimizer = new optim.Adam(model.parameters(), { lr });
    ctx.log(`two spirals: ${train.y.size} training points, MLP 2-${hidden}-${hidden}-2 (${model.numParameters()} parameters), Adam lr ${lr}`);

    const progress = new Progress(ctx.stderr, epochs, 'train');
    const curve: { epoch: number; loss: number; accuracy: number }[] = [];
    const started = performance.now();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      optimizer.zeroGrad();
      const logits = model.forward(train.x);
      const loss = crossEntropy(logits, train.y);
      loss.backward();
      optimizer.step();
      const acc = accuracy(logits, train.y);
      curve.push({ epoch, loss: loss.item(), accuracy: acc });
      progress.update(epoch, { loss: loss.item().toFixed(4), acc: `${(acc * 100).toFixed(1)}%` });
    }
    const seconds = (performance.now() - started) / 1000;
    model.eval();
    const testLogits = noGrad(() => model.forward(test.x));
    const testLoss = noGrad(() => crossEntropy(testLogits, test.y).item());
    const testAccuracy = accuracy(testLogits, test.y);
    const first = curve[0]!;
    const last = curve[curve.length - 1]!;

    ctx.print(`loss: ${first.loss.toFixed(4)} at step 1 -> ${last.loss.toFixed(4)} at step ${epochs}`);
    for (const point of curve.filter((_, i) => i % Math.max(1, Math.floor(epochs / 8)) === 0)) {
      ctx.print(`  step ${String(point.epoch).padStart(5)}  loss ${point.loss.toFixed(4)}  train accuracy ${(point.accuracy * 100).toFixed(1)}%`);
    }
    ctx.print(`final train accuracy: ${(last.accuracy * 100).toFixed(1)}%`);
    ctx.print(`held-out accuracy:    ${(testAccuracy * 100).toFixed(1)}% (loss ${testLoss.toFixed(4)}) in ${seconds.toFixed(1)} s`);
    if (plotPath) {
      writeFileSync(
        plotPath,
        lineChartSvg({
          title: 'two spirals: MLP training',
          xLabel: 'step',
          yLabel: 'loss / accuracy',
          series: [
            { name: 'loss', points: curve.map((p) => [p.epoch, p.loss]) },
            { name: 'train accuracy', points: curve.map((p) => [p.epoch, p.accuracy]) },
          ],
        }),
      );
      ctx.log(`wrote ${plotPath}`);
    }
    return {
      task: 'two-spirals',
      epochs,
      initialLoss: first.loss,
      finalLoss: last.loss,
      trainAccuracy: last.accuracy,
      testAccuracy,
      testLoss,
      seconds,
      ...(plotPath ? { plot: plotPath } : {}),
    };
  },
};
