import { describe, expect, it } from 'vitest';
import { noGrad } from '../autograd.js';
import type { FloatDType } from '../dtype.js';
import { BackendError, DTypeError, IndexError, ShapeError, ValueError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { Tensor } from '../tensor.js';
import { expectClose } from '../testing/expect-close.js';
import { add } from './arithmetic.js';
import { randn, zeros } from './creation.js';
import { embedding } from './indexing.js';
import { linear } from './matmul.js';
import { lstmCell } from './recurrent.js';
import { lstmStepper, type LSTMStepperLayerWeights } from './recurrent-stepper.js';
import { stack } from './join.js';

interface Model {
  embedding: Tensor;
  layers: LSTMStepperLayerWeights[];
  head: { weight: Tensor; bias: Tensor };
}

function randomModel(seed: number, sizes: { V: number; E: number; H: number; L: number; O: number }, dtype: FloatDType): Model {
  const generator = new Generator(seed);
  const r = (shape: number[], scale = 0.5) => randn(shape, { dtype, generator }).mul(scale);
  const { V, E, H, L, O } = sizes;
  return {
    embedding: r([V, E], 1),
    layers: Array.from({ length: L }, (_, k) => ({
      weightIH: r([4 * H, k === 0 ? E : H]),
      weightHH: r([4 * H, H]),
      biasIH: r([4 * H]),
      biasHH: r([4 * H]),
    })),
    head: { weight: r([O, H]), bias: r([O]) },
  };
}

/** The model stepped with separate ops (embedding, linear, lstmCell): logits [B, O] and the new state per layer. */
function referenceStep(model: Model, tokens: Int32Array, h: Tensor[], c: Tensor[]): Tensor {
  return noGrad(() => {
    let x = embedding(model.embedding, new Tensor(tokens, [tokens.length], 'int32'));
    model.layers.forEach((layer, k) => {
      const gates = add(linear(x, layer.weightIH, layer.biasIH), linear(h[k]!, layer.weightHH, layer.biasHH));
      const next = lstmCell(gates, c[k]!);
      h[k] = next.h;
      c[k] = next.c;
      x = next.h;
    });
    return linear(x, model.head.weight, model.head.bias);
  });
}

const TOLERANCE = { float32: { rtol: 1e-4, atol: 1e-5 }, float64: { rtol: 1e-12, atol: 1e-12 } } as const;

describe('lstmStepper', () => {
  describe.each([
    ['float32', 1, 1],
    ['float32', 3, 2],
    ['float32', 64, 2],
    ['float64', 1, 2],
    ['float64', 3, 1],
    ['float64', 64, 2],
  ] as const)('%s, %i rows, %i layer(s)', (dtype, batchSize, numLayers) => {
    it('gives the logits and states of stepping the embedding, LSTM cells and head as separate ops, over several steps', () => {
      const sizes = { V: 11, E: 6, H: 13, L: numLayers, O: 9 };
      const model = randomModel(batchSize * 10 + numLayers, sizes, dtype);
      const stepper = lstmStepper({ ...model, batchSize });
      const h = Array.from({ length: numLayers }, () => zeros([batchSize, sizes.H], { dtype }));
      const c = h.map((x) => x.clone());
      const generator = new Generator(3);
      for (let t = 0; t < 6; t++) {
        const tokens = Int32Array.from({ length: batchSize }, () => generator.integer(0, sizes.V));
        const expected = referenceStep(model, tokens, h, c);
        expectClose(stepper.step(tokens), expected.data, { ...TOLERANCE[dtype], message: `step ${t}` });
      }
      const state = stepper.getState();
      expect(state.h.shape).toEqual([numLayers, batchSize, sizes.H]);
      expectClose(state.h, stack(h), TOLERANCE[dtype]);
      expectClose(state.c, stack(c), TOLERANCE[dtype]);
      stepper.dispose();
    });
  });

  it('carries a state set from outside, resets it, and takes its weights as they were when made', () => {
    const sizes = { V: 7, E: 4, H: 8, L: 2, O: 5 };
    const model = randomModel(9, sizes, 'float32');
    const stepper = lstmStepper({ ...model, batchSize: 2 });
    const generator = new Generator(2);
    const state = { h: randn([2, 2, 8], { generator }), c: randn([2, 2, 8], { generator }) };
    stepper.setState(state);
    expectClose(stepper.getState().h, state.h);
    const tokens = Int32Array.of(1, 6);
    const layerOf = (x: Tensor, k: number) => new Tensor(x.data.slice(k * 16, (k + 1) * 16), [2, 8], 'float32');
    const h = [0, 1].map((k) => layerOf(state.h, k));
    const c = [0, 1].map((k) => layerOf(state.c, k));
    model.head.weight.data.fill(0); // after the stepper was made: no effect on it
    const expected = referenceStep(randomModel(9, sizes, 'float32'), tokens, h, c);
    expectClose(stepper.step(tokens), expected.data, TOLERANCE.float32);
    stepper.resetState();
    expect(Array.from(stepper.getState().c.data).every((v) => v === 0)).toBe(true);
    stepper.dispose();
    expect(stepper.disposed).toBe(true);
    stepper.dispose();
    expect(() => stepper.step(tokens)).toThrow(BackendError);
  });

  it('refuses bad tokens, sizes and dtypes with typed errors', () => {
    const model = randomModel(1, { V: 5, E: 3, H: 4, L: 1, O: 5 }, 'float32');
    const stepper = lstmStepper({ ...model, batchSize: 2 });
    expect(() => stepper.step(Int32Array.of(1))).toThrow(ShapeError);
    expect(() => stepper.step(Int32Array.of(1, 5))).toThrow(IndexError);
    expect(() => stepper.step(Int32Array.of(-1, 0))).toThrow(IndexError);
    expect(() => stepper.setState({ h: zeros([1, 1, 4]), c: zeros([1, 2, 4]) })).toThrow(ShapeError);
    expect(() => lstmStepper({ ...model, batchSize: 0 })).toThrow(ValueError);
    expect(() => lstmStepper({ ...model, layers: [], batchSize: 1 })).toThrow(ValueError);
    expect(() => lstmStepper({ ...model, head: { weight: zeros([5, 3]) }, batchSize: 1 })).toThrow(ShapeError);
    expect(() => lstmStepper({ ...model, head: { weight: zeros([5, 4], { dtype: 'float64' }) }, batchSize: 1 })).toThrow(DTypeError);
    stepper.dispose();
  });
});
