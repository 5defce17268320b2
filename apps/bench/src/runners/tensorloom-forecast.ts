/**
 * tensorloom's forecasting epoch, written as a user would with the public API: the signal file
 * made a `laggedSignal` and split by `temporalSignalSplit` (@tensorloom/graph), `forecasterFor`
 * (@tensorloom/gnn: the recurrent graph cell, ReLU, `Linear(hidden, 1)`), then per epoch the
 * forecaster over every training snapshot with the state carried through, `mseLoss`, backward
 * through the whole sequence and `optim.Adam`: one epoch of `trainForecaster`'s recipe.
 */
import * as core from '@tensorloom/core-tensor';
import { forecasterFor } from '@tensorloom/gnn';
import { laggedSignal, temporalSignalSplit } from '@tensorloom/graph';
import { timeRuns } from '../measure.js';
import { readTemporal } from '../temporal-data.js';
import type { ForecastSpec } from '../workloads.js';
import type { RunContext, RunOutput } from './runner.js';

const { mseLoss, optim, tensor } = core;

/** Times training epochs of `spec` on its signal. */
export async function runTensorloomForecast(spec: ForecastSpec, context: RunContext): Promise<RunOutput> {
  if (context.dataRoot === undefined) throw new Error(`${spec.dataset}: no data root was given to the runner`);
  const raw = readTemporal(context.dataRoot, spec.dataset);
  const series = tensor(Float32Array.from(raw.series), { shape: [raw.steps, raw.nodes] });
  const edgeIndex = tensor(Int32Array.from([...raw.source, ...raw.target]), { shape: [2, raw.source.length], dtype: 'int32' });
  const edgeWeight = raw.weights === null ? null : tensor(Float32Array.from(raw.weights));
  const { train } = temporalSignalSplit(laggedSignal(series, { edgeIndex, edgeWeight }, spec.lags), spec.trainRatio);
  core.manualSeed(0);
  const model = forecasterFor(spec.model, { inChannels: spec.lags, hiddenChannels: spec.hidden, K: spec.K });
  model.train();
  const optimizer = new optim.Adam(model.parameters(), { lr: spec.lr });
  let lastLoss = NaN;
  const epoch = (): void => {
    optimizer.zeroGrad();
    const { predictions } = model.call(train.features, train.edgeIndex, { edgeWeight: train.edgeWeight });
    const loss = mseLoss(predictions, train.targets);
    loss.backward();
    optimizer.step();
    lastLoss = loss.item();
  };
  const timing = await timeRuns(epoch, context.timing, ({ phase, index, seconds }) =>
    context.log(`${phase} epoch ${index + 1}: ${seconds.toFixed(1)} s (loss ${lastLoss.toFixed(3)})`),
  );
  if (!Number.isFinite(lastLoss)) throw new Error(`${spec.name} loss is ${lastLoss}`);
  return { value: 1 / timing.bestSeconds, timing };
}
