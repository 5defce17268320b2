import { Generator, linear, randn, tensor, type Tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { unroll } from '@tensorloom/rnn';
import { describe, expect, it } from 'vitest';
import { lstmKind } from './lstm-kind.js';

// A 2-input, 2-unit LSTM step with fixed weights (the same ones were fed to torch.nn.LSTMCell).
const W_IH = [-0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
const W_HH = [0.4, 0.45, 0.3, 0.35, 0.2, 0.25, 0.1, 0.15, 0, 0.05, -0.1, -0.05, -0.2, -0.15, -0.3, -0.25];
const B_IH = [-0.4, -0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3];
const B_HH = [0.2, 1 / 7, 0.6 / 7, 0.2 / 7, -0.2 / 7, -0.6 / 7, -1 / 7, -0.2];
const X = [0.5, -1];
const H0 = [0.1, -0.2];
const C0 = [0.3, 0.4];

const sigma = (v: number): number => 1 / (1 + Math.exp(-v));

/** The step written out unit by unit, with scalars. */
function stepByHand(): { h: number[]; c: number[] } {
  const hiddenSize = 2;
  const pre = (gate: number, unit: number): number => {
    const row = gate * hiddenSize + unit;
    let z = B_IH[row]! + B_HH[row]!;
    for (let k = 0; k < 2; k++) z += W_IH[row * 2 + k]! * X[k]! + W_HH[row * 2 + k]! * H0[k]!;
    return z;
  };
  const h: number[] = [];
  const c: number[] = [];
  for (let j = 0; j < hiddenSize; j++) {
    const i = sigma(pre(0, j));
    const f = sigma(pre(1, j));
    const g = Math.tanh(pre(2, j));
    const o = sigma(pre(3, j));
    c.push(f * C0[j]! + i * g);
    h.push(o * Math.tanh(c[j]!));
  }
  return { h, c };
}

function params(extra: Record<string, Tensor> = {}): Record<string, Tensor | null> {
  return {
    weight_ih: tensor(W_IH, { shape: [8, 2], dtype: 'float64' }),
    weight_hh: tensor(W_HH, { shape: [8, 2], dtype: 'float64' }),
    bias_ih: tensor(B_IH, { dtype: 'float64' }),
    bias_hh: tensor(B_HH, { dtype: 'float64' }),
    ...extra,
  };
}

function runStep(p: Record<string, Tensor | null>, h0: number[] = H0): Tensor[] {
  const xProj = linear(tensor([X], { dtype: 'float64' }), p.weight_ih!, p.bias_ih ?? null);
  return lstmKind.step(xProj, [tensor([h0], { dtype: 'float64' }), tensor([C0], { dtype: 'float64' })], p);
}

describe('lstmKind', () => {
  it('computes one step equal to the gate equations written out by hand', () => {
    const [h, c] = runStep(params());
    const expected = stepByHand();
    expectClose(h!.data, expected.h, { rtol: 1e-12 });
    expectClose(c!.data, expected.c, { rtol: 1e-12 });
  });

  it('matches the values torch.nn.LSTMCell gives for the same step', () => {
    const [h, c] = runStep(params());
    expectClose(h!.data, [0.021362610251, 0.030430048662], { atol: 1e-11 });
    expectClose(c!.data, [0.049749994993, 0.072886068968], { atol: 1e-11 });
  });

  it('projects h through weight_hr and leaves c unprojected when projSize > 0', () => {
    const weightHr = tensor([[0.5, -2]], { dtype: 'float64' });
    // With projSize 1, weight_hh is [8, 1]: keep the first column and feed h0 = [0.1].
    const weightHh = tensor(
      W_HH.filter((_, k) => k % 2 === 0),
      { shape: [8, 1], dtype: 'float64' },
    );
    const [h, c] = runStep(params({ weight_hh: weightHh, weight_hr: weightHr }), [0.1]);
    // The unprojected reference: the same step with h0 = [0.1, 0] through the full weight_hh.
    const [hFull, cFull] = runStep(params(), [0.1, 0]);
    expect(h!.shape).toEqual([1, 1]);
    expectClose(c!.data, cFull!.data, { rtol: 1e-12 });
    expectClose(h!.data, [0.5 * hFull!.data[0]! - 2 * hFull!.data[1]!], { rtol: 1e-12 });
  });

  it('declares PyTorch shapes: weight_hh [4H, P] and weight_hr [P, H] with a projection, no biases without bias', () => {
    expect(lstmKind.parameterShapes({ inputSize: 3, hiddenSize: 5, bias: true, projSize: 2 })).toEqual({
      weight_ih: [20, 3],
      weight_hh: [20, 2],
      bias_ih: [20],
      bias_hh: [20],
      weight_hr: [2, 5],
    });
    expect(lstmKind.parameterShapes({ inputSize: 3, hiddenSize: 5, bias: false, projSize: 0 })).toEqual({
      weight_ih: [20, 3],
      weight_hh: [20, 5],
      bias_ih: null,
      bias_hh: null,
    });
    expect(lstmKind.stateNames).toEqual(['h', 'c']);
    expect(lstmKind.stateSizes({ inputSize: 3, hiddenSize: 5, bias: true, projSize: 2 })).toEqual([2, 5]);
    expect(lstmKind.stateSizes({ inputSize: 3, hiddenSize: 5, bias: true, projSize: 0 })).toEqual([5, 5]);
  });

  it('has gradients through an unrolled sequence that pass gradcheck', () => {
    const gen = new Generator(3);
    const r = (shape: number[]): Tensor => randn(shape, { dtype: 'float64', generator: gen, requiresGrad: true });
    const xProj = r([3, 2, 8]);
    const h0 = r([2, 2]);
    const c0 = r([2, 2]);
    const weightHh = r([8, 2]);
    const biasHh = r([8]);
    const fn = (xp: Tensor, h: Tensor, c: Tensor, w: Tensor, b: Tensor): Tensor[] => {
      const result = unroll(lstmKind, xp, [h, c], { weight_hh: w, bias_hh: b });
      return [result.output, ...result.state];
    };
    expect(gradcheck(fn, [xProj, h0, c0, weightHh, biasHh])).toBe(true);
  });
});
