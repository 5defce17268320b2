import { ValueError, tensor } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { describe, expect, test } from 'vitest';
import { rnnKind } from './rnn-kind.js';

const f64 = { dtype: 'float64' } as const;

describe('rnnKind', () => {
  test('is named RNN_TANH or RNN_RELU, one chunk, state h of size H', () => {
    expect(rnnKind('tanh').name).toBe('RNN_TANH');
    expect(rnnKind('relu').name).toBe('RNN_RELU');
    expect(rnnKind().name).toBe('RNN_TANH');
    const kind = rnnKind('tanh');
    expect(kind.chunks).toBe(1);
    expect(kind.stateNames).toEqual(['h']);
    expect(kind.stateSizes({ inputSize: 3, hiddenSize: 5, bias: true, projSize: 0 })).toEqual([5]);
  });

  test('declares PyTorch parameter shapes in PyTorch order, biases null without bias', () => {
    const kind = rnnKind('tanh');
    const shapes = kind.parameterShapes({ inputSize: 3, hiddenSize: 5, bias: true, projSize: 0 });
    expect(Object.keys(shapes)).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
    expect(shapes).toEqual({ weight_ih: [5, 3], weight_hh: [5, 5], bias_ih: [5], bias_hh: [5] });
    expect(kind.parameterShapes({ inputSize: 3, hiddenSize: 5, bias: false, projSize: 0 })).toEqual({
      weight_ih: [5, 3],
      weight_hh: [5, 5],
      bias_ih: null,
      bias_hh: null,
    });
  });

  test('tanh step computes tanh(xProj + h·W_hhᵀ + b_hh)', () => {
    const xProj = tensor([[0.5, -1]], f64);
    const h = tensor([[0.2, -0.4]], f64);
    const weight_hh = tensor(
      [
        [1, 2],
        [-3, 0.5],
      ],
      f64,
    );
    const bias_hh = tensor([0.1, -0.2], f64);
    const [next] = rnnKind('tanh').step(xProj, [h], { weight_hh, bias_hh });
    // h·W_hhᵀ = [0.2·1 − 0.4·2, 0.2·(−3) − 0.4·0.5] = [−0.6, −0.8]
    expectClose(next!, [[Math.tanh(0.5 - 0.6 + 0.1), Math.tanh(-1 - 0.8 - 0.2)]], { rtol: 1e-12 });
  });

  test('relu step clips negative pre-activations and works without b_hh', () => {
    const [next] = rnnKind('relu').step(tensor([[0.5, -1]], f64), [tensor([[0.2, -0.4]], f64)], {
      weight_hh: tensor(
        [
          [1, 2],
          [-3, 0.5],
        ],
        f64,
      ),
      bias_hh: null,
    });
    expectClose(next!, [[0, 0]], { atol: 0 });
    const [positive] = rnnKind('relu').step(tensor([[2, 1]], f64), [tensor([[0.2, -0.4]], f64)], {
      weight_hh: tensor(
        [
          [1, 2],
          [-3, 0.5],
        ],
        f64,
      ),
      bias_hh: null,
    });
    expectClose(positive!, [[1.4, 0.2]], { rtol: 1e-12 });
  });

  test('rejects an unknown nonlinearity with a ValueError', () => {
    expect(() => rnnKind('sigmoid' as 'tanh')).toThrow(ValueError);
  });
});
