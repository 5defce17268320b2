import { describe, expect, it } from 'vitest';
import {
  DTypeError,
  Generator,
  IndexError,
  ShapeError,
  ValueError,
  randint,
  randn,
  select,
  softmax,
  tensor,
  zeros,
  type Tensor,
} from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { VANILLA_RNN_PARAMETER_NAMES, VanillaRNN, type LossAt } from './vanilla-rnn.js';
import { manualBptt, type BPTTForm } from './bptt.js';

interface Case {
  seed: number;
  batch: number;
  steps: number;
  inputSize: number;
  hiddenSize: number;
  outputSize: number;
}

function setup(c: Case, dtype: 'float32' | 'float64' = 'float64') {
  const generator = new Generator(c.seed);
  const model = new VanillaRNN({ inputSize: c.inputSize, hiddenSize: c.hiddenSize, outputSize: c.outputSize, dtype, generator });
  // Larger recurrent weights than the default init, so the products of Jacobians matter.
  for (let i = 0; i < model.W_hh.size; i++) model.W_hh.data[i] = model.W_hh.data[i]! * 3;
  const x = randn([c.batch, c.steps, c.inputSize], { dtype, generator });
  const y = randint(0, c.outputSize, [c.batch, c.steps], { dtype: 'int32', generator });
  return { model, x, y };
}

function autogradGrads(model: VanillaRNN, x: Tensor, y: Tensor, lossAt: LossAt) {
  model.zeroGrad();
  const loss = model.loss(x, y, { lossAt });
  loss.backward();
  return { loss: loss.item(), grads: Object.fromEntries(VANILLA_RNN_PARAMETER_NAMES.map((n) => [n, model.getParameter(n)!.grad!])) };
}

const CASES: Case[] = [
  { seed: 1, batch: 1, steps: 1, inputSize: 2, hiddenSize: 3, outputSize: 2 },
  { seed: 2, batch: 3, steps: 5, inputSize: 3, hiddenSize: 4, outputSize: 5 },
  { seed: 3, batch: 2, steps: 8, inputSize: 1, hiddenSize: 6, outputSize: 3 },
  { seed: 4, batch: 4, steps: 7, inputSize: 4, hiddenSize: 5, outputSize: 4 },
];

describe('manualBptt', () => {
  for (const c of CASES) {
    for (const lossAt of ['all', 'last'] as const) {
      it(`double sum = recursion = autograd to 1e-10 (float64, B=${c.batch} T=${c.steps} H=${c.hiddenSize}, lossAt '${lossAt}')`, () => {
        const { model, x, y } = setup(c);
        const reference = autogradGrads(model, x, y, lossAt);
        const forms: BPTTForm[] = ['recursive', 'jacobian-products'];
        const results = forms.map((form) => manualBptt(model, x, y, { lossAt, form }));
        for (const result of results) {
          expect(result.loss).toBeCloseTo(reference.loss, 12);
          for (const name of VANILLA_RNN_PARAMETER_NAMES) {
            expect(result.grads[name].shape).toEqual(model.getParameter(name)!.shape);
            expectClose(result.grads[name], reference.grads[name]!, { rtol: 1e-10, atol: 1e-10, message: name });
          }
        }
        for (const name of VANILLA_RNN_PARAMETER_NAMES)
          expectClose(results[0]!.grads[name], results[1]!.grads[name], { rtol: 1e-10, atol: 1e-12, message: name });
      });
    }
  }

  it("gives ∂L_T/∂W_ph = (ŷ_T − y_T) h_Tᵀ / B: only the last hidden state enters with lossAt 'last'", () => {
    const { model, x, y } = setup({ seed: 8, batch: 3, steps: 6, inputSize: 2, hiddenSize: 4, outputSize: 3 });
    const { logits, hidden } = model.forward(x);
    const yT = select(y, 1, 5);
    const delta = softmax(select(logits, 1, 5), -1).sub(
      tensor(
        Array.from(yT.data).flatMap((c) => [0, 1, 2].map((o) => (o === c ? 1 : 0))),
        { shape: [3, 3], dtype: 'float64' },
      ),
    );
    const expected = delta
      .transpose(0, 1)
      .matmul(select(hidden, 1, 5))
      .div(3);
    expectClose(manualBptt(model, x, y, { lossAt: 'last' }).grads.W_ph, expected, { rtol: 1e-12, atol: 1e-14 });
  });

  it('matches autograd on a float32 model and returns float32 gradients', () => {
    const { model, x, y } = setup({ seed: 5, batch: 2, steps: 6, inputSize: 3, hiddenSize: 4, outputSize: 3 }, 'float32');
    const reference = autogradGrads(model, x, y, 'all');
    const { grads } = manualBptt(model, x, y, { form: 'jacobian-products' });
    for (const name of VANILLA_RNN_PARAMETER_NAMES) {
      expect(grads[name].dtype).toBe('float32');
      expectClose(grads[name], reference.grads[name]!, { rtol: 1e-4, atol: 1e-6, message: name });
    }
  });

  it("takes [B] targets with lossAt 'last' and leaves the parameters' .grad untouched", () => {
    const { model, x, y } = setup({ seed: 6, batch: 2, steps: 4, inputSize: 2, hiddenSize: 3, outputSize: 3 });
    model.zeroGrad();
    const a = manualBptt(model, x, y, { lossAt: 'last' });
    const b = manualBptt(model, x, select(y, 1, 3), { lossAt: 'last' });
    expectClose(a.grads.W_hh, b.grads.W_hh, { rtol: 0, atol: 0 });
    expect(model.W_hh.grad).toBeNull();
  });

  it('rejects bad shapes, dtypes, targets and options with typed errors', () => {
    const { model, x, y } = setup({ seed: 7, batch: 2, steps: 3, inputSize: 2, hiddenSize: 3, outputSize: 3 });
    expect(() => manualBptt(model, zeros([2, 3, 5], { dtype: 'float64' }), y)).toThrow(ShapeError);
    expect(() => manualBptt(model, x, select(y, 1, 0))).toThrow(ShapeError);
    expect(() => manualBptt(model, zeros([2, 0, 2], { dtype: 'float64' }), zeros([2, 0], { dtype: 'int32' }))).toThrow(ShapeError);
    expect(() => manualBptt(model, x, y.to('float64'))).toThrow(DTypeError);
    expect(() =>
      manualBptt(
        model,
        x,
        tensor(
          [
            [0, 1, 3],
            [0, 0, 0],
          ],
          { dtype: 'int32' },
        ),
      ),
    ).toThrow(IndexError);
    // @ts-expect-error: an invalid option value
    expect(() => manualBptt(model, x, y, { form: 'magic' })).toThrow(ValueError);
  });
});
