import { describe, expect, it } from 'vitest';
import { Generator, ShapeError, ValueError, linear, randn, select, softmax, tensor, type Tensor } from '@tensorloom/core-tensor';
import type { CellKind } from './cell-kind.js';
import { RecurrentLayer, type RecurrentLayerOptions } from './recurrent-layer.js';
import { RNN } from './rnn.js';
import { GRU } from './gru.js';
import { VanillaRNN } from './vanilla-rnn.js';
import { gradientNormsOverTime } from './gradient-flow.js';

/** A linear (identity-activation) Elman RNN: its Jacobians are exactly W_hh. */
const linearKind: CellKind = {
  name: 'RNN_LINEAR',
  chunks: 1,
  stateNames: ['h'],
  parameterShapes: ({ inputSize, hiddenSize }) => ({
    weight_ih: [hiddenSize, inputSize],
    weight_hh: [hiddenSize, hiddenSize],
    bias_ih: [hiddenSize],
    bias_hh: [hiddenSize],
  }),
  stateSizes: ({ hiddenSize }) => [hiddenSize],
  step: (xProj, state, params) => [xProj.add(linear(state[0]!, params.weight_hh!, params.bias_hh ?? null))],
};
class LinearRNN extends RecurrentLayer<'h'> {
  constructor(options: RecurrentLayerOptions) {
    super(linearKind, options);
  }
}

const ratios = (norms: number[]) => norms.slice(1).map((n, i) => norms[i]! / n); // ‖g_{t−1}‖ / ‖g_t‖

describe('gradientNormsOverTime', () => {
  it('vanishes geometrically for a tanh RNN with small recurrent weights: each step back shrinks by at least ‖W_hh‖₂', () => {
    // Orthogonal W_hh scaled by 0.5 has spectral norm 0.5, and tanh' ≤ 1, so ‖∂h_j/∂h_{j−1}‖₂ ≤ 0.5.
    const model = new VanillaRNN({
      inputSize: 3,
      hiddenSize: 16,
      outputSize: 4,
      init: 'orthogonal',
      dtype: 'float64',
      generator: new Generator(0),
    });
    const { norms } = gradientNormsOverTime(model, { length: 100, batch: 2, recurrentScale: 0.5, generator: new Generator(1) });
    expect(norms).toHaveLength(100);
    for (const r of ratios(norms)) expect(r).toBeLessThanOrEqual(0.5 * (1 + 1e-9));
    expect(norms[0]! / norms[99]!).toBeLessThan(0.5 ** 99 * 1.01);
    expect(norms[0]!).toBeGreaterThan(0);
  });

  it('vanishes for the default-initialised vanilla RNN and GRU over 100 steps', () => {
    const vanilla = new VanillaRNN({ inputSize: 4, hiddenSize: 32, outputSize: 4, generator: new Generator(0) });
    const gru = new GRU({ inputSize: 4, hiddenSize: 32, generator: new Generator(0) });
    for (const model of [vanilla, gru]) {
      const { norms } = gradientNormsOverTime(model, { length: 100, batch: 4, generator: new Generator(1) });
      expect(norms.every(Number.isFinite)).toBe(true);
      expect(norms[0]! / norms[99]!).toBeLessThan(1e-8);
    }
  });

  it('explodes exactly geometrically for a linear RNN with W_hh = 1.5·(orthogonal)', () => {
    const model = new LinearRNN({ inputSize: 3, hiddenSize: 8, init: 'orthogonal', dtype: 'float64', generator: new Generator(2) });
    const { norms } = gradientNormsOverTime(model, { length: 40, recurrentScale: 1.5, generator: new Generator(3) });
    for (const r of ratios(norms)) expect(r).toBeCloseTo(1.5, 9);
  });

  it('explodes for relu and tanh RNNs with large recurrent weights', () => {
    for (const [nonlinearity, scale] of [
      ['relu', 1.5],
      ['tanh', 2],
    ] as const) {
      const model = new RNN({
        inputSize: 4,
        hiddenSize: 32,
        nonlinearity,
        init: 'orthogonal',
        generator: new Generator(0),
        dtype: 'float64',
      });
      const { norms } = gradientNormsOverTime(model, { length: 100, batch: 4, recurrentScale: scale, generator: new Generator(1) });
      expect(norms[0]! / norms[99]!, nonlinearity).toBeGreaterThan(1e3);
      const unscaled = gradientNormsOverTime(model, { length: 100, batch: 4, generator: new Generator(1) }).norms;
      expect(unscaled[0]! / unscaled[99]!, nonlinearity).toBeLessThan(1e-3);
    }
  });

  it('starts from ∂L_T/∂h_T = W_phᵀ(ŷ_T − y_T) for the vanilla RNN, and from ones with the sum loss', () => {
    const model = new VanillaRNN({ inputSize: 2, hiddenSize: 5, outputSize: 3, dtype: 'float64', generator: new Generator(4) });
    const input = randn([1, 6, 2], { dtype: 'float64', generator: new Generator(5) });
    const target = tensor([2], { dtype: 'int32' });
    const { norms, loss } = gradientNormsOverTime(model, { input, target });
    const { logits, hidden } = model.forward(input);
    const pT = select(logits, 1, 5);
    const delta = softmax(pT, -1).sub(tensor([[0, 0, 1]], { dtype: 'float64' }));
    const g = delta.matmul(model.W_ph);
    expect(norms[5]).toBeCloseTo(Math.sqrt(g.square().sum().item()), 12);
    expect(loss).toBeCloseTo(-Math.log(softmax(pT, -1).data[2]!), 12);
    const sum = gradientNormsOverTime(model, { input, loss: 'sum' });
    expect(sum.norms[5]).toBeCloseTo(Math.sqrt(5), 12);
    expect(sum.loss).toBeCloseTo(select(hidden, 1, 5).sum().item(), 12);
  });

  it("uses a given read-out, and leaves the model's parameters and gradients untouched", () => {
    const model = new RNN({ inputSize: 3, hiddenSize: 6, numLayers: 2, dtype: 'float64', generator: new Generator(6) });
    const before = model.parameters().map((p) => Array.from(p.data));
    const readout = { weight: randn([4, 6], { dtype: 'float64', generator: new Generator(7) }), bias: null };
    const a = gradientNormsOverTime(model, { length: 12, batch: 3, readout, recurrentScale: 3, generator: new Generator(8) });
    const b = gradientNormsOverTime(model, { length: 12, batch: 3, readout, recurrentScale: 3, generator: new Generator(8) });
    expect(a).toEqual(b);
    expect(a.norms).toHaveLength(12);
    expect(model.parameters().map((p) => Array.from(p.data))).toEqual(before);
    expect(model.parameters().every((p: Tensor) => p.grad === null)).toBe(true);
  });

  it('rejects bidirectional layers, bad inputs and bad options', () => {
    expect(() => gradientNormsOverTime(new RNN({ inputSize: 2, hiddenSize: 3, bidirectional: true }))).toThrow(ValueError);
    const model = new GRU({ inputSize: 2, hiddenSize: 3 });
    expect(() => gradientNormsOverTime(model, { input: randn([1, 4, 5]) })).toThrow(ShapeError);
    expect(() => gradientNormsOverTime(model, { length: 0 })).toThrow(ValueError);
    expect(() => gradientNormsOverTime(model, { length: 3, readout: { weight: randn([4, 7]) } })).toThrow(ShapeError);
    expect(() => gradientNormsOverTime(model, { length: 3, target: tensor([0, 1], { dtype: 'int32' }) })).toThrow(ShapeError);
    // @ts-expect-error: an invalid option value
    expect(() => gradientNormsOverTime(model, { loss: 'mean' })).toThrow(ValueError);
  });
});
