import { Generator, ValueError, linear, narrow, relu, stack, sum, unbind, type Tensor } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { RecurrentGraphForecaster } from './forecast.js';
import { TinyGraphCell, ringSignal } from './forecast-test-support.js';

/** ReLU → Linear(hidden, 1) of one h `[N, hidden]`, as PyG Temporal's RecurrentGCN reads it out: `[N]`. */
function readOut(model: RecurrentGraphForecaster, h: Tensor): number[] {
  return Array.from(linear(relu(h), model.linear.weight, model.linear.bias).data);
}

describe('RecurrentGraphForecaster', () => {
  const signal = ringSignal(8);

  it("has PyG Temporal RecurrentGCN's parameter names: recurrent.*, linear.weight [1, hidden], linear.bias [1]", () => {
    const model = new RecurrentGraphForecaster(new TinyGraphCell(3, 6), { generator: new Generator(0) });
    expect(Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape])).toEqual([
      ['recurrent.weight', [6, 3]],
      ['recurrent.hidden_weight', [6, 6]],
      ['recurrent.bias', [6]],
      ['linear.weight', [1, 6]],
      ['linear.bias', [1]],
    ]);
    expect([model.inChannels, model.hiddenChannels]).toEqual([3, 6]);
    // torch.nn.Linear's init: U(±1/√hidden) for weight and bias.
    const bound = 1 / Math.sqrt(6);
    for (const v of [...model.linear.weight.data, ...model.linear.bias!.data]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
  });

  it('carries the state from snapshot to snapshot and reads each h out through ReLU and the linear map', () => {
    for (const states of [1, 2] as const) {
      const model = new RecurrentGraphForecaster(new TinyGraphCell(3, 4, { states }));
      const { predictions, state } = model.call(signal.features, signal.edgeIndex, { edgeWeight: signal.edgeWeight });
      expect(predictions.shape).toEqual([8, 5]);
      let h = model.recurrent.zeroState(5);
      const expected = unbind(signal.features, 0).map((x) => {
        h = model.recurrent.call(x, signal.edgeIndex, { edgeWeight: signal.edgeWeight, state: h });
        return readOut(model, h[0]!);
      });
      expectClose(predictions, expected, { rtol: 1e-12, atol: 1e-12 });
      expect(state).toHaveLength(states);
      state.forEach((s, i) => expectClose(s, h[i]!, { rtol: 1e-12, atol: 1e-12 }));
    }
  });

  it("starts every snapshot from zeros with state 'reset'", () => {
    const model = new RecurrentGraphForecaster(new TinyGraphCell(3, 4, { states: 2 }));
    const { predictions } = model.call(signal.features, signal.edgeIndex, { edgeWeight: signal.edgeWeight, state: 'reset' });
    const expected = unbind(signal.features, 0).map((x) =>
      readOut(model, model.recurrent.call(x, signal.edgeIndex, { edgeWeight: signal.edgeWeight })[0]!),
    );
    expectClose(predictions, expected, { rtol: 1e-12, atol: 1e-12 });
    const carried = model.call(signal.features, signal.edgeIndex, { edgeWeight: signal.edgeWeight }).predictions;
    expect(Math.abs(carried.data[39]! - predictions.data[39]!)).toBeGreaterThan(1e-6);
  });

  it('continues from a given state as if the sequence had not been cut', () => {
    const model = new RecurrentGraphForecaster(new TinyGraphCell(3, 4, { states: 2 }));
    const whole = model.call(signal.features, signal.edgeIndex, { edgeWeight: signal.edgeWeight });
    const first = model.call(narrow(signal.features, 0, 0, 5), signal.edgeIndex, { edgeWeight: signal.edgeWeight });
    const rest = model.call(narrow(signal.features, 0, 5, 3), signal.edgeIndex, { edgeWeight: signal.edgeWeight, state: first.state });
    expectClose(stack([...unbind(first.predictions, 0), ...unbind(rest.predictions, 0)], 0), whole.predictions, {
      rtol: 1e-12,
      atol: 1e-12,
    });
  });

  it('truncates backpropagation with detachEvery and leaves the values as they are', () => {
    const model = new RecurrentGraphForecaster(new TinyGraphCell(3, 4));
    const gradient = (detachEvery?: number) => {
      model.zeroGrad();
      const options = { edgeWeight: signal.edgeWeight, ...(detachEvery === undefined ? {} : { detachEvery }) };
      const { predictions } = model.call(signal.features, signal.edgeIndex, options);
      sum(predictions).backward();
      return { predictions, grad: model.recurrent.getParameter('hidden_weight')!.grad!.data.slice() };
    };
    const full = gradient();
    const whole = gradient(8);
    const truncated = gradient(1);
    expectClose(truncated.predictions, full.predictions, { rtol: 1e-12, atol: 1e-12 });
    expectClose(whole.grad, full.grad, { rtol: 1e-12, atol: 1e-12 });
    // With detachEvery 1 no gradient reaches h_{t−1} from step t: U only sees h_{t−1} as a constant.
    const differs = Array.from(truncated.grad).some((g, i) => Math.abs(g - full.grad[i]!) > 1e-8);
    expect(differs).toBe(true);
  });

  it('names what is wrong: the sequence shape, detachEvery with reset, a dtype that is not the cell’s', () => {
    const model = new RecurrentGraphForecaster(new TinyGraphCell(3, 4));
    expect(() => model.call(narrow(signal.features, 0, 0, 1).reshape([5, 3]), signal.edgeIndex)).toThrow(
      /xs must be \[T, N, 3\] \(snapshots × nodes × inChannels\), got \[5, 3\]/,
    );
    expect(() => model.call(signal.features, signal.edgeIndex, { state: 'reset', detachEvery: 2 })).toThrow(ValueError);
    expect(() => new RecurrentGraphForecaster(new TinyGraphCell(3, 4), { dtype: 'float32' })).toThrow(
      /dtype float32 differs from the recurrent cell's parameters \(float64\)/,
    );
  });

  it('forecasts an empty sequence as no predictions', () => {
    const model = new RecurrentGraphForecaster(new TinyGraphCell(3, 4));
    for (const state of [null, 'reset'] as const) {
      const { predictions } = model.call(narrow(signal.features, 0, 0, 0), signal.edgeIndex, { state });
      expect(predictions.shape).toEqual([0, 5]);
    }
  });
});
