import { Generator, ValueError, tensor } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { DCRNN } from './dcrnn.js';
import { FORECAST_MODELS, forecasterFor } from './forecast-models.js';
import { ringSignal } from './forecast-test-support.js';
import { GConvGRU } from './gconv-gru.js';
import { GConvLSTM } from './gconv-lstm.js';
import { TGCN } from './tgcn.js';

describe('forecasterFor', () => {
  const signal = ringSignal(6, { lags: 4 });

  it('builds each model with its cell under recurrent.*, PyG Temporal’s names, and Linear(hidden, 1) as linear.*', () => {
    const cells = { 'gconv-gru': GConvGRU, 'gconv-lstm': GConvLSTM, tgcn: TGCN, dcrnn: DCRNN };
    for (const name of FORECAST_MODELS) {
      const model = forecasterFor(name, { inChannels: 4, dtype: 'float64', generator: new Generator(1) });
      expect(model.recurrent).toBeInstanceOf(cells[name]);
      expect([model.inChannels, model.hiddenChannels]).toEqual([4, 32]);
      const shapes = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape]));
      expect(Object.keys(shapes).every((k) => k.startsWith('recurrent.') || k.startsWith('linear.'))).toBe(true);
      expect([shapes['linear.weight'], shapes['linear.bias']]).toEqual([[1, 32], [1]]);
      const { predictions } = model.call(signal.features, signal.edgeIndex, { edgeWeight: signal.edgeWeight });
      expect(predictions.shape).toEqual([6, 5]);
      expect(Array.from(predictions.data).every(Number.isFinite)).toBe(true);
    }
    const shapes = (name: (typeof FORECAST_MODELS)[number]) =>
      Object.fromEntries(Object.entries(forecasterFor(name, { inChannels: 4 }).stateDict()).map(([k, t]) => [k, t.shape]));
    expect(shapes('gconv-gru')).toMatchObject({ 'recurrent.conv_x_z.lins.1.weight': [32, 4], 'recurrent.conv_h_h.bias': [32] });
    expect(shapes('gconv-lstm')).toMatchObject({ 'recurrent.w_c_i': [1, 32], 'recurrent.conv_h_o.lins.0.weight': [32, 32] });
    expect(shapes('tgcn')).toMatchObject({ 'recurrent.conv_z.lin.weight': [32, 4], 'recurrent.linear_h.weight': [32, 64] });
    expect(shapes('dcrnn')).toMatchObject({ 'recurrent.conv_x_r.weight': [2, 2, 36, 32] });
  });

  it('takes hiddenChannels and K, and leaves K out of TGCN, which has none', () => {
    const model = forecasterFor('gconv-lstm', { inChannels: 4, hiddenChannels: 8, K: 3 });
    expect(model.stateDict()['recurrent.conv_x_i.lins.2.weight']!.shape).toEqual([8, 4]);
    expect(forecasterFor('tgcn', { inChannels: 4, K: 5 }).numParameters()).toBe(forecasterFor('tgcn', { inChannels: 4 }).numParameters());
  });

  it('with K = 1 (PyG Temporal’s examples) forecasts the same on any graph; with K = 2 the graph matters', () => {
    const noEdges = tensor([[], []], { dtype: 'int32' });
    const empty = tensor([], { dtype: 'float64' });
    for (const K of [1, 2]) {
      const model = forecasterFor('gconv-gru', { inChannels: 4, K, dtype: 'float64', generator: new Generator(2) });
      const onGraph = model.call(signal.features, signal.edgeIndex, { edgeWeight: signal.edgeWeight }).predictions;
      const alone = model.call(signal.features, noEdges, { edgeWeight: empty }).predictions;
      if (K === 1) expectClose(onGraph, alone, { rtol: 1e-12, atol: 1e-12 });
      else expect(Array.from(onGraph.data).some((v, i) => Math.abs(v - alone.data[i]!) > 1e-6)).toBe(true);
    }
  });

  it('refuses an unknown model and sizes that are not positive integers', () => {
    expect(() => forecasterFor('lstm' as 'tgcn', { inChannels: 4 })).toThrow(
      /model must be one of gconv-gru, gconv-lstm, tgcn, dcrnn, got 'lstm'/,
    );
    expect(() => forecasterFor('gconv-gru', { inChannels: 4, hiddenChannels: 0 })).toThrow(ValueError);
    expect(() => forecasterFor('dcrnn', { inChannels: 4, K: 1.5 })).toThrow(/K must be a positive integer/);
  });
});
