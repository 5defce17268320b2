/**
 * The course's vanilla RNN and its hand-written BPTT against PyTorch 1.13 (float64): the fixture
 * was written by test/fixtures/make_vanilla_rnn_fixtures.py.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSafetensors, type Tensor } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { VANILLA_RNN_PARAMETER_NAMES, VanillaRNN } from '../src/vanilla-rnn.js';
import { manualBptt } from '../src/bptt.js';

const fixture = (await loadSafetensors(fileURLToPath(new URL('./fixtures/vanilla_rnn.safetensors', import.meta.url)))).tensors;
const get = (key: string): Tensor => {
  const t = fixture[key];
  if (!t) throw new Error(`fixture has no '${key}'`);
  return t;
};

function loadModel(): VanillaRNN {
  const [H, I] = get('W_hx').shape as [number, number];
  const O = get('W_ph').shape[0]!;
  const model = new VanillaRNN({ inputSize: I, hiddenSize: H, outputSize: O, dtype: 'float64' });
  model.loadStateDict(Object.fromEntries(VANILLA_RNN_PARAMETER_NAMES.map((n) => [n, get(n)])));
  return model;
}

describe('VanillaRNN against PyTorch', () => {
  it('loads the state dict PyTorch wrote under the course names and gives the same hidden states and logits', () => {
    const { hidden, logits } = loadModel().forward(get('x'));
    expectClose(hidden, get('hidden'), { rtol: 1e-12, atol: 1e-14 });
    expectClose(logits, get('logits'), { rtol: 1e-12, atol: 1e-14 });
  });

  for (const lossAt of ['all', 'last'] as const) {
    it(`matches PyTorch's loss and gradients with autograd and both hand-written forms (lossAt '${lossAt}')`, () => {
      const model = loadModel();
      const x = get('x');
      const y = get('y');
      const loss = model.loss(x, y, { lossAt });
      loss.backward();
      expect(loss.item()).toBeCloseTo(get(`loss.${lossAt}`).item(), 12);
      const manual = (['recursive', 'jacobian-products'] as const).map((form) => manualBptt(model, x, y, { lossAt, form }));
      for (const name of VANILLA_RNN_PARAMETER_NAMES) {
        const expected = get(`grad.${lossAt}.${name}`);
        expectClose(model.getParameter(name)!.grad!, expected, { rtol: 1e-10, atol: 1e-12, message: `autograd ${name}` });
        for (const m of manual) expectClose(m.grads[name], expected, { rtol: 1e-10, atol: 1e-12, message: `manual ${name}` });
      }
      for (const m of manual) expect(m.loss).toBeCloseTo(get(`loss.${lossAt}`).item(), 12);
    });
  }
});
